// AWS's event filter pattern language (Lambda FilterCriteria, EventBridge patterns) for event source
// mappings: exact values, prefix, suffix, equals-ignore-case, anything-but, numeric ranges, exists and
// $or. Patterns are checked when a mapping is saved, so a bad one is an error naming the field.

import { invalid } from "./errors.js";

export type FilterPattern = { [key: string]: unknown };

const NUMERIC_OPS = new Set(["<", "<=", "=", ">", ">="]);

function fail(field: string, why: string): never {
  throw invalid(`${field}: ${why}`);
}

function checkLeaf(rule: unknown, field: string): void {
  if (rule === null || ["string", "number", "boolean"].includes(typeof rule)) return;
  if (typeof rule !== "object" || Array.isArray(rule))
    fail(field, `${JSON.stringify(rule)} is not a filter value`);
  const entries = Object.entries(rule as Record<string, unknown>);
  if (entries.length !== 1) fail(field, `${JSON.stringify(rule)} must have exactly one operator`);
  const [op, arg] = entries[0] as [string, unknown];
  switch (op) {
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
      if (typeof arg !== "string") fail(field, `${op} takes a string`);
      return;
    case "exists":
      if (typeof arg !== "boolean") fail(field, "exists takes true or false");
      return;
    case "anything-but": {
      const ok =
        ["string", "number"].includes(typeof arg) ||
        (Array.isArray(arg) && arg.every((x) => ["string", "number"].includes(typeof x))) ||
        (typeof arg === "object" && arg !== null && typeof (arg as { prefix?: unknown }).prefix === "string");
      if (!ok) fail(field, 'anything-but takes a value, a list of values or {"prefix": "…"}');
      return;
    }
    case "numeric": {
      const a = arg as unknown[];
      if (!Array.isArray(a) || (a.length !== 2 && a.length !== 4))
        fail(field, "numeric takes [op, n] or [op, n, op, n]");
      for (let i = 0; i < a.length; i += 2)
        if (!NUMERIC_OPS.has(a[i] as string) || typeof a[i + 1] !== "number")
          fail(
            field,
            `numeric: ${JSON.stringify(a)} needs operators from < <= = > >= each followed by a number`,
          );
      return;
    }
    default:
      fail(field, `unknown filter operator ${JSON.stringify(op)}`);
  }
}

function checkPattern(p: unknown, field: string): void {
  if (typeof p !== "object" || p === null || Array.isArray(p)) fail(field, "a pattern must be a JSON object");
  for (const [k, v] of Object.entries(p as Record<string, unknown>)) {
    if (k === "$or") {
      if (!Array.isArray(v) || v.length < 2) fail(field, "$or takes a list of at least two patterns");
      for (const sub of v) checkPattern(sub, field);
    } else if (Array.isArray(v)) {
      if (v.length === 0) fail(field, `the values of ${JSON.stringify(k)} may not be an empty list`);
      for (const rule of v) checkLeaf(rule, field);
    } else if (typeof v === "object" && v !== null) checkPattern(v, field);
    else fail(field, `the value of ${JSON.stringify(k)} must be a list or an object`);
  }
}

/** Parses and checks one pattern (a JSON text); `field` names it in errors. */
export function parseFilterPattern(text: string, field = "FilterCriteria.Filters[].Pattern"): FilterPattern {
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    fail(field, `${JSON.stringify(text)} is not JSON`);
  }
  checkPattern(p, field);
  return p as FilterPattern;
}

function leafMatches(rule: unknown, present: boolean, values: unknown[]): boolean {
  if (rule === null || typeof rule !== "object") return present && values.some((x) => x === rule);
  const [op, arg] = Object.entries(rule as Record<string, unknown>)[0] as [string, unknown];
  const strings = values.filter((x): x is string => typeof x === "string");
  switch (op) {
    case "exists":
      return present === arg;
    case "prefix":
      return strings.some((x) => x.startsWith(arg as string));
    case "suffix":
      return strings.some((x) => x.endsWith(arg as string));
    case "equals-ignore-case":
      return strings.some((x) => x.toLowerCase() === (arg as string).toLowerCase());
    case "anything-but": {
      if (!present) return false;
      if (typeof arg === "object" && arg !== null && !Array.isArray(arg)) {
        const pre = (arg as { prefix: string }).prefix;
        return values.every((x) => typeof x !== "string" || !x.startsWith(pre));
      }
      const list = Array.isArray(arg) ? (arg as unknown[]) : [arg];
      return values.every((x) => !list.includes(x));
    }
    case "numeric": {
      const a = arg as [string, number, string?, number?];
      return values.some((x) => {
        if (typeof x !== "number") return false;
        for (let i = 0; i < a.length; i += 2) {
          const n = a[i + 1] as number;
          const ok = { "<": x < n, "<=": x <= n, "=": x === n, ">": x > n, ">=": x >= n }[a[i] as string];
          if (ok !== true) return false;
        }
        return true;
      });
    }
    default:
      return false;
  }
}

/** Whether `value` matches the (checked) pattern. */
export function matchesPattern(pattern: FilterPattern, value: unknown): boolean {
  const obj =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  for (const [k, rule] of Object.entries(pattern)) {
    if (k === "$or") {
      if (!(rule as FilterPattern[]).some((p) => matchesPattern(p, value))) return false;
      continue;
    }
    const present = Object.prototype.hasOwnProperty.call(obj, k);
    const v = obj[k];
    if (Array.isArray(rule)) {
      const values = Array.isArray(v) ? (v as unknown[]) : [v];
      if (!rule.some((r) => leafMatches(r, present, values))) return false;
    } else if (!matchesPattern(rule as FilterPattern, v)) return false;
  }
  return true;
}
