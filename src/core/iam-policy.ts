// IAM identity-based policy documents for execution roles: parsed and checked once (an unsupported
// element such as Condition is a clear error, never silently ignored) and evaluated per request as IAM
// does: an explicit Deny wins, then any Allow, else the default deny.
// Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html

import { invalid } from "./errors.js";

export interface PolicyStatement {
  sid?: string;
  effect: "Allow" | "Deny";
  /** Exactly one of actions / notActions is set. */
  actions?: string[];
  notActions?: string[];
  resources: string[];
}
export interface PolicyDocument {
  version: string;
  statements: PolicyStatement[];
}
export type PolicyDecision = "allow" | "explicit-deny" | "implicit-deny";

const VERSIONS = ["2012-10-17", "2008-10-17"];
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource"]);
const MAX_POLICY_CHARS = 10_240; // IAM's managed-policy size limit

function stringList(v: unknown, field: string): string[] {
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === "string" && s !== ""))
    throw invalid(`${field} must be a non-empty string or list of strings`, { field });
  return list as string[];
}

function checkAction(a: string, field: string): void {
  if (a !== "*" && !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(a))
    throw invalid(`${field} '${a}' is not an action such as lambda:InvokeFunction or lambda:*`, { field });
}

/** Parses an IAM JSON policy document (text or parsed JSON); throws InvalidParameter naming the element. */
export function parsePolicy(doc: unknown): PolicyDocument {
  let raw = doc;
  if (typeof doc === "string") {
    if (doc.length > MAX_POLICY_CHARS)
      throw invalid(`policy document is longer than ${MAX_POLICY_CHARS} characters`, { field: "policy" });
    try {
      raw = JSON.parse(doc);
    } catch (err) {
      throw invalid(`policy document is not JSON: ${(err as Error).message}`, { field: "policy" });
    }
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw invalid("policy document must be a JSON object with Version and Statement", { field: "policy" });
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== "Version" && k !== "Statement" && k !== "Id")
      throw invalid(`policy element '${k}' is not supported (Version, Id, Statement)`, { field: k });
  }
  const version = o.Version ?? "2012-10-17";
  if (typeof version !== "string" || !VERSIONS.includes(version))
    throw invalid(`Version must be one of ${VERSIONS.join(", ")}`, { field: "Version" });
  const stmts = Array.isArray(o.Statement) ? (o.Statement as unknown[]) : [o.Statement];
  if (o.Statement === undefined || stmts.length === 0)
    throw invalid("Statement must be a statement or a non-empty list of statements", { field: "Statement" });
  return { version, statements: stmts.map((s, i) => parseStatement(s, `Statement[${i}]`)) };
}

function parseStatement(s: unknown, at: string): PolicyStatement {
  if (typeof s !== "object" || s === null || Array.isArray(s))
    throw invalid(`${at} must be an object`, { field: at });
  const o = s as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!STATEMENT_KEYS.has(k))
      throw invalid(
        `${at}.${k} is not supported: a statement has Sid, Effect, Action or NotAction, and Resource`,
        { field: `${at}.${k}` },
      );
  }
  if (o.Effect !== "Allow" && o.Effect !== "Deny")
    throw invalid(`${at}.Effect must be Allow or Deny`, { field: `${at}.Effect` });
  if ((o.Action === undefined) === (o.NotAction === undefined))
    throw invalid(`${at} must have exactly one of Action and NotAction`, { field: `${at}.Action` });
  if (o.Resource === undefined)
    throw invalid(`${at}.Resource is required (NotResource is not supported)`, { field: `${at}.Resource` });
  const out: PolicyStatement = { effect: o.Effect, resources: stringList(o.Resource, `${at}.Resource`) };
  if (o.Sid !== undefined) {
    if (typeof o.Sid !== "string" || !/^[a-zA-Z0-9]*$/.test(o.Sid))
      throw invalid(`${at}.Sid must be alphanumeric`, { field: `${at}.Sid` });
    out.sid = o.Sid;
  }
  const key = o.Action !== undefined ? "Action" : "NotAction";
  const list = stringList(o[key], `${at}.${key}`);
  for (const a of list) checkAction(a, `${at}.${key}`);
  if (key === "Action") out.actions = list;
  else out.notActions = list;
  return out;
}

/** Back to IAM's JSON shape (what `vajra role show` and the API print). */
export function policyJson(p: PolicyDocument): Record<string, unknown> {
  return {
    Version: p.version,
    Statement: p.statements.map((s) => ({
      ...(s.sid === undefined ? {} : { Sid: s.sid }),
      Effect: s.effect,
      ...(s.actions === undefined ? { NotAction: s.notActions } : { Action: s.actions }),
      Resource: s.resources,
    })),
  };
}

const globCache = new Map<string, RegExp>();

/**
 * IAM's wildcard match: `*` any run of characters (across `:` and `/` too), `?` one character.
 * Actions compare case-insensitively, resources case-sensitively.
 */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const key = `${ignoreCase ? "i" : "s"}${pattern}`;
  let re = globCache.get(key);
  if (re === undefined) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, ignoreCase ? "is" : "s");
    if (globCache.size < 10_000) globCache.set(key, re);
  }
  return re.test(value);
}

function statementMatches(s: PolicyStatement, action: string, resource: string): boolean {
  const actionHit =
    s.actions !== undefined
      ? s.actions.some((a) => wildcardMatch(a, action, true))
      : !(s.notActions ?? []).some((a) => wildcardMatch(a, action, true));
  return actionHit && s.resources.some((r) => wildcardMatch(r, resource));
}

/** IAM's evaluation of one identity-based policy for one action on one resource. */
export function evaluatePolicy(
  p: PolicyDocument | undefined,
  action: string,
  resource: string,
): PolicyDecision {
  let allowed = false;
  for (const s of p?.statements ?? []) {
    if (!statementMatches(s, action, resource)) continue;
    if (s.effect === "Deny") return "explicit-deny";
    allowed = true;
  }
  return allowed ? "allow" : "implicit-deny";
}

/** The policy `vajra role create --allow … --deny … --resource …` builds. */
export function simplePolicy(allow: string[], deny: string[], resources: string[]): PolicyDocument {
  const resource = resources.length === 0 ? ["*"] : resources;
  const doc = {
    Version: "2012-10-17",
    Statement: [
      ...(allow.length === 0 ? [] : [{ Effect: "Allow", Action: allow, Resource: resource }]),
      ...(deny.length === 0 ? [] : [{ Effect: "Deny", Action: deny, Resource: resource }]),
    ],
  };
  if (doc.Statement.length === 0)
    throw invalid("a role needs --allow or --deny actions, or a --policy document", { field: "allow" });
  return parsePolicy(doc);
}
