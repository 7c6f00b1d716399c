// The SQLite statements behind the Store's log events, kept apart from sqlite-store.ts. An FTS5 trigram
// index answers substring searches; per-group byte counts (storedBytes, the size cap) are kept as events
// come and go, so no reader ever scans the events to size them. The index is brought up to date when a
// search needs it, not as events are written: indexing every batch as it was stored took 11-14 % of warm
// throughput at one connection (`npm run bench`), a cost every invocation paid for searches few make.
// `log_fts_state.indexed_to` is the last event id in the index (ids are AUTOINCREMENT, never reused), and
// only indexed events are removed from it when deleted.

import type Database from "better-sqlite3";
import type { LogEvent } from "../core/log-events.js";
import type { LogGroupInfo, LogQuery, LogStore, LogStreamInfo } from "./log-store.js";

/** AWS counts 26 bytes of overhead per event besides its UTF-8 message. */
const EVENT_OVERHEAD = 26;

/** The schema step that adds log events (appended to the store's migrations). */
export const LOGS_MIGRATION = `CREATE TABLE log_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     region TEXT NOT NULL,
     function_name TEXT NOT NULL,
     version TEXT NOT NULL,
     stream TEXT NOT NULL,
     ts INTEGER NOT NULL,
     request_id TEXT NOT NULL,
     error INTEGER NOT NULL,
     message TEXT NOT NULL
   );
   CREATE INDEX log_events_by_function ON log_events (region, function_name, ts);
   CREATE INDEX log_events_by_stream ON log_events (region, function_name, stream, ts);
   CREATE INDEX log_events_by_request ON log_events (request_id);
   CREATE INDEX log_events_by_time ON log_events (ts);
   CREATE VIRTUAL TABLE log_events_fts USING fts5(
     message, content='log_events', content_rowid='id', tokenize='trigram'
   );
   CREATE TABLE log_groups (
     region TEXT NOT NULL,
     function_name TEXT NOT NULL,
     retention_days INTEGER,
     retention_set INTEGER NOT NULL DEFAULT 0,
     bytes INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (region, function_name)
   );
   CREATE TABLE log_fts_state (indexed_to INTEGER NOT NULL);
   INSERT INTO log_fts_state (indexed_to) VALUES (0);
   CREATE TRIGGER log_events_ad_fts AFTER DELETE ON log_events
     WHEN old.id <= (SELECT indexed_to FROM log_fts_state) BEGIN
     INSERT INTO log_events_fts (log_events_fts, rowid, message) VALUES ('delete', old.id, old.message);
   END;
   CREATE TRIGGER log_events_ad AFTER DELETE ON log_events BEGIN
     UPDATE log_groups SET bytes = bytes - length(CAST(old.message AS BLOB)) - ${EVENT_OVERHEAD}
       WHERE region = old.region AND function_name = old.function_name;
   END;`;

interface EventRow {
  id: number;
  function_name: string;
  version: string;
  stream: string;
  ts: number;
  request_id: string;
  error: number;
  message: string;
}

const toEvent = (r: EventRow): LogEvent => ({
  id: r.id,
  functionName: r.function_name,
  version: r.version,
  stream: r.stream,
  timestamp: r.ts,
  requestId: r.request_id,
  error: r.error !== 0,
  message: r.message,
});

/** An FTS5 query for rows containing every string (each one a quoted trigram phrase). */
const ftsQuery = (parts: string[]): string => parts.map((p) => `"${p.replace(/"/g, '""')}"`).join(" AND ");

export class SqliteLogs implements LogStore {
  private readonly insert;
  private readonly addBytes;
  private readonly lastId;
  private readonly index;
  private readonly groups;
  private readonly streams;
  private readonly putRetention;
  private readonly total;
  private readonly oldest;
  private readonly allGroups;
  private readonly expired;

  constructor(
    private readonly db: Database.Database,
    private readonly region: string,
  ) {
    const r = region;
    this.insert = db.prepare(
      `INSERT INTO log_events (region, function_name, version, stream, ts, request_id, error, message)
       VALUES ('${r}', ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.lastId = db.prepare<[], { id: number | null }>(`SELECT max(id) AS id FROM log_events`);
    const index = db.prepare(
      `INSERT INTO log_events_fts (rowid, message)
       SELECT id, message FROM log_events WHERE id > (SELECT indexed_to FROM log_fts_state) ORDER BY id`,
    );
    const mark = db.prepare(`UPDATE log_fts_state SET indexed_to = ?`);
    this.index = db.transaction(() => {
      const last = this.lastId.get()?.id ?? 0;
      index.run();
      mark.run(last);
    });
    // Counted once per function and batch rather than per event (deletes count down per event).
    this.addBytes = db.prepare(
      `INSERT INTO log_groups (region, function_name, bytes, created_at) VALUES ('${r}', ?, ?, ?)
       ON CONFLICT (region, function_name) DO UPDATE SET bytes = bytes + excluded.bytes`,
    );
    this.groups = db.prepare<
      [],
      {
        function_name: string;
        retention_days: number | null;
        retention_set: number;
        bytes: number;
        created_at: number;
      }
    >(
      `SELECT function_name, retention_days, retention_set, bytes, created_at FROM log_groups
       WHERE region = '${r}' ORDER BY function_name`,
    );
    this.streams = db.prepare<[string], { stream: string; first: number; last: number; bytes: number }>(
      `SELECT stream, MIN(ts) AS first, MAX(ts) AS last,
         SUM(length(CAST(message AS BLOB)) + ${EVENT_OVERHEAD}) AS bytes
       FROM log_events WHERE region = '${r}' AND function_name = ? GROUP BY stream`,
    );
    this.putRetention = db.prepare(
      `INSERT INTO log_groups (region, function_name, retention_days, retention_set, created_at)
       VALUES ('${r}', ?, ?, ?, ?)
       ON CONFLICT (region, function_name) DO UPDATE
       SET retention_days = excluded.retention_days, retention_set = excluded.retention_set`,
    );
    this.total = db.prepare<[], { total: number | null }>(`SELECT SUM(bytes) AS total FROM log_groups`);
    this.oldest = db.prepare(
      `DELETE FROM log_events WHERE id IN (SELECT id FROM log_events ORDER BY ts, id LIMIT ?)`,
    );
    this.allGroups = db.prepare<
      [],
      { region: string; function_name: string; retention_days: number | null; retention_set: number }
    >(`SELECT region, function_name, retention_days, retention_set FROM log_groups WHERE bytes > 0`);
    this.expired = db.prepare(
      `DELETE FROM log_events WHERE id IN (SELECT id FROM log_events
         WHERE region = ? AND function_name = ? AND ts < ? LIMIT ?)`,
    );
  }

  /** Called inside the store's invocation-record transaction. */
  insertSync(events: readonly LogEvent[]): void {
    if (events.length === 0) return;
    const bytes = new Map<string, { bytes: number; first: number }>();
    for (const e of events) {
      this.insert.run(
        e.functionName,
        e.version,
        e.stream,
        e.timestamp,
        e.requestId,
        e.error ? 1 : 0,
        e.message,
      );
      const g = bytes.get(e.functionName) ?? { bytes: 0, first: e.timestamp };
      g.bytes += Buffer.byteLength(e.message) + EVENT_OVERHEAD;
      bytes.set(e.functionName, g);
    }
    for (const [fn, g] of bytes) this.addBytes.run(fn, g.bytes, g.first);
  }

  insertEvents(events: readonly LogEvent[]): Promise<void> {
    this.db.transaction(() => this.insertSync(events))();
    return Promise.resolve();
  }

  queryEvents(q: LogQuery): Promise<LogEvent[]> {
    const where = [`region = '${this.region}'`, "function_name = ?"];
    const args: Array<string | number> = [q.functionName];
    if (q.version !== undefined) {
      where.push("version = ?");
      args.push(q.version);
    }
    if (q.streams !== undefined && q.streams.length > 0) {
      where.push(`stream IN (${q.streams.map(() => "?").join(", ")})`);
      args.push(...q.streams);
    }
    if (q.streamPrefix !== undefined) {
      where.push("substr(stream, 1, ?) = ?");
      args.push(q.streamPrefix.length, q.streamPrefix);
    }
    if (q.start !== undefined) {
      where.push("ts >= ?");
      args.push(q.start);
    }
    if (q.end !== undefined) {
      where.push("ts <= ?");
      args.push(q.end);
    }
    if (q.requestId !== undefined) {
      where.push("request_id = ?");
      args.push(q.requestId);
    }
    if (q.errorsOnly === true) where.push("error = 1");
    if (q.contains !== undefined && q.contains.length > 0) {
      // What was written since the last search is indexed first (one statement).
      this.index();
      where.push("id IN (SELECT rowid FROM log_events_fts WHERE log_events_fts MATCH ?)");
      args.push(ftsQuery(q.contains));
    }
    const dir = q.descending === true ? "DESC" : "ASC";
    if (q.after !== undefined) {
      where.push(
        q.descending === true ? "(ts < ? OR (ts = ? AND id < ?))" : "(ts > ? OR (ts = ? AND id > ?))",
      );
      args.push(q.after.timestamp, q.after.timestamp, q.after.id);
    }
    const sql = `SELECT id, function_name, version, stream, ts, request_id, error, message FROM log_events
      WHERE ${where.join(" AND ")} ORDER BY ts ${dir}, id ${dir} LIMIT ?`;
    args.push(q.limit);
    return Promise.resolve(
      this.db
        .prepare<unknown[], EventRow>(sql)
        .all(...args)
        .map(toEvent),
    );
  }

  listGroups(): Promise<LogGroupInfo[]> {
    return Promise.resolve(
      this.groups.all().map((g) => ({
        region: this.region,
        functionName: g.function_name,
        retentionDays: g.retention_set === 0 ? undefined : g.retention_days,
        storedBytes: g.bytes,
        createdAt: g.created_at,
      })),
    );
  }

  listStreams(functionName: string): Promise<LogStreamInfo[]> {
    return Promise.resolve(
      this.streams.all(functionName).map((s) => ({
        name: s.stream,
        firstEventTime: s.first,
        lastEventTime: s.last,
        storedBytes: s.bytes,
      })),
    );
  }

  setRetention(functionName: string, days: number | null | undefined): Promise<void> {
    this.putRetention.run(functionName, days ?? null, days === undefined ? 0 : 1, Date.now());
    return Promise.resolve();
  }

  deleteExpired(now: number, defaultDays: number, batch: number): Promise<number> {
    let left = batch;
    for (const g of this.allGroups.all()) {
      if (left <= 0) break;
      const days = g.retention_set === 0 ? defaultDays : g.retention_days;
      if (days === null) continue;
      left -= this.expired.run(g.region, g.function_name, now - days * 86_400_000, left).changes;
    }
    return Promise.resolve(batch - left);
  }

  totalBytes(): Promise<number> {
    return Promise.resolve(this.total.get()?.total ?? 0);
  }

  deleteOldest(batch: number): Promise<number> {
    return Promise.resolve(this.oldest.run(batch).changes);
  }
}
