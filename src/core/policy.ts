// Resource-based policies (Lambda's AddPermission): statements that let another principal (an account,
// `*`, or a service) call an action on a function. Pure evaluation: does any statement allow it?

import { invalid } from "./errors.js";
import { functionArn } from "./lambda-format.js";
import type { PolicyStatement } from "./types.js";

export type { PolicyStatement } from "./types.js";

const ACTION_RE = /^(lambda:[A-Za-z*]+|\*)$/;
const SID_RE = /^[a-zA-Z0-9-_.]{1,100}$/;
const PRINCIPAL_RE =
  /^(\d{12}|\*|arn:aws:iam::\d{12}:(root|user\/[\w+=,.@-]+|role\/[\w+=,.@-]+)|[a-z0-9.-]+\.amazonaws\.com)$/;

export function validateStatement(s: {
  sid: unknown;
  action: unknown;
  principal: unknown;
  sourceArn?: unknown;
  sourceAccount?: unknown;
}): PolicyStatement {
  if (typeof s.sid !== "string" || !SID_RE.test(s.sid))
    throw invalid("StatementId must be 1-100 characters from a-z, A-Z, 0-9, '-', '_' and '.'", {
      field: "StatementId",
    });
  if (typeof s.action !== "string" || !ACTION_RE.test(s.action))
    throw invalid("Action must look like lambda:InvokeFunction (or lambda:*)", { field: "Action" });
  if (typeof s.principal !== "string" || !PRINCIPAL_RE.test(s.principal)) {
    throw invalid(
      "Principal must be an account id, an IAM ARN, '*' or a service principal (name.amazonaws.com)",
      { field: "Principal" },
    );
  }
  const out: PolicyStatement = { sid: s.sid, action: s.action, principal: s.principal };
  if (typeof s.sourceArn === "string") out.sourceArn = s.sourceArn;
  if (typeof s.sourceAccount === "string") out.sourceAccount = s.sourceAccount;
  return out;
}

function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:aws:iam::(\d{12}):/.exec(principal)?.[1];
}

/** True when a statement lets `account` perform `action` (e.g. "lambda:InvokeFunction"). */
export function policyAllows(
  statements: readonly PolicyStatement[],
  account: string,
  action: string,
): boolean {
  return statements.some((s) => {
    const actionOk =
      s.action === "*" || s.action === "lambda:*" || s.action.toLowerCase() === action.toLowerCase();
    const principalOk = s.principal === "*" || accountOf(s.principal) === account;
    return actionOk && principalOk;
  });
}

/** The IAM policy document GetPolicy returns. */
export function policyDocument(
  functionName: string,
  statements: readonly PolicyStatement[],
): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Id: "default",
    Statement: statements.map((s) => statementDocument(functionName, s)),
  };
}

export function statementDocument(functionName: string, s: PolicyStatement): Record<string, unknown> {
  const principal = /\.amazonaws\.com$/.test(s.principal)
    ? { Service: s.principal }
    : s.principal === "*"
      ? "*"
      : { AWS: /^\d{12}$/.test(s.principal) ? `arn:aws:iam::${s.principal}:root` : s.principal };
  const out: Record<string, unknown> = {
    Sid: s.sid,
    Effect: "Allow",
    Principal: principal,
    Action: s.action,
    Resource: functionArn(functionName),
  };
  const condition: Record<string, unknown> = {};
  if (s.sourceArn !== undefined) condition.ArnLike = { "AWS:SourceArn": s.sourceArn };
  if (s.sourceAccount !== undefined) condition.StringEquals = { "AWS:SourceAccount": s.sourceAccount };
  if (Object.keys(condition).length > 0) out.Condition = condition;
  return out;
}
