// Qualifier resolution and weighted alias routing, as pure functions: which version an invocation of
// `name[:qualifier]` runs. Lambda sends `weight` of an alias's traffic to its additional version.

import { invalid } from "./errors.js";
import type { Alias } from "./types.js";

export const LATEST = "$LATEST";
const VERSION_RE = /^[0-9]+$/;
const ALIAS_RE = /^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$/;

export type Qualifier =
  { kind: "latest" } | { kind: "version"; version: string } | { kind: "alias"; alias: string };

export function parseQualifier(q: string | undefined): Qualifier {
  if (q === undefined || q === "" || q === LATEST) return { kind: "latest" };
  if (VERSION_RE.test(q)) return { kind: "version", version: String(Number(q)) };
  if (ALIAS_RE.test(q)) return { kind: "alias", alias: q };
  throw invalid(`invalid qualifier '${q}': expected $LATEST, a version number or an alias name`, {
    field: "qualifier",
  });
}

export function validateAliasName(name: unknown): string {
  if (typeof name !== "string" || !ALIAS_RE.test(name)) {
    throw invalid(
      `invalid alias name '${String(name)}': 1-128 characters from a-z, A-Z, 0-9, '-' and '_', not only digits`,
      {
        field: "name",
      },
    );
  }
  return name;
}

/** Checks routing weights: at most one additional version, a weight from 0 to 1, not the primary. */
export function validateWeights(primary: string, weights: unknown): Record<string, number> | null {
  if (weights === null || weights === undefined) return null;
  if (typeof weights !== "object" || Array.isArray(weights))
    throw invalid("additionalVersionWeights must be an object of version → weight");
  const entries = Object.entries(weights as Record<string, unknown>);
  if (entries.length === 0) return null;
  if (entries.length > 1)
    throw invalid("an alias can route to at most one additional version", {
      field: "additionalVersionWeights",
    });
  const [version, weight] = entries[0] as [string, unknown];
  if (!VERSION_RE.test(version))
    throw invalid(`routing requires a published version number, not '${version}'`, {
      field: "additionalVersionWeights",
    });
  if (primary === LATEST)
    throw invalid("an alias with routing must point to a published version, not $LATEST", {
      field: "functionVersion",
    });
  if (version === primary)
    throw invalid(`the additional version ${version} must differ from the alias's version`, {
      field: "additionalVersionWeights",
    });
  if (typeof weight !== "number" || !(weight >= 0 && weight <= 1)) {
    throw invalid(`weight for version ${version} must be a number from 0.0 to 1.0`, {
      field: "additionalVersionWeights",
    });
  }
  return { [version]: weight };
}

/** The version one invocation of the alias runs; `random` is a uniform draw in [0, 1). */
export function routeAlias(
  alias: Pick<Alias, "functionVersion" | "additionalVersionWeights">,
  random: number,
): string {
  const extra = alias.additionalVersionWeights;
  if (extra !== null) {
    for (const [version, weight] of Object.entries(extra)) if (random < weight) return version;
  }
  return alias.functionVersion;
}
