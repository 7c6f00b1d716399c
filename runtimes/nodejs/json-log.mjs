// The JSON form of console output when a function's LoggingConfig is JSON (AWS_LAMBDA_LOG_FORMAT=JSON):
// one object per call, {"timestamp","level","requestId","message"}, with errors as errorType /
// errorMessage / stackTrace, the records AWS's Node.js runtime writes. Kept apart from bootstrap.mjs.

import util from 'node:util';

/** An Error as Lambda serializes it: its type, message, stack lines and any own fields. */
function errorFields(err) {
  const out = {
    errorType: err?.constructor?.name ?? 'UnknownError',
    errorMessage: err.message,
    stackTrace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
  };
  for (const key of Object.getOwnPropertyNames(err)) {
    if (key !== 'stack' && key !== 'message' && !(key in out)) out[key] = err[key];
  }
  return out;
}

// Errors nested anywhere in a logged object are written as their fields, not as "{}".
const replacer = (_key, value) => (value instanceof Error ? errorFields(value) : value);

/**
 * One JSON line (with its newline) for a console call. A single argument is kept as structured JSON
 * (objects stay objects); several are formatted like util.format, and the first Error among them lends
 * its fields to the record.
 */
export function jsonLogLine(level, requestId, args) {
  const record = { timestamp: new Date().toISOString(), level, requestId };
  if (args.length === 1) {
    record.message = args[0];
    try {
      return JSON.stringify(record, replacer) + '\n';
    } catch {
      // Cycles or BigInts: fall back to the text form of the message.
      record.message = util.format(args[0]);
      return JSON.stringify(record) + '\n';
    }
  }
  record.message = util.format(...args);
  const err = args.find((a) => a instanceof Error);
  if (err !== undefined) Object.assign(record, errorFields(err));
  return JSON.stringify(record, replacer) + '\n';
}
