// CloudWatch Logs filter patterns (the `filterPattern` of FilterLogEvents, `vajra logs --filter`), parsed
// once into a matcher. Pure so the API, the CLI's server side and the live stream share one reading of
// AWS's syntax: terms, "quoted phrases", -exclusions, ?optional terms, %regex% and JSON patterns such as
// `{ $.level = "ERROR" && $.latency > 100 }`. Syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html

import { FilterPatternError } from "./log-filter-error.js";
import { matchFields, parseFieldPattern, type FieldSpec } from "./log-filter-fields.js";

export { FilterPatternError };

type Term = { text: string } | { regex: RegExp };

type Value = string | number | boolean | null;
type Cmp = "=" | "!=" | "<" | "<=" | ">" | ">=";
type JsonExpr =
  | { op: "and" | "or"; left: JsonExpr; right: JsonExpr }
  | { op: "cmp"; path: PathSeg[]; cmp: Cmp; value: Value }
  | { op: "is"; path: PathSeg[]; what: "NULL" | "TRUE" | "FALSE" | "NOT EXISTS" };
type PathSeg = string | number;

export type FilterPattern =
  | { kind: "all" }
  | { kind: "terms"; required: Term[]; optional: Term[]; excluded: Term[] }
  | { kind: "json"; expr: JsonExpr }
  | { kind: "fields"; fields: FieldSpec[] };

/** Parses a filter pattern; throws FilterPatternError naming what is wrong. */
export function parseFilterPattern(pattern: string): FilterPattern {
  const text = pattern.trim();
  if (text === "" || text === '""') return { kind: "all" };
  if (text.startsWith("{")) return { kind: "json", expr: parseJsonPattern(text) };
  if (text.startsWith("[")) return { kind: "fields", fields: parseFieldPattern(text) };
  return parseTerms(text);
}

/** Plain terms of at least three characters every match must contain (for a full-text pre-filter). */
export function requiredTexts(p: FilterPattern): string[] {
  if (p.kind !== "terms") return [];
  const out: string[] = [];
  for (const t of p.required) if ("text" in t && t.text.length >= 3) out.push(t.text);
  return out;
}

export function matchesFilter(p: FilterPattern, message: string): boolean {
  switch (p.kind) {
    case "all":
      return true;
    case "terms": {
      const has = (t: Term): boolean => ("text" in t ? message.includes(t.text) : t.regex.test(message));
      if (!p.required.every(has)) return false;
      if (p.excluded.some(has)) return false;
      return p.optional.length === 0 || p.optional.some(has);
    }
    case "fields":
      return matchFields(p.fields, message);
    case "json": {
      const doc = jsonOf(message);
      return doc !== undefined && evalJson(p.expr, doc);
    }
  }
}

function parseTerms(text: string): FilterPattern {
  const required: Term[] = [];
  const optional: Term[] = [];
  const excluded: Term[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === " " || text[i] === "\t") {
      i++;
      continue;
    }
    let list = required;
    if (text[i] === "-" || text[i] === "?") {
      list = text[i] === "-" ? excluded : optional;
      i++;
    }
    const c = text[i];
    let term: Term;
    if (c === '"') {
      let s = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        s += text[i];
        i++;
      }
      if (i >= text.length)
        throw new FilterPatternError(`unterminated quoted phrase in filter pattern: ${text}`);
      i++;
      term = { text: s };
    } else if (c === "%") {
      const end = text.indexOf("%", i + 1);
      if (end < 0) throw new FilterPatternError(`unterminated %regex% in filter pattern: ${text}`);
      try {
        term = { regex: new RegExp(text.slice(i + 1, end)) };
      } catch {
        throw new FilterPatternError(
          `invalid regular expression in filter pattern: ${text.slice(i, end + 1)}`,
        );
      }
      i = end + 1;
    } else {
      let s = "";
      while (i < text.length && text[i] !== " " && text[i] !== "\t") s += text[i++];
      if (s === "") throw new FilterPatternError(`a '-' or '?' must be followed by a term: ${text}`);
      if (/["{}]/.test(s)) throw new FilterPatternError(`unexpected character in filter term '${s}'`);
      term = { text: s };
    }
    list.push(term);
  }
  return { kind: "terms", required, optional, excluded };
}

// ---- JSON patterns ----

type Tok =
  | { t: "punct"; v: "{" | "}" | "(" | ")" | "&&" | "||" }
  | { t: "cmp"; v: Cmp }
  | { t: "sel"; v: PathSeg[] }
  | { t: "str"; v: string }
  | { t: "word"; v: string };

function tokenize(text: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const bad = (why: string): FilterPatternError =>
    new FilterPatternError(`malformed JSON filter pattern (${why}): ${text}`);
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if ("{}()".includes(c)) {
      toks.push({ t: "punct", v: c as "{" });
      i++;
    } else if (text.startsWith("&&", i) || text.startsWith("||", i)) {
      toks.push({ t: "punct", v: text.slice(i, i + 2) as "&&" });
      i += 2;
    } else if (/[=!<>]/.test(c)) {
      const two = text.slice(i, i + 2);
      if (two === "!=" || two === "<=" || two === ">=") {
        toks.push({ t: "cmp", v: two });
        i += 2;
      } else if (c === "!") throw bad("'!' must be '!='");
      else {
        toks.push({ t: "cmp", v: c as Cmp });
        i++;
      }
    } else if (c === '"') {
      let s = "";
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        s += text[i++];
      }
      if (i >= text.length) throw bad("unterminated string");
      i++;
      toks.push({ t: "str", v: s });
    } else if (c === "$") {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_.\-[\]*]/.test(text[j] as string)) j++;
      toks.push({ t: "sel", v: parseSelector(text.slice(i, j), bad) });
      i = j;
    } else {
      let j = i;
      while (j < text.length && !/[\s{}()=!<>&|"]/.test(text[j] as string)) j++;
      if (j === i) throw bad(`unexpected '${c}'`);
      toks.push({ t: "word", v: text.slice(i, j) });
      i = j;
    }
  }
  return toks;
}

function parseSelector(sel: string, bad: (why: string) => FilterPatternError): PathSeg[] {
  const m = /^\$((?:\.[A-Za-z0-9_\-*]+|\[\d+\])*)$/.exec(sel);
  if (m === null || sel === "$") throw bad(`bad selector '${sel}'`);
  const segs: PathSeg[] = [];
  for (const part of (m[1] as string).matchAll(/\.([A-Za-z0-9_\-*]+)|\[(\d+)\]/g))
    segs.push(part[1] !== undefined ? part[1] : Number(part[2]));
  return segs;
}

function parseJsonPattern(text: string): JsonExpr {
  const toks = tokenize(text);
  let pos = 0;
  const bad = (why: string): FilterPatternError =>
    new FilterPatternError(`malformed JSON filter pattern (${why}): ${text}`);
  const peek = (): Tok | undefined => toks[pos];
  const punct = (v: string): boolean => {
    const t = peek();
    if (t?.t === "punct" && t.v === v) {
      pos++;
      return true;
    }
    return false;
  };
  const orExpr = (): JsonExpr => {
    let left = andExpr();
    while (punct("||")) left = { op: "or", left, right: andExpr() };
    return left;
  };
  const andExpr = (): JsonExpr => {
    let left = primary();
    while (punct("&&")) left = { op: "and", left, right: primary() };
    return left;
  };
  const primary = (): JsonExpr => {
    if (punct("(")) {
      const e = orExpr();
      if (!punct(")")) throw bad("missing ')'");
      return e;
    }
    const sel = toks[pos++];
    if (sel?.t !== "sel") throw bad("expected a $.selector");
    const next = toks[pos++];
    if (next?.t === "word" && next.v.toUpperCase() === "IS") {
      const w = toks[pos++];
      const what = w?.t === "word" ? w.v.toUpperCase() : "";
      if (what === "NULL" || what === "TRUE" || what === "FALSE") return { op: "is", path: sel.v, what };
      throw bad("IS must be followed by NULL, TRUE or FALSE");
    }
    if (next?.t === "word" && next.v.toUpperCase() === "NOT") {
      const w = toks[pos++];
      if (w?.t === "word" && w.v.toUpperCase() === "EXISTS")
        return { op: "is", path: sel.v, what: "NOT EXISTS" };
      throw bad("NOT must be followed by EXISTS");
    }
    if (next?.t !== "cmp") throw bad("expected a comparison operator after the selector");
    const v = toks[pos++];
    let value: Value;
    if (v?.t === "str") value = v.v;
    else if (v?.t === "word") {
      const n = Number(v.v);
      value = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v.v) && Number.isFinite(n) ? n : v.v;
    } else throw bad("expected a value after the operator");
    if (typeof value === "string" && next.v !== "=" && next.v !== "!=")
      throw bad(`'${next.v}' compares numbers only`);
    return { op: "cmp", path: sel.v, cmp: next.v, value };
  };
  if (!punct("{")) throw bad("must start with '{'");
  const expr = orExpr();
  if (!punct("}")) throw bad("missing '}'");
  if (pos !== toks.length) throw bad("text after '}'");
  return expr;
}

/** The JSON document in a log line: the whole line, or the message after a runtime's tab prefix. */
function jsonOf(message: string): unknown {
  const text = message.trim();
  const start = text.startsWith("{") ? 0 : text.lastIndexOf("\t{") + 1;
  if (start < 0 || text[start] !== "{") return undefined;
  try {
    return JSON.parse(text.slice(start)) as unknown;
  } catch {
    return undefined;
  }
}

const MISSING = Symbol("missing");

function select(doc: unknown, path: PathSeg[]): unknown {
  let cur: unknown = doc;
  for (const seg of path) {
    if (typeof seg === "number") {
      if (!Array.isArray(cur) || seg >= cur.length) return MISSING;
      cur = cur[seg] as unknown;
    } else {
      if (typeof cur !== "object" || cur === null || Array.isArray(cur) || !(seg in cur)) return MISSING;
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

function evalJson(e: JsonExpr, doc: unknown): boolean {
  switch (e.op) {
    case "and":
      return evalJson(e.left, doc) && evalJson(e.right, doc);
    case "or":
      return evalJson(e.left, doc) || evalJson(e.right, doc);
    case "is": {
      const v = select(doc, e.path);
      if (e.what === "NOT EXISTS") return v === MISSING;
      if (e.what === "NULL") return v === null;
      return v === (e.what === "TRUE");
    }
    case "cmp": {
      const v = select(doc, e.path);
      if (v === MISSING) return false;
      if (typeof e.value === "number") {
        const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
        if (Number.isNaN(n)) return false;
        switch (e.cmp) {
          case "=":
            return n === e.value;
          case "!=":
            return n !== e.value;
          case "<":
            return n < e.value;
          case "<=":
            return n <= e.value;
          case ">":
            return n > e.value;
          case ">=":
            return n >= e.value;
        }
      }
      // Objects and arrays compare as their JSON text; numbers and booleans as theirs.
      const s = typeof v === "string" ? v : JSON.stringify(v);
      const eq = wildcard(String(e.value)).test(s);
      return e.cmp === "=" ? eq : !eq;
    }
  }
}
