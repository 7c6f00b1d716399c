# JSON logging of Vajra's Python runtime, apart from bootstrap.py: with a LoggingConfig of JSON
# (AWS_LAMBDA_LOG_FORMAT=JSON) each `logging` record becomes one JSON line with the fields AWS's Python
# runtime writes, and the uncaught-error record is JSON too. `print` output stays plain text, as on AWS.
import json
import time
import traceback

# Fields of every LogRecord; anything else on a record came from `extra=` and is written as its own key.
_RESERVED = frozenset((
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread",
    "threadName", "processName", "process", "taskName", "message", "asctime", "aws_request_id",
))

# Python's names for WARN and FATAL are Lambda's names in the records.
_LEVEL_NAMES = {"WARNING": "WARN", "CRITICAL": "FATAL"}

# ApplicationLogLevel as a `logging` level (TRACE is below DEBUG; Python has no name for it).
APPLICATION_LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "ERROR": 40, "FATAL": 50}

_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def make_formatter(logging):
    class JsonFormatter(logging.Formatter):
        def format(self, record):
            record.message = record.getMessage()
            result = {
                "timestamp": time.strftime(_DATETIME_FORMAT, time.gmtime(record.created)),
                "level": _LEVEL_NAMES.get(record.levelname, record.levelname),
                "message": record.message,
                "logger": record.name,
                "requestId": getattr(record, "aws_request_id", None) or None,
                "location": "%s:%s:%s" % (record.pathname, record.funcName, record.lineno),
            }
            if record.exc_info and record.exc_info[0] is not None:
                result["stackTrace"] = traceback.format_tb(record.exc_info[2])
                result["errorType"] = record.exc_info[0].__name__
                result["errorMessage"] = str(record.exc_info[1])
            for key, value in record.__dict__.items():
                if key not in _RESERVED and key not in result:
                    result[key] = value
            result = dict((k, v) for k, v in result.items() if v is not None)
            return json.dumps(result, default=str, ensure_ascii=False) + "\n"

    return JsonFormatter()


def error_line(err):
    """The uncaught-error record in JSON mode: the error object with its time and level."""
    record = {"timestamp": time.strftime(_DATETIME_FORMAT, time.gmtime()), "log_level": "ERROR"}
    record.update(err)
    return json.dumps(record, default=str, ensure_ascii=False) + "\n"
