// API-Gateway-style route keys (`GET /users/{id}`, `ANY /files/{proxy+}`, `$default`) as pure
// functions: parsing with errors that name the problem, and matching a request against a route table
// with HTTP APIs' precedence (exact segments over parameters over greedy; a method over ANY).

import { invalid } from "./errors.js";

export const ROUTE_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];
export const DEFAULT_ROUTE_KEY = "$default";

export type RouteSegment =
  { kind: "literal"; value: string } | { kind: "param"; name: string } | { kind: "greedy"; name: string };

export interface ParsedRouteKey {
  /** The normalised key: `GET /users/{id}` or `$default`. */
  key: string;
  /** Undefined for `$default` (any method, any path). */
  method?: RouteMethod;
  /** The route's path (`/users/{id}`), "" for `$default`. */
  path: string;
  segments: RouteSegment[];
}

const PARAM_NAME = /^[A-Za-z0-9._-]+$/;

/** Parses `METHOD /path` or `$default`; throws InvalidParameterValue naming what is wrong. */
export function parseRouteKey(input: string): ParsedRouteKey {
  const text = input.trim();
  if (text === DEFAULT_ROUTE_KEY) return { key: DEFAULT_ROUTE_KEY, path: "", segments: [] };
  const m = /^(\S+)\s+(\S+)$/.exec(text);
  if (m === null)
    throw invalid(`routeKey must be 'METHOD /path' (e.g. 'GET /users/{id}') or '$default'; got '${input}'`);
  const method = (m[1] ?? "").toUpperCase();
  const path = m[2] ?? "";
  if (!(ROUTE_METHODS as readonly string[]).includes(method))
    throw invalid(`routeKey method must be one of ${ROUTE_METHODS.join(", ")}; got '${m[1] ?? ""}'`);
  if (!path.startsWith("/")) throw invalid(`routeKey path must start with '/'; got '${path}'`);
  const parts = path === "/" ? [] : path.slice(1).split("/");
  const segments: RouteSegment[] = [];
  const names = new Set<string>();
  parts.forEach((part, i) => {
    if (part === "") throw invalid(`routeKey path has an empty segment: '${path}'`);
    const p = /^\{([^{}]*)\}$/.exec(part);
    if (p === null) {
      if (/[{}]/.test(part))
        throw invalid(`routeKey path segment '${part}' must be a literal or a whole {parameter}`);
      segments.push({ kind: "literal", value: part });
      return;
    }
    const inner = p[1] ?? "";
    const greedy = inner.endsWith("+");
    const name = greedy ? inner.slice(0, -1) : inner;
    if (!PARAM_NAME.test(name)) throw invalid(`routeKey path parameter '${part}' has an invalid name`);
    if (names.has(name)) throw invalid(`routeKey path parameter '{${name}}' appears twice`);
    names.add(name);
    if (greedy && i !== parts.length - 1)
      throw invalid(`routeKey greedy parameter '${part}' must be the last path segment`);
    segments.push(greedy ? { kind: "greedy", name } : { kind: "param", name });
  });
  const normalised = "/" + parts.join("/");
  return { key: `${method} ${normalised}`, method: method as RouteMethod, path: normalised, segments };
}

const RANK = { literal: 0, param: 1, greedy: 2 } as const;

/** Orders route keys most specific first: what a request is matched against, in order. */
export function compareRouteKeys(a: ParsedRouteKey, b: ParsedRouteKey): number {
  const aDefault = a.method === undefined;
  const bDefault = b.method === undefined;
  if (aDefault || bDefault) return Number(aDefault) - Number(bDefault);
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const sa = a.segments[i];
    const sb = b.segments[i];
    // A longer path is more specific than one that stops here.
    if (sa === undefined || sb === undefined) return sa === undefined ? 1 : -1;
    const d = RANK[sa.kind] - RANK[sb.kind];
    if (d !== 0) return d;
  }
  return Number(a.method === "ANY") - Number(b.method === "ANY");
}

/** Path parameters when `path` (a request's raw path) matches the route, else undefined. */
export function matchRoutePath(route: ParsedRouteKey, path: string): Record<string, string> | undefined {
  if (route.method === undefined) return {};
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  const parts = trimmed === "/" || trimmed === "" ? [] : trimmed.slice(1).split("/");
  const params: Record<string, string> = {};
  const segs = route.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as RouteSegment;
    if (seg.kind === "greedy") {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.every((p) => p === "")) return undefined;
      params[seg.name] = decode(rest.join("/"));
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === "") return undefined;
    if (seg.kind === "literal") {
      if (decode(part) !== seg.value) return undefined;
    } else params[seg.name] = decode(part);
  }
  return parts.length === segs.length ? params : undefined;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A route table, sorted once; `match` is the per-request hot path. */
export class RouteMatcher<T extends { parsed: ParsedRouteKey }> {
  private readonly sorted: T[];

  constructor(routes: readonly T[]) {
    this.sorted = [...routes].sort((a, b) => compareRouteKeys(a.parsed, b.parsed));
  }

  match(method: string, path: string): { route: T; params: Record<string, string> } | undefined {
    const m = method.toUpperCase();
    for (const route of this.sorted) {
      const rm = route.parsed.method;
      if (rm !== undefined && rm !== "ANY" && rm !== m) continue;
      const params = matchRoutePath(route.parsed, path);
      if (params !== undefined) return { route, params };
    }
    return undefined;
  }
}

/** A stored HTTP route: the route key, the function (and qualifier) it invokes, and the event shape. */
export interface HttpRouteRecord {
  /** Seven lower-case letters and digits, as API Gateway route ids. */
  id: string;
  routeKey: string;
  functionName: string;
  qualifier?: string;
  payloadFormat: "1.0" | "2.0";
  /** Only NONE for now: anyone who reaches the public listener may call the route. */
  authType: "NONE";
  createdAt: number;
}
