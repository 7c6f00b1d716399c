# Vajra's in-sandbox Python runtime: it speaks the Lambda Runtime API and runs the user's handler the way
# AWS's Python runtime does. It sits on the cold-start path, so it uses only cheap stdlib modules. It is a
# module (started by bootstrap.py) so that its bytecode is read from __pycache__, which the server
# writes when it starts, instead of being compiled at every cold start.
import os
import sys
import time
import _json
import _vajra_trace  # from /var/runtime (this module's folder, sys.path[0] at start)

from _vajra_runtime_client import API as _API, RuntimeClient  # also from /var/runtime
_ENDPOINT_SOCKET = "/run/vajra-lambda/lambda.sock"
_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
_request_id = None  # read by the logging filter
_logging_ready = False
_json_log = None  # the _vajra_json_log module when the function's LoggingConfig is JSON


# ---- JSON through the C accelerator directly: `import json` drags in `re` (~5 ms at start-up). ----
def _json_default(o):
    if type(o).__name__ == "Decimal" and "decimal" in sys.modules and isinstance(o, sys.modules["decimal"].Decimal):
        if o.is_nan():
            return float("nan")
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type %s is not JSON serializable" % o.__class__.__name__)


class _ScanCtx(object):
    strict = True
    object_hook = object_pairs_hook = None
    parse_float = float
    parse_int = int
    memo = {}

    @staticmethod
    def parse_constant(name):
        return {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}[name]


_WS = " \t\n\r"
try:
    _scan = _json.make_scanner(_ScanCtx())
    _ascii = os.environ.get("AWS_EXECUTION_ENV") != "AWS_Lambda_python3.12"  # AWS's own quirk
    _encode = _json.make_encoder(
        {}, _json_default, _json.encode_basestring_ascii if _ascii else _json.encode_basestring,
        None, ": ", ", ", False, False, True)
except Exception:  # pragma: no cover - an interpreter whose _json differs: use the json package
    _scan = _encode = None


def _loads(data):
    if _scan is not None:
        try:
            s = data.decode("utf-8") if isinstance(data, bytes) else data
            start = len(s) - len(s.lstrip(_WS))
            obj, end = _scan(s, start)
            if not s[end:].strip(_WS):
                return obj
        except Exception:
            pass
    import json  # slow path: also produces the canonical error message
    return json.loads(data)


def _dumps(obj):
    if _encode is not None:
        return "".join(_encode(obj, 0))
    import json
    return json.dumps(obj, default=_json_default)


# ---- errors, shaped like AWS's ----
class FaultException(Exception):
    def __init__(self, exception_type, msg, trace=None):
        Exception.__init__(self, msg)
        self.exception_type, self.msg, self.trace = exception_type, msg, trace


def make_error(message, error_type, stack_trace, request_id=None):
    return {"errorMessage": message or "", "errorType": error_type or "",
            "requestId": request_id if request_id is not None else "", "stackTrace": stack_trace or []}


def error_from_exception(exc, request_id=None):
    import traceback
    frames = [(f[0], f[1], f[2], f[3]) for f in traceback.extract_tb(exc.__traceback__)]
    for i, f in enumerate(frames):  # hide the runtime's own frames, as AWS does
        if os.path.dirname(f[0]) != _RUNTIME_DIR:
            frames = frames[i:]
            break
    return make_error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def log_error(err):
    """One log record: '[ERROR] Type: message' + traceback, lines joined by CR, indents made non-breaking."""
    if _json_log is not None:
        sys.stdout.write(_json_log.error_line(err))
        return
    desc = "[ERROR]"
    if err.get("errorType"):
        desc += " " + err["errorType"]
    if err.get("errorMessage"):
        desc += (":" if err.get("errorType") else "") + " " + err["errorMessage"]
    lines = [desc]
    trace = err.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            for line in (element.splitlines() or [""]):
                stripped = line.lstrip(" ")
                lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    sys.stdout.write("\r".join(lines) + "\n")


def _flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed or replaced stream must not break the loop
            pass


# ---- logging: configured only once `logging` is imported by someone (it costs ~10 ms to import) ----
def _setup_logging(logging):
    global _logging_ready
    if _logging_ready:
        return
    _logging_ready = True

    class LambdaLoggerHandler(logging.Handler):
        def emit(self, record):
            try:
                sys.stdout.write(self.format(record))
            except Exception:
                self.handleError(record)

    class LambdaLoggerFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = _request_id or ""
            return True

    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    handler.addFilter(LambdaLoggerFilter())
    root = logging.getLogger()
    level = (os.environ.get("AWS_LAMBDA_LOG_LEVEL") or "").upper()
    if _json_log is not None:
        # LoggingConfig JSON: records are JSON lines and the root level is the ApplicationLogLevel.
        handler.setFormatter(_json_log.make_formatter(logging))
        root.setLevel(_json_log.APPLICATION_LEVELS.get(level, logging.INFO))
        root.addHandler(handler)
        return
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
    level = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
    if level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        root.setLevel(level)
    root.addHandler(handler)


def _ensure_logging():
    mod = sys.modules.get("logging")
    if not _logging_ready and mod is not None and hasattr(mod, "Handler"):
        try:
            _setup_logging(mod)
        except Exception:
            pass


class _LoggingImportHook(object):
    """meta_path finder: runs _setup_logging right after the stdlib `logging` module executes."""

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass
        from importlib.machinery import PathFinder
        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or isinstance(spec.loader, type):
            return spec
        real_exec = spec.loader.exec_module

        def exec_module(module):
            real_exec(module)
            _ensure_logging()

        spec.loader.exec_module = exec_module
        return spec


# ---- the handler and its context ----
class CognitoIdentity(object):
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")


class Client(object):
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")


class ClientContext(object):
    __slots__ = ("custom", "env", "client")


def _from_dict(cls, d):
    if d is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, d.get(field) if isinstance(d, dict) else None)
    return obj


def _parse_header_json(value, name):
    try:
        return _loads(value)
    except Exception as e:
        raise FaultException("Runtime.LambdaContextUnmarshalError", "Unable to parse %s JSON: %s" % (name, e))


class LambdaContext(object):
    def __init__(self, request_id, headers):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        cc = headers.get("lambda-runtime-client-context")
        cc = _parse_header_json(cc, "Client Context") if cc else None
        self.client_context = _from_dict(ClientContext, cc)
        if self.client_context is not None:
            self.client_context.client = _from_dict(Client, self.client_context.client)
        ci = headers.get("lambda-runtime-cognito-identity")
        ci = _parse_header_json(ci, "Cognito Identity") if ci else None
        self.identity = _from_dict(CognitoIdentity, {})
        if isinstance(ci, dict):
            self.identity.cognito_identity_id = ci.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = ci.get("cognitoIdentityPoolId")
        try:
            self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms") or 0)
        except ValueError:
            self._deadline_ms = 0

    def get_remaining_time_in_millis(self):
        left = self._deadline_ms - int(time.time() * 1000)
        return left if left > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))


def load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException("Runtime.BuiltInModuleConflict",
                                 "Cannot use built-in module %s as a handler module" % modname)
        import importlib
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (modname, e), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))


def handle_invocation(client, handler, headers, body):
    global _request_id
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    _request_id = request_id
    _vajra_trace.set_environment(headers.get("lambda-runtime-trace-id"))
    _ensure_logging()
    error = payload = None
    try:
        context = LambdaContext(request_id, headers)
        try:
            event = _loads(body) if body.strip() else {}  # an empty payload reaches AWS handlers as {}
        except Exception as e:
            raise FaultException("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
        result = handler(event, context)
        if isinstance(result, bytes):
            payload = result
        else:
            try:
                payload = _dumps(result).encode("utf-8")
            except Exception as e:
                raise FaultException("Runtime.MarshalError", "Unable to marshal response: %s" % e)
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace, request_id)
    except Exception as e:
        error = error_from_exception(e, request_id)
    path = "/invocation/%s/" % request_id
    if error is not None:
        log_error(error)
        _flush()
        return client.post(path + "error", _dumps(error).encode("utf-8"), error["errorType"], then_next=True)
    _flush()
    return client.post(path + "response", payload, then_next=True)


def main():
    # What every function gets comes first: a pre-initialised sandbox has done it before it waits.
    import _vajra_endpoint_relay  # from /var/runtime: sys.path[0] until the task root replaces it
    _vajra_endpoint_relay.start(_ENDPOINT_SOCKET)
    for stream in (sys.stdout, sys.stderr):
        try:
            if (stream.encoding or "").lower().replace("-", "") != "utf8":
                stream.reconfigure(encoding="utf-8")
            stream.reconfigure(line_buffering=True)
        except Exception:
            pass
    if os.environ.get("VAJRA_PREINIT") == "1":
        import _vajra_preinit  # from /var/runtime

        _vajra_preinit.wait_for_assignment()
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON":
        global _json_log
        import _vajra_json_log as _json_log  # also from /var/runtime, before the task root replaces it
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or "/var/task"
    extra = [p for p in ("/opt/python/lib/python%d.%d/site-packages" % sys.version_info[:2], "/opt/python")
             if os.path.isdir(p)]
    sys.path[0:1] = [task_root] + extra  # sys.path[0] was /var/runtime, this file's directory
    if "logging" in sys.modules:
        _ensure_logging()
    else:
        sys.meta_path.insert(0, _LoggingImportHook())

    client = RuntimeClient()
    try:
        client._connect()  # now: the server sets the connection up while the handler loads
    except OSError:
        pass  # the first request tries again and reports
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
        error = None
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace)
    except Exception as e:
        error = error_from_exception(e)
    if error is not None:
        log_error(error)
        _flush()
        client.post("/init/error", _dumps(error).encode("utf-8"), error["errorType"])
        sys.exit(1)
    _ensure_logging()

    status, headers, body = client.request("GET", _API + "/invocation/next")
    while True:
        if status != 200:
            sys.stderr.write("vajra bootstrap: /invocation/next answered %d: %r\n" % (status, body[:200]))
            sys.exit(1)
        status, headers, body = handle_invocation(client, handler, headers, body)


