// Session credentials (a function's role credentials: ASIA keys with X-Amz-Security-Token) at the API
// edge: the SigV4 key lookup that accepts them only with a valid token, and the Lambda API's per-
// operation check of the role's policy, with AWS's error types and messages. The engine decides what
// a token means (Platform.checkSession); this file only translates.

import type { FastifyRequest } from "fastify";
import { evaluatePolicy } from "../core/iam-policy.js";
import { partitionOf } from "../core/arn-scope.js";
import { functionArn } from "../core/lambda-format.js";
import type { Platform, SessionLookup } from "../engine/platform.js";
import { FUNCTION_REF_RULES, resolveFunctionRef } from "./lambda/function-ref.js";
import type { SigV4Credentials } from "./sigv4.js";

export type CheckedSession = Extract<SessionLookup, { ok: true }>;

/** The session token, from the header or (presigned URLs) the query string. */
export function securityToken(req: FastifyRequest): string | undefined {
  const h = req.headers["x-amz-security-token"];
  if (typeof h === "string") return h;
  const q = req.url.indexOf("?");
  if (q < 0) return undefined;
  return new URLSearchParams(req.url.slice(q + 1)).get("X-Amz-Security-Token") ?? undefined;
}

/**
 * A SigV4 key lookup for routes that accept session credentials: ASIA keys are looked up through the
 * platform (only with a valid, unexpired, unrevoked token); other keys through `lookupKey`. `checked()`
 * then tells what the session lookup found (undefined for other keys).
 */
export function sessionAwareLookup(
  platform: Platform,
  lookupKey: (accessKeyId: string) => SigV4Credentials | undefined,
  /** Read only for ASIA keys, so requests signed with account keys pay nothing. */
  token: () => string | undefined,
): {
  lookup: (accessKeyId: string) => SigV4Credentials | undefined;
  checked: () => SessionLookup | undefined;
} {
  let result: SessionLookup | undefined;
  return {
    lookup: (accessKeyId) => {
      if (!accessKeyId.startsWith("ASIA")) return lookupKey(accessKeyId);
      result = platform.checkSession(accessKeyId, token());
      return result.ok ? { accessKeyId, secretAccessKey: result.secretAccessKey } : undefined;
    },
    checked: () => result,
  };
}

export const EXPIRED_TOKEN_MESSAGE = "The security token included in the request is expired";

/** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION`, as the function's caller identity. */
export function assumedRoleArn(s: CheckedSession, region: string): string {
  const roleName = s.session.roleArn.split("/").pop() ?? "";
  return `arn:${partitionOf(region)}:sts::${s.session.account}:assumed-role/${roleName}/${s.session.functionName}`;
}

/** The IAM action of a Lambda operation (AWS's "Actions defined by AWS Lambda"). */
export function lambdaAction(operation: string): string {
  if (operation === "Invoke" || operation === "InvokeWithResponseStream") return "lambda:InvokeFunction";
  if (operation === "GetLayerVersionByArn") return "lambda:GetLayerVersion";
  return `lambda:${operation}`;
}

/** The resource an operation acts on: the function ARN (qualified when a qualifier is given) or `*`. */
function resourceOf(req: FastifyRequest, operation: string, region: string): string {
  const rule = FUNCTION_REF_RULES[operation];
  if (rule === undefined) return "*";
  let name: string | undefined;
  if (rule.location === "uri") name = (req.params as { fn?: string }).fn;
  else {
    try {
      const body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "{}") as unknown;
      const raw = (body as Record<string, unknown> | null)?.[rule.key];
      if (typeof raw === "string") name = resolveFunctionRef(operation, raw).name;
    } catch {
      name = undefined;
    }
  }
  if (name === undefined) return "*";
  const query = (req.query ?? {}) as Record<string, unknown>;
  const q = rule.qualifierKey === undefined ? undefined : query[rule.qualifierKey];
  return functionArn(name, typeof q === "string" ? q : undefined, region);
}

/** Undefined when the role's policy allows the operation, else AWS's AccessDeniedException message. */
export function denialOf(
  req: FastifyRequest,
  s: CheckedSession,
  operation: string,
  region: string,
): string | undefined {
  const action = lambdaAction(operation);
  const resource = resourceOf(req, operation, region);
  const decision = evaluatePolicy(s.role?.policy, action, resource);
  if (decision === "allow") return undefined;
  const why =
    decision === "explicit-deny"
      ? "with an explicit deny in an identity-based policy"
      : `because no identity-based policy allows the ${action} action`;
  return `User: ${assumedRoleArn(s, region)} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}
