// Space-delimited CloudWatch Logs filter patterns: `[ip, user, ..., status = 4* || status = 5*, bytes > 1000]`.
// A log line is cut into fields at spaces, a field in "double quotes" or [brackets] being one field;
// the pattern names the fields in order, `...` stands for any number of fields, and a field may carry
// conditions on itself (=, != with * wildcards; <, <=, >, >= on numbers) joined by && and ||.
// Without `...` the line must have exactly as many fields as the pattern.

import { FilterPatternError } from "./log-filter-error.js";

type Cmp = "=" | "!=" | "<" | "<=" | ">" | ">=";
type Cond = { op: "and" | "or"; left: Cond; right: Cond } | { op: "cmp"; cmp: Cmp; value: string };
export type FieldSpec = { kind: "any" } | { kind: "field"; name: string; cond?: Cond };

/** The most fields a pattern may name: a bound on the matcher's backtracking. */
const MAX_FIELDS = 100;

function bad(why: string): FilterPatternError {
  return new FilterPatternError(`malformed space-delimited filter pattern: ${why}`);
}

/** Splits at top-level commas (not inside quotes). */
function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    if (ch === '"') quoted = !quoted;
    if (!quoted && text.startsWith(sep, i)) {
      out.push(cur);
      cur = "";
      i += sep.length - 1;
      continue;
    }
    cur += ch;
  }
  if (quoted) throw bad("a double quote is not closed");
  out.push(cur);
  return out;
}

function parseCmp(text: string, field: string): Cond {
  const m = /^\s*([A-Za-z_][\w.-]*)\s*(!=|<=|>=|=|<|>)\s*(.*?)\s*$/.exec(text);
  if (m === null) throw bad(`'${text.trim()}' is not a condition such as ${field} = value`);
  const [, name = "", cmp = "=", raw = ""] = m;
  if (name !== field)
    throw bad(`the condition '${text.trim()}' names ${name} in the place of field ${field}`);
  if (raw === "") throw bad(`the condition on ${field} has no value`);
  const value = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw;
  if (cmp !== "=" && cmp !== "!=" && !Number.isFinite(Number(value)))
    throw bad(`${field} ${cmp} needs a number, got '${raw}'`);
  return { op: "cmp", cmp: cmp as Cmp, value };
}

function parseCond(text: string, field: string): Cond {
  const ors = splitTop(text, "||").map((part) =>
    splitTop(part, "&&")
      .map((c) => parseCmp(c, field))
      .reduce((left, right): Cond => ({ op: "and", left, right })),
  );
  return ors.reduce((left, right): Cond => ({ op: "or", left, right }));
}

/** Parses `[a, b = x, ...]`; throws FilterPatternError naming what is wrong. */
export function parseFieldPattern(text: string): FieldSpec[] {
  if (!text.endsWith("]")) throw bad("it must end with ]");
  const body = text.slice(1, -1).trim();
  if (body === "") throw bad("it names no field");
  const specs = splitTop(body, ",").map((raw): FieldSpec => {
    const t = raw.trim();
    if (t === "...") return { kind: "any" };
    const name = /^[A-Za-z_][\w.-]*/.exec(t)?.[0];
    if (name === undefined) throw bad(`'${t}' is not a field name`);
    const rest = t.slice(name.length).trim();
    return rest === "" ? { kind: "field", name } : { kind: "field", name, cond: parseCond(t, name) };
  });
  if (specs.length > MAX_FIELDS) throw bad(`it names more than ${MAX_FIELDS} fields`);
  return specs;
}

/** The line's fields: split at spaces; "quoted" and [bracketed] runs are one field, without their marks. */
export function splitFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    const close = ch === '"' ? '"' : ch === "[" ? "]" : undefined;
    if (close !== undefined) {
      const end = line.indexOf(close, i + 1);
      if (end > i) {
        out.push(line.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let j = i;
    while (j < line.length && !" \t\n\r".includes(line[j] ?? " ")) j++;
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

function wildcardMatch(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return re.test(value);
}

function holds(c: Cond, value: string): boolean {
  if (c.op !== "cmp")
    return c.op === "and"
      ? holds(c.left, value) && holds(c.right, value)
      : holds(c.left, value) || holds(c.right, value);
  const want = Number(c.value);
  const n = value.trim() === "" ? NaN : Number(value);
  switch (c.cmp) {
    case "=":
      return Number.isFinite(want) && Number.isFinite(n) ? n === want : wildcardMatch(c.value, value);
    case "!=":
      return Number.isFinite(want) && Number.isFinite(n) ? n !== want : !wildcardMatch(c.value, value);
    case "<":
      return n < want;
    case "<=":
      return n <= want;
    case ">":
      return n > want;
    case ">=":
      return n >= want;
  }
}

/** Whether the line's fields fit the pattern (`...` matching any number of fields). */
export function matchFields(specs: readonly FieldSpec[], line: string): boolean {
  const fields = splitFields(line);
  // fits[i][j]: specs from i match fields from j. Filled from the end: O(specs × fields).
  let next: boolean[] = fields.map(() => false).concat(true);
  for (let i = specs.length - 1; i >= 0; i--) {
    const spec = specs[i] as FieldSpec;
    const cur = new Array<boolean>(fields.length + 1).fill(false);
    for (let j = fields.length; j >= 0; j--) {
      if (spec.kind === "any") cur[j] = (next[j] ?? false) || (j < fields.length && (cur[j + 1] ?? false));
      else
        cur[j] =
          j < fields.length &&
          (next[j + 1] ?? false) &&
          (spec.cond === undefined || holds(spec.cond, fields[j] ?? ""));
    }
    next = cur;
  }
  return next[0] ?? false;
}
