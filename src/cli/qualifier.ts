// Function qualifiers (a version number, `$LATEST` or an alias name) as the CLI reads and shows them:
// `vajra invoke hello:live`, and alias routing weights as `2=10%`.

import { UsageError } from "./errors.js";
import type { VersionWeights } from "./parse-options.js";

export interface QualifiedName {
  name: string;
  qualifier: string | undefined;
}

/**
 * Splits `NAME:QUALIFIER` (`hello:live`, `hello:3`); a plain `NAME` has no qualifier. Function names
 * cannot contain `:`, so the first colon separates; a second one, or an empty part, is a usage error.
 */
export function splitQualifier(value: string): QualifiedName {
  const colon = value.indexOf(":");
  if (colon === -1) return { name: value, qualifier: undefined };
  const name = value.slice(0, colon);
  const qualifier = value.slice(colon + 1);
  if (name === "" || qualifier === "" || qualifier.includes(":")) {
    throw new UsageError(
      `"${value}" is not NAME or NAME:QUALIFIER (a version number, $LATEST or an alias name)`,
    );
  }
  return { name, qualifier };
}

/** The qualifier of `NAME:QUALIFIER` or `--qualifier Q`; giving both is a usage error. */
export function resolveQualifier(value: string, option: string | undefined): QualifiedName {
  const split = splitQualifier(value);
  if (option === undefined) return split;
  if (split.qualifier !== undefined) {
    throw new UsageError(`give the qualifier once: either ${value} or --qualifier ${option}`);
  }
  if (option === "" || option.includes(":")) throw new UsageError(`"${option}" is not a qualifier`);
  return { name: split.name, qualifier: option };
}

/** `{ "2": 0.1 }` as `2=10%`; several joined by commas; none as `-`. */
export function formatWeights(weights: VersionWeights | null | undefined): string {
  const entries = Object.entries(weights ?? {});
  if (entries.length === 0) return "-";
  return entries.map(([version, w]) => `${version}=${Number((w * 100).toFixed(2))}%`).join(", ");
}
