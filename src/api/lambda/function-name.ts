// `FunctionName` in the Lambda API may be a name, a partial ARN (`123456789012:function:name`) or a
// full ARN, each optionally with `:qualifier`, in every combination the AWS model's FunctionName and
// NamespacedFunctionName patterns allow (which of them an operation takes is checked against its own
// shape by validate.ts first). Clients percent-encode it; the router has decoded it.

import { invalid } from "../../core/errors.js";

export interface ParsedFunctionName {
  name: string;
  qualifier?: string;
  /** The region and account when the caller gave an ARN (full or partial). */
  region?: string;
  account?: string;
}

const REGION = "(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d";
const FORMS = new RegExp(
  `^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:(${REGION}):)?(?:(\\d{12}):)?(?:function:)?` +
    `([a-zA-Z0-9_.-]+)(?::(\\$LATEST(?:\\.PUBLISHED)?|[a-zA-Z0-9_-]+))?$`,
);

/** Lambda function names are at most 64 characters, whatever form carries them. */
const MAX_NAME = 64;

export function parseFunctionName(raw: string): ParsedFunctionName {
  const m = FORMS.exec(raw);
  if (m === null || (m[3] ?? "").length > MAX_NAME) {
    throw invalid(
      `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  const out: ParsedFunctionName = { name: m[3] as string };
  if (m[4] !== undefined) out.qualifier = m[4];
  if (m[1] !== undefined) out.region = m[1];
  if (m[2] !== undefined) out.account = m[2];
  return out;
}
