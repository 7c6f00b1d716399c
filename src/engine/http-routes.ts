// The HTTP route table of the public listener (`vajra route`): routes of the server's own region,
// stored in the Store and kept in memory as a sorted matcher, rebuilt on every change, so a request
// is matched without a store read.

import { randomBytes } from "node:crypto";
import { VajraError, invalid } from "../core/errors.js";
import { RouteMatcher, parseRouteKey, type HttpRouteRecord, type ParsedRouteKey } from "../core/route-key.js";
import type { Store } from "../store/store.js";

export interface RouteInput {
  routeKey?: unknown;
  function?: unknown;
  qualifier?: unknown;
  payloadFormat?: unknown;
  authType?: unknown;
}

export interface LiveRoute {
  record: HttpRouteRecord;
  parsed: ParsedRouteKey;
}

export interface HttpRoutesDeps {
  store: Store;
  /** Throws FunctionNotFound (or InvalidParameter for a bad qualifier) unless the target resolves. */
  checkTarget(name: string, qualifier: string | undefined): void;
}

const ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

function newId(): string {
  const bytes = randomBytes(7);
  return [...bytes].map((b) => ID_CHARS[b % ID_CHARS.length] ?? "a").join("");
}

function routeNotFound(ref: string): VajraError {
  return new VajraError("RouteNotFound", `no HTTP route '${ref}'`);
}

export class HttpRoutes {
  private records: HttpRouteRecord[] = [];
  private matcher = new RouteMatcher<LiveRoute>([]);

  constructor(private readonly deps: HttpRoutesDeps) {}

  /** Reads the stored routes (at start-up). */
  async load(): Promise<void> {
    this.rebuild(await this.deps.store.listRoutes());
  }

  private rebuild(records: HttpRouteRecord[]): void {
    this.records = records;
    this.matcher = new RouteMatcher(
      records.map((record) => ({ record, parsed: parseRouteKey(record.routeKey) })),
    );
  }

  list(): HttpRouteRecord[] {
    return [...this.records];
  }

  /** The route for a request, with its path parameters: the hot path (memory only). */
  match(method: string, path: string): { route: LiveRoute; params: Record<string, string> } | undefined {
    return this.matcher.match(method, path);
  }

  /** Checks every field before anything is written: a bad input changes nothing. */
  async add(input: RouteInput): Promise<HttpRouteRecord> {
    if (typeof input.routeKey !== "string" || input.routeKey.trim() === "")
      throw invalid("routeKey is required: 'METHOD /path' (e.g. 'GET /users/{id}') or '$default'");
    const parsed = parseRouteKey(input.routeKey);
    if (typeof input.function !== "string" || input.function === "")
      throw invalid("function is required: the name of the function the route invokes");
    let qualifier: string | undefined;
    if (input.qualifier !== undefined && input.qualifier !== null) {
      if (typeof input.qualifier !== "string" || input.qualifier === "")
        throw invalid("qualifier must be a version number or an alias name");
      qualifier = input.qualifier;
    }
    const format = input.payloadFormat ?? "2.0";
    if (format !== "1.0" && format !== "2.0")
      throw invalid(`payloadFormat must be 1.0 or 2.0; got ${JSON.stringify(format)}`);
    const auth =
      typeof input.authType === "string" ? input.authType.toUpperCase() : (input.authType ?? "NONE");
    if (auth !== "NONE")
      throw invalid(`authType must be NONE (the only one routes support); got ${JSON.stringify(auth)}`);
    this.deps.checkTarget(input.function, qualifier);
    const existing = this.records.find((r) => r.routeKey === parsed.key);
    if (existing !== undefined)
      throw new VajraError("AlreadyExists", `route '${parsed.key}' already exists (id ${existing.id})`);
    const record: HttpRouteRecord = {
      id: newId(),
      routeKey: parsed.key,
      functionName: input.function,
      ...(qualifier === undefined ? {} : { qualifier }),
      payloadFormat: format,
      authType: "NONE",
      createdAt: Date.now(),
    };
    if (!(await this.deps.store.addRoute(record)))
      throw new VajraError("AlreadyExists", `route '${parsed.key}' already exists`);
    await this.load();
    return record;
  }

  /** A route by id, or by its route key (`GET /users/{id}`, `$default`). */
  get(ref: string): HttpRouteRecord {
    const byId = this.records.find((r) => r.id === ref);
    if (byId !== undefined) return byId;
    let key: string;
    try {
      key = parseRouteKey(ref).key;
    } catch {
      throw routeNotFound(ref);
    }
    const byKey = this.records.find((r) => r.routeKey === key);
    if (byKey === undefined) throw routeNotFound(ref);
    return byKey;
  }

  async delete(ref: string): Promise<HttpRouteRecord> {
    const route = this.get(ref);
    await this.deps.store.deleteRoute(route.id);
    await this.load();
    return route;
  }
}
