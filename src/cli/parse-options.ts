// Parsers for option values, shared by the commands. They throw commander's InvalidArgumentError, which
// commander reports as `error: option '--memory <MB>' argument 'x' is invalid. ...` and main maps to exit 2.

import { InvalidArgumentError } from "commander";

/** An integer within [min, max]; rejects `1.5`, `12abc` and the empty string that parseInt would accept. */
export function intOption(min: number, max: number = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer, got "${value}".`);
    const n = Number(value);
    if (n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}.` : `must be between ${min} and ${max}.`,
      );
    }
    return n;
  };
}

/** Lambda's rule for environment variable names: a letter, then letters, digits and underscores. */
const ENV_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Accumulates repeatable `--env K=V` values. The value may contain `=` and may be empty (`K=`); the name
 * must be a valid variable name. A name given twice keeps the last value, like a shell assignment.
 */
export function envOption(
  value: string,
  previous: Record<string, string> | undefined,
): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq === -1) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}" (no "=").`);
  const key = value.slice(0, eq);
  if (!ENV_NAME.test(key)) {
    throw new InvalidArgumentError(
      `"${key}" is not a valid variable name (a letter, then letters, digits or underscores).`,
    );
  }
  return { ...previous, [key]: value.slice(eq + 1) };
}

/** Reserved concurrency: a non-negative integer, or `none` to remove the reservation (sent as null). */
export function concurrencyOption(value: string): number | null {
  if (value.trim().toLowerCase() === "none") return null;
  return intOption(0)(value);
}

/** Lambda's additional version weights: `{ "2": 0.1 }` sends 10% of the alias's traffic to version 2. */
export type VersionWeights = Record<string, number>;

/**
 * `--weight VERSION=FRACTION` for an alias: a published version number and a share of the traffic, as a
 * fraction (`0.1`) or a percentage (`10%`), between 0 and 1. Only one may be given, because Lambda routes
 * an alias to at most one additional version.
 */
export function weightOption(value: string, previous: VersionWeights | false | undefined): VersionWeights {
  if (previous === false) throw new InvalidArgumentError("--weight and --no-weight cannot be combined.");
  if (previous !== undefined) {
    throw new InvalidArgumentError("only one --weight: an alias routes to one additional version.");
  }
  const eq = value.indexOf("=");
  if (eq === -1)
    throw new InvalidArgumentError(`expected VERSION=FRACTION (e.g. 2=0.1 or 2=10%), got "${value}".`);
  const version = value.slice(0, eq).trim();
  const share = value.slice(eq + 1).trim();
  if (!/^\d+$/.test(version)) {
    throw new InvalidArgumentError(`"${version}" is not a published version number (1, 2, ...).`);
  }
  const percent = share.endsWith("%");
  const digits = percent ? share.slice(0, -1).trim() : share;
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(digits)) {
    throw new InvalidArgumentError(`"${share}" is not a fraction (0.1) or a percentage (10%).`);
  }
  const weight = percent ? Number(digits) / 100 : Number(digits);
  if (weight < 0 || weight > 1) {
    throw new InvalidArgumentError(
      percent ? `${share} is not between 0% and 100%.` : `${share} is not between 0 and 1.`,
    );
  }
  return { [String(Number(version))]: weight };
}
