// Vajra's in-sandbox Node.js runtime: it speaks the Lambda Runtime API and runs the user's handler the way
// AWS's Node.js runtime does (handler resolution, callbacks, context, log format, error shapes). Stdlib only.
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { RuntimeClient, headerSafe, parseTarget } from './runtime-client.mjs';
import { jsonLogLine } from './json-log.mjs';
import { startEndpointRelay } from './endpoint-relay.mjs';
// Last: a pre-initialised sandbox waits there for its function (everything above is loaded by then).
import './preinit.mjs';

const API = '/2018-06-01/runtime';
const SOCKET_PATH = process.env.VAJRA_RUNTIME_SOCKET || '/run/vajra/runtime.sock';
const require = createRequire(import.meta.url);

// ---- errors, named like AWS's (the name is on the prototype so it is part of the stack header) ----
class ImportModuleError extends Error {}
class HandlerNotFound extends Error {}
class MalformedHandlerName extends Error {}
class UserCodeSyntaxError extends Error {}
class NodeJsExit extends Error {}
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
for (const E of [ImportModuleError, HandlerNotFound, MalformedHandlerName, UserCodeSyntaxError, NodeJsExit, UnhandledPromiseRejection]) {
  E.prototype.name = `Runtime.${E.name}`;
}

const isErrorLike = (e) =>
  e && typeof e.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string' && e.name && e.message;

// The body posted to /error: {errorType, errorMessage, trace}.
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but its message, name or stack could not be read' };
  }
}

// The JSON logged after "Invoke Error": Error's own (non-enumerable) fields made visible.
function toFormatted(error) {
  const expand = (_k, v) => {
    if (!(v instanceof Error)) return v;
    const out = Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v);
    if (typeof v.stack === 'string') out.stack = v.stack.split('\n');
    return out;
  };
  try {
    return '\t' + JSON.stringify(error, expand);
  } catch {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

const intoError = (e) => (e instanceof Error ? e : new Error(e));

// ---- logging: one synchronous line per console call, "<iso>\t<request id>\t<LEVEL>\t<message>" ----
let currentRequestId; // "undefined" in lines written during init, as on AWS
const REQUEST_ID_SYMBOL = Symbol.for('aws.lambda.runtime.requestId');

function writeAll(fd, text) {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e; // fd 1 may have been made non-blocking by process.stdout
    }
  }
}

// LoggingConfig JSON: each console call is one JSON record (json-log.mjs), as AWS's runtime writes them.
const JSON_LOGS = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';

function logLine(level, args) {
  if (JSON_LOGS) {
    writeAll(1, jsonLogLine(level, currentRequestId, args));
    return;
  }
  const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(...args)}`;
  writeAll(1, line.replace(/\n/g, '\r') + '\n');
}

function patchConsole() {
  const order = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  let min = order.indexOf(String(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase());
  if (min < 0) min = 0;
  // Calls below the function's ApplicationLogLevel are dropped.
  const make = (level) => (order.indexOf(level) >= min ? (...args) => logLine(level, args) : () => {});
  console.trace = make('TRACE');
  console.debug = make('DEBUG');
  console.info = make('INFO');
  console.log = console.info;
  console.warn = make('WARN');
  console.error = make('ERROR');
  console.fatal = (...args) => logLine('FATAL', args);
}

// In JSON mode the error itself goes in, so the record carries errorType, errorMessage and stackTrace.
const logError = (what, err) =>
  logLine('ERROR', JSON_LOGS ? [what, intoError(err)] : [what, toFormatted(intoError(err))]);

// ---- Runtime API client: one persistent connection (runtime-client.mjs) ----
const target = fs.existsSync(SOCKET_PATH)
  ? { path: SOCKET_PATH }
  : parseTarget(process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001');
const client = new RuntimeClient(target, {
  hostHeader: target.path !== undefined ? 'localhost' : process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001',
});
const JSON_TYPE = { 'Content-Type': 'application/json' };
const NEXT = { method: 'GET', path: `${API}/invocation/next` };

// The error-type header is ASCII (HTTP header values cannot carry any name a JavaScript error may
// have); the body keeps the name as it is.
function errorRequest(urlPath, err) {
  const r = toRapidResponse(err);
  const type = headerSafe(String(r.errorType));
  return { method: 'POST', path: urlPath, body: JSON.stringify(r), headers: { ...JSON_TYPE, 'Lambda-Runtime-Function-Error-Type': type } };
}
const invocationPath = (id, what) => `${API}/invocation/${encodeURIComponent(id)}/${what}`;

// A fatal error's post goes on a connection of its own: it must not queue behind a pending long poll.
function postAlone(req) {
  const own = new RuntimeClient(target, { hostHeader: client.hostHeader, maxAttempts: 1 });
  return own.request(req.method, req.path, req.body, req.headers).finally(() => own.close());
}
const postInitError = (err) => postAlone(errorRequest(`${API}/init/error`, err));
const postFatalInvocationError = (id, err) => postAlone(errorRequest(invocationPath(id, 'error'), err));

// ---- loading the handler ("dir/file.obj.fn") ----
function hasTypeModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const pj = path.join(folder, 'package.json');
  if (fs.existsSync(pj)) {
    try {
      return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module';
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
      return false;
    }
  }
  return folder === '/' ? false : hasTypeModule(path.resolve(folder, '..'));
}

async function loadModule(appRoot, moduleRoot, moduleName) {
  const base = path.resolve(appRoot, moduleRoot, moduleName);
  const tryRequire = (file) => (fs.existsSync(file) && fs.statSync(file).isFile() ? require(file) : undefined);
  const tryImport = async (file) => (fs.existsSync(file) ? await import(pathToFileURL(file).href) : undefined);
  try {
    const extensionless = tryRequire(base);
    if (extensionless) return extensionless;
    const esm = hasTypeModule(path.dirname(base));
    if (!esm) {
      const cjs = tryRequire(base + '.js');
      if (cjs) return cjs;
    }
    const loaded =
      (esm && (await tryImport(base + '.js'))) || (await tryImport(base + '.mjs')) || tryRequire(base + '.cjs');
    if (loaded) return loaded;
    // Node-style resolution relative to the task root (e.g. a package in node_modules)
    return require(require.resolve(moduleName, { paths: [appRoot, moduleRoot] }));
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e && e.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e);
    throw e;
  }
}

async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const moduleAndHandler = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(moduleAndHandler));
  const match = moduleAndHandler.match(/^([^.]*)\.(.*)$/);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const mod = await loadModule(appRoot, moduleRoot, match[1]);
  const fn = match[2].split('.').reduce((obj, key) => obj && obj[key], mod);
  if (!fn) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return fn;
}

// ---- the invoke loop ----
let beforeExitHook = null; // what to do if the event loop drains mid-invocation
process.on('beforeExit', () => {
  const hook = beforeExitHook;
  beforeExitHook = null;
  if (hook) hook();
});

// Until the first invocation, fatal errors are init errors.
let onFatal = (err, code) => postInitError(err).finally(() => process.exit(code));
process.on('uncaughtException', (err) => {
  logError('Uncaught Exception', err);
  onFatal(err, 129);
});
process.on('unhandledRejection', (reason, promise) => {
  const err = new UnhandledPromiseRejection(reason, promise);
  logError('Unhandled Promise Rejection', err);
  onFatal(err, 128);
});

const parseHeaderJson = (value, name) => {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (e) {
    throw new Error(`Cannot parse ${name} as json: ${e.toString()}`);
  }
};

function fatalLoopError(err) {
  writeAll(2, `vajra bootstrap: runtime API failure: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
}

// Runs the invocation that `next` (the answer to GET /next) brings.
function onNext(handler, next) {
  next.then((res) => invokeOnce(handler, res)).catch(fatalLoopError);
}

// Posts an invocation's outcome and, in the same write, asks for the next event (the Runtime API
// answers them in order, the next event only once the outcome is recorded).
function reportThenNext(handler, req) {
  const [posted, next] = client.pipeline([req, NEXT]);
  posted.catch(fatalLoopError); // a refusal (e.g. 413, recorded by the server) is not fatal; a broken connection is
  onNext(handler, next);
}

function invokeOnce(handler, next) {
  if (next.status !== 200) {
    throw new Error(`/invocation/next answered ${next.status}: ${next.body.toString('utf8', 0, 200)}`);
  }
  const h = next.headers;
  const id = h['lambda-runtime-aws-request-id'];
  currentRequestId = globalThis[REQUEST_ID_SYMBOL] = id;
  if (h['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
  else delete process.env._X_AMZN_TRACE_ID;
  // The W3C form as well (TRACEPARENT): a request sent onward with it continues the trace under the handler span.
  const tp = traceparent(h['lambda-runtime-trace-id']);
  if (tp) process.env.TRACEPARENT = tp;
  else delete process.env.TRACEPARENT;

  // (after the response this still names this invocation; the process exits either way, as on AWS)
  onFatal = (err, code) => postFatalInvocationError(id, err).finally(() => process.exit(code));
  const postResponse = (body) =>
    reportThenNext(handler, { method: 'POST', path: invocationPath(id, 'response'), body, headers: JSON_TYPE });
  const postError = (err) => reportThenNext(handler, errorRequest(invocationPath(id, 'error'), err));

  let reported = false;
  const complete = (result) => {
    if (reported) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch {
      throw new Error('Unable to stringify response body');
    }
    reported = true;
    postResponse(body);
  };
  const reportError = (err) => {
    reported = true;
    logError('Invoke Error', err);
    postError(err);
  };

  let waitForEmptyLoop = true;
  const done = (err, result) => {
    beforeExitHook = null;
    if (err !== undefined && err !== null) reportError(err);
    else complete(result);
  };
  const callback = (err, result) => {
    beforeExitHook = null;
    if (err !== undefined && err !== null) reportError(err);
    else if (!waitForEmptyLoop) complete(result);
    else beforeExitHook = () => setImmediate(() => complete(result));
  };
  // only the first of callback/succeed/fail/done counts
  let finished = false;
  const once = (fn) => (...args) => {
    if (!finished) {
      fn(...args);
      finished = true;
    }
  };
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyLoop = value;
    },
    succeed: once((result) => done(null, result)),
    fail: once((err) => done(err === undefined || err === null ? 'handled' : err, null)),
    done: once(done),
  };
  const wrappedCallback = once(callback);

  // Nothing reported by the time the event loop drains: sync/callback handlers answer null, async ones fail.
  const isAsync = handler.constructor && handler.constructor.name === 'AsyncFunction';
  beforeExitHook = () => {
    reported = true;
    if (isAsync) {
      const err = new NodeJsExit('The event loop drained before the handler\'s promise settled');
      logError('Invoke Error', err);
      postError(err);
    } else {
      postResponse('null');
    }
  };

  try {
    const deadline = Number(h['lambda-runtime-deadline-ms']);
    Object.assign(context, {
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      clientContext: parseHeaderJson(h['lambda-runtime-client-context'], 'ClientContext'),
      identity: parseHeaderJson(h['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
      invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
      awsRequestId: id,
      getRemainingTimeInMillis: () => deadline - Date.now(),
    });
    const text = next.body.toString('utf8');
    const event = text.trim() === '' ? {} : JSON.parse(text); // an empty payload reaches AWS handlers as {}
    const result = handler(event, context, wrappedCallback);
    if (result && typeof result.then === 'function') {
      result.then(context.succeed, context.fail).catch(context.fail);
    }
  } catch (err) {
    wrappedCallback(err);
  }
}

async function main() {
  startEndpointRelay();
  patchConsole();
  const appRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let handler;
  try {
    handler = await loadHandler(appRoot, process.env._HANDLER || '');
  } catch (err) {
    logError('Uncaught Exception', err);
    await postInitError(err).catch(() => {});
    process.exit(129);
  }
  onNext(handler, client.request(NEXT.method, NEXT.path));
}

main().catch(fatalLoopError);

/** `Root=1-a-b;Parent=p;Sampled=s` as `00-ab-p-0s`; undefined when the header lacks a Root or Parent. */
function traceparent(xray) {
  const m = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(xray ?? '');
  const p = /Parent=([0-9a-f]{16})/.exec(xray ?? '');
  if (!m || !p) return undefined;
  return `00-${m[1]}${m[2]}-${p[1]}-${/Sampled=1/.test(xray) ? '01' : '00'}`;
}
