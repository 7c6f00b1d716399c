// `FunctionName` in the Lambda API may be a name, a partial ARN (`123456789012:function:name`) or a
// full ARN, each optionally with `:qualifier`. Clients percent-encode it; the router has decoded it.

import { invalid } from "../../core/errors.js";

export interface ParsedFunctionName {
  name: string;
  qualifier?: string;
}

const FULL = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?$/;
const PARTIAL = /^\d{12}:function:([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?$/;
const PLAIN = /^([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?$/;

export function parseFunctionName(raw: string): ParsedFunctionName {
  const m = FULL.exec(raw) ?? PARTIAL.exec(raw) ?? PLAIN.exec(raw);
  if (m === null || (m[1] ?? "").length > 64) {
    throw invalid(
      `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  const out: ParsedFunctionName = { name: m[1] as string };
  if (m[2] !== undefined) out.qualifier = m[2];
  return out;
}
