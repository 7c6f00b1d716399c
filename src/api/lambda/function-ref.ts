// One table, derived from the AWS model, of how each operation reads the function it names: where
// `FunctionName` travels, and what a qualifier inside it (`name:prod`, an alias or version ARN) means
// for that operation. Every route gets the function's plain name and its one effective qualifier
// from resolveFunctionRef, so all operations accept the same forms AWS accepts.

import { invalid } from "../../core/errors.js";
import type { ModelTable } from "./model-table.js";
import { LAMBDA_MODEL } from "./model-table.generated.js";
import { parseFunctionName, type ParsedFunctionName } from "./function-name.js";

/**
 * - `param`: the operation also has a `Qualifier` parameter; the two must agree when both are given.
 * - `alias`: the operation names an alias in its path (`Name`); an alias ARN of that same alias is fine.
 * - `latest`: the operation applies to the function itself ($LATEST); no other qualifier.
 */
export type QualifierPolicy = "param" | "alias" | "latest";

export interface FunctionRefRule {
  /** Where FunctionName travels, and under which label / key. */
  location: "uri" | "querystring" | "body";
  key: string;
  /** The model shape of FunctionName (FunctionName, NamespacedFunctionName, UnqualifiedFunctionName...). */
  shape: string;
  policy: QualifierPolicy;
  /** The querystring key of the separate Qualifier parameter (policy `param`). */
  qualifierKey?: string;
}

export function functionRefRules(table: ModelTable): Record<string, FunctionRefRule> {
  const out: Record<string, FunctionRefRule> = {};
  for (const [op, def] of Object.entries(table.operations)) {
    const input = def.input === undefined ? undefined : table.shapes[def.input];
    const fn = input?.members?.FunctionName;
    if (input === undefined || fn === undefined) continue;
    const q = input.members?.Qualifier;
    const alias = input.members?.Name;
    const rule: FunctionRefRule = {
      location: fn.location === "uri" || fn.location === "querystring" ? fn.location : "body",
      key: fn.locationName ?? "FunctionName",
      shape: fn.shape,
      policy:
        q !== undefined ? "param" : alias?.shape === "Alias" && alias.location === "uri" ? "alias" : "latest",
    };
    if (q !== undefined) rule.qualifierKey = q.locationName ?? "Qualifier";
    out[op] = rule;
  }
  return out;
}

export const FUNCTION_REF_RULES = functionRefRules(LAMBDA_MODEL);

export interface FunctionRef {
  name: string;
  qualifier?: string;
  region?: string;
  account?: string;
}

/**
 * The function an operation names. `qualifier` is the operation's Qualifier parameter, `alias` its alias
 * Name; both as the request gave them. Throws InvalidParameter when a qualifier in the name contradicts
 * them or the operation takes none.
 */
export function resolveFunctionRef(
  operation: string,
  raw: string,
  given: { qualifier?: string; alias?: string } = {},
  rules: Record<string, FunctionRefRule> = FUNCTION_REF_RULES,
): FunctionRef {
  const parsed: ParsedFunctionName = parseFunctionName(raw);
  const out: FunctionRef = { name: parsed.name };
  if (parsed.region !== undefined) out.region = parsed.region;
  if (parsed.account !== undefined) out.account = parsed.account;
  const policy = rules[operation]?.policy ?? "latest";
  const derived = parsed.qualifier;
  if (policy === "param") {
    if (derived !== undefined && given.qualifier !== undefined && derived !== given.qualifier) {
      throw invalid("The derived qualifier from the function name does not match the specified qualifier.", {
        field: "qualifier",
      });
    }
    const q = given.qualifier ?? derived;
    if (q !== undefined) out.qualifier = q;
    return out;
  }
  if (derived === undefined || derived === "$LATEST") return out;
  if (policy === "alias") {
    if (derived === given.alias) return out;
    throw invalid(
      `The derived qualifier from the function name ('${derived}') does not match the alias name '${given.alias ?? ""}'.`,
      { field: "functionName" },
    );
  }
  throw invalid(
    `${operation} applies to the function's unpublished version ($LATEST) only; remove the qualifier ':${derived}' from the function name`,
    { field: "functionName" },
  );
}
