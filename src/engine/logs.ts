// Searchable and live function logs: queries over the store's log events (time range, filter pattern,
// request id, errors, version or alias) and an in-process pub/sub that pushes events the record writer
// has just written to followers (`vajra logs --follow`, the SSE stream). Behaviour for the native API,
// the CLI and the CloudWatch Logs API alike.

import { logEventsOf, type LogEvent } from "../core/log-events.js";
import {
  FilterPatternError,
  matchesFilter,
  parseFilterPattern,
  requiredTexts,
  type FilterPattern,
} from "../core/log-filter.js";
import { invalid } from "../core/errors.js";
import type { InvocationRecord } from "../core/types.js";
import type { LogQuery, LogStore } from "../store/log-store.js";

/** Days a function's events are kept unless it says otherwise (as a new CloudWatch group: never, here 30). */
export const DEFAULT_LOG_RETENTION_DAYS = 30;
/** The retention values CloudWatch Logs accepts. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
/** Events a search reads from the store per round, and at most in all (then it stops with a cursor). */
const PAGE = 500;
const MAX_SCANNED = 50_000;

/** The record with the instance that ran it (which names its log stream), when known. */
export function withInstance(
  record: InvocationRecord,
  instance: { id: string; startedAt: number } | undefined,
): InvocationRecord {
  if (instance !== undefined) {
    record.instanceId = instance.id;
    record.instanceStartedAt = instance.startedAt;
  }
  return record;
}

export interface LogSearch {
  since?: number;
  until?: number;
  filterPattern?: string;
  requestId?: string;
  errorsOnly?: boolean;
  version?: string;
  alias?: string;
  streams?: string[];
  streamPrefix?: string;
  limit: number;
  /** Newest `limit` events (the default) or oldest `limit` from `since`. */
  fromHead?: boolean;
  /** Continue after this event (as the previous page's last). */
  after?: { timestamp: number; id: number };
}

export interface LogSearchResult {
  /** Oldest first. */
  events: LogEvent[];
  /** Where a search that stopped early (limit or scan bound) continues; undefined when it is complete. */
  next?: { timestamp: number; id: number };
}

/** Parses a filter pattern, turning a malformed one into InvalidParameter naming the field. */
export function checkedPattern(pattern: string | undefined, field = "filterPattern"): FilterPattern {
  try {
    return parseFilterPattern(pattern ?? "");
  } catch (err) {
    if (err instanceof FilterPatternError) throw invalid(`${field}: ${err.message}`, { field });
    throw err;
  }
}

export function checkRange(since: number | undefined, until: number | undefined): void {
  if (since !== undefined && until !== undefined && since > until)
    throw invalid(
      `the time range is inverted: since (${new Date(since).toISOString()}) is after until (${new Date(until).toISOString()})`,
      { field: "since" },
    );
}

export interface Follower {
  /** Events not yet taken, oldest first; at most `maxBuffered` (older ones are dropped and counted). */
  take(): LogEvent[];
  dropped: number;
  close(): void;
}

interface Subscriber {
  region: string;
  functionName: string;
  accept(e: LogEvent): boolean;
  buffer: LogEvent[];
  max: number;
  follower: Follower;
  wake(): void;
}

/** Fan-out of freshly written invocation records to followers; records are cut only when followed. */
export class LogBus {
  private readonly subs = new Set<Subscriber>();

  publish(region: string, records: readonly InvocationRecord[]): void {
    if (this.subs.size === 0) return;
    for (const r of records) {
      let events: LogEvent[] | undefined;
      for (const s of this.subs) {
        if (s.region !== region || s.functionName !== r.functionName) continue;
        events ??= logEventsOf(r);
        let added = false;
        for (const e of events) {
          if (!s.accept(e)) continue;
          s.buffer.push(e);
          added = true;
        }
        // Bounded: a follower that does not keep up loses its oldest events, never the server memory.
        if (s.buffer.length > s.max) {
          s.follower.dropped += s.buffer.length - s.max;
          s.buffer.splice(0, s.buffer.length - s.max);
        }
        if (added) s.wake();
      }
    }
  }

  subscribe(
    region: string,
    functionName: string,
    accept: (e: LogEvent) => boolean,
    wake: () => void,
    maxBuffered = 1000,
  ): Follower {
    const sub: Subscriber = {
      region,
      functionName,
      accept,
      buffer: [],
      max: maxBuffered,
      wake,
      follower: {
        dropped: 0,
        take: () => sub.buffer.splice(0),
        close: () => this.subs.delete(sub),
      },
    };
    this.subs.add(sub);
    return sub.follower;
  }

  get followers(): number {
    return this.subs.size;
  }
}

export interface FunctionLogsDeps {
  region: string;
  store: LogStore;
  bus: LogBus;
  /** Writes buffered records so a search sees the latest invocations. */
  flush(): Promise<void>;
  /** Throws FunctionNotFound for an unknown function. */
  checkFunction(name: string): void;
  /** The version an alias points to (throws for an unknown alias). */
  aliasVersion(name: string, alias: string): string;
  /** The region's functions (each has a log group, events or not). */
  listFunctions(): Array<{ name: string; createdAt: string }>;
}

/** A function's log group as CloudWatch Logs describes it. */
export interface LogGroupView {
  functionName: string;
  createdAt: number;
  /** null = never expire. */
  retentionDays: number | null;
  storedBytes: number;
}

/** A region's function logs. */
export class FunctionLogs {
  constructor(private readonly deps: FunctionLogsDeps) {}

  get store(): LogStore {
    return this.deps.store;
  }

  private versionOf(name: string, s: { version?: string; alias?: string }): string | undefined {
    if (s.version !== undefined && s.alias !== undefined)
      throw invalid("pass a version or an alias, not both", { field: "alias" });
    return s.alias !== undefined ? this.deps.aliasVersion(name, s.alias) : s.version;
  }

  /** Matching events of a function (which must exist: the native API's view). */
  async search(name: string, s: LogSearch): Promise<LogSearchResult> {
    this.deps.checkFunction(name);
    return this.searchGroup(name, s);
  }

  /** Matching events of a log group, existing function or not (CloudWatch keeps groups of deleted ones). */
  async searchGroup(name: string, s: LogSearch): Promise<LogSearchResult> {
    checkRange(s.since, s.until);
    const pattern = checkedPattern(s.filterPattern);
    const version = this.versionOf(name, s);
    await this.deps.flush();
    const q: LogQuery = { functionName: name, limit: PAGE, descending: s.fromHead !== true };
    if (version !== undefined) q.version = version;
    if (s.since !== undefined) q.start = s.since;
    if (s.until !== undefined) q.end = s.until;
    if (s.requestId !== undefined) q.requestId = s.requestId;
    if (s.errorsOnly === true) q.errorsOnly = true;
    if (s.streams !== undefined) q.streams = s.streams;
    if (s.streamPrefix !== undefined) q.streamPrefix = s.streamPrefix;
    const contains = requiredTexts(pattern);
    if (contains.length > 0) q.contains = contains;
    if (s.after !== undefined) q.after = s.after;
    const out: LogEvent[] = [];
    let scanned = 0;
    for (;;) {
      const page = await this.deps.store.queryEvents(q);
      for (const e of page) {
        if (!matchesFilter(pattern, e.message)) continue;
        out.push(e);
        if (out.length === s.limit) break;
      }
      scanned += page.length;
      const last = out.length === s.limit ? out.at(-1) : page.at(-1);
      const done = out.length < s.limit && page.length < PAGE;
      if (done) break;
      if (out.length === s.limit || scanned >= MAX_SCANNED) {
        const ordered = s.fromHead === true ? out : out.reverse();
        return last === undefined
          ? { events: ordered }
          : { events: ordered, next: { timestamp: last.timestamp, id: last.id } };
      }
      if (last !== undefined) q.after = { timestamp: last.timestamp, id: last.id };
    }
    return { events: s.fromHead === true ? out : out.reverse() };
  }

  /** Follows new events of a function; `wake` is called when `take()` has something. */
  follow(name: string, s: Omit<LogSearch, "limit" | "since" | "until">, wake: () => void): Follower {
    this.deps.checkFunction(name);
    const pattern = checkedPattern(s.filterPattern);
    const version = this.versionOf(name, s);
    return this.deps.bus.subscribe(
      this.deps.region,
      name,
      (e) =>
        (version === undefined || e.version === version) &&
        (s.requestId === undefined || e.requestId === s.requestId) &&
        (s.errorsOnly !== true || e.error) &&
        matchesFilter(pattern, e.message),
      wake,
    );
  }

  /** Sets a function's retention: a CloudWatch value, null (never expire) or undefined (the default). */
  async setRetention(name: string, days: number | null | undefined): Promise<void> {
    if (days !== null && days !== undefined && !RETENTION_DAYS.includes(days))
      throw invalid(`logRetentionDays must be one of ${RETENTION_DAYS.join(", ")} (got ${days})`, {
        field: "logRetentionDays",
      });
    await this.deps.store.setRetention(name, days);
  }

  /** Log groups: every function's, and those of deleted functions whose events remain (as on AWS). */
  async listGroups(): Promise<LogGroupView[]> {
    const stored = new Map((await this.deps.store.listGroups()).map((g) => [g.functionName, g]));
    const out = new Map<string, LogGroupView>();
    for (const f of this.deps.listFunctions()) {
      const g = stored.get(f.name);
      out.set(f.name, {
        functionName: f.name,
        createdAt: Date.parse(f.createdAt),
        retentionDays: g?.retentionDays === undefined ? DEFAULT_LOG_RETENTION_DAYS : g.retentionDays,
        storedBytes: g?.storedBytes ?? 0,
      });
    }
    for (const g of stored.values()) {
      if (out.has(g.functionName) || g.storedBytes <= 0) continue;
      out.set(g.functionName, {
        functionName: g.functionName,
        createdAt: g.createdAt,
        retentionDays: g.retentionDays === undefined ? DEFAULT_LOG_RETENTION_DAYS : g.retentionDays,
        storedBytes: g.storedBytes,
      });
    }
    return [...out.values()].sort((a, b) => a.functionName.localeCompare(b.functionName));
  }

  /** A function's retention in days (null = never expire). */
  async retention(name: string): Promise<number | null> {
    const g = (await this.deps.store.listGroups()).find((x) => x.functionName === name);
    return g === undefined || g.retentionDays === undefined ? DEFAULT_LOG_RETENTION_DAYS : g.retentionDays;
  }
}
