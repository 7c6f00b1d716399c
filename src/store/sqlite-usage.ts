// The SQLite statements behind the Store's metering (usage-store.ts), kept apart from sqlite-store.ts.
// A merge adds deltas to the stored hour in one transaction; metering records are read from the
// invocations table through an index on (region, started_at).

import type Database from "better-sqlite3";
import { addUsage, type PriceSheet, type PriceSheetVersion, type UsageRow } from "../core/billing.js";
import type { InvocationRecord } from "../core/types.js";
import type { MeteringQuery, MeteringRecord, UsageStore } from "./usage-store.js";

/** The schema step that adds usage and price sheets (appended to the store's migrations). */
export const USAGE_MIGRATION = `CREATE TABLE usage_hours (
     region TEXT NOT NULL,
     function_name TEXT NOT NULL,
     version TEXT NOT NULL,
     hour INTEGER NOT NULL,
     memory_mb INTEGER NOT NULL,
     ephemeral_mb INTEGER NOT NULL,
     requests INTEGER NOT NULL,
     billed_ms REAL NOT NULL,
     provisioned_billed_ms REAL NOT NULL,
     provisioned_ms REAL NOT NULL,
     PRIMARY KEY (region, hour, function_name, version, memory_mb, ephemeral_mb)
   );
   CREATE TABLE price_sheets (
     version INTEGER PRIMARY KEY,
     effective_from INTEGER NOT NULL,
     sheet TEXT NOT NULL
   );
   CREATE INDEX invocations_by_time ON invocations (region, started_at);`;

interface UsageDbRow {
  function_name: string;
  version: string;
  hour: number;
  memory_mb: number;
  ephemeral_mb: number;
  requests: number;
  billed_ms: number;
  provisioned_billed_ms: number;
  provisioned_ms: number;
}

function fromDb(r: UsageDbRow): UsageRow {
  return {
    functionName: r.function_name,
    version: r.version,
    hour: r.hour,
    memoryMb: r.memory_mb,
    ephemeralMb: r.ephemeral_mb,
    requests: r.requests,
    billedMs: r.billed_ms,
    provisionedBilledMs: r.provisioned_billed_ms,
    provisionedMs: r.provisioned_ms,
  };
}

/** A page cursor: the last record's start time and row id. */
function parseCursor(after: string | undefined): [number, number] {
  const m = after === undefined ? null : /^(\d+)\.(\d+)$/.exec(after);
  return m === null ? [-1, -1] : [Number(m[1]), Number(m[2])];
}

export class SqliteUsage implements UsageStore {
  private readonly get;
  private readonly put;
  private readonly range;
  private readonly rangeOf;
  private readonly sheets;
  private readonly addSheet;
  private readonly metering;
  private readonly meteringOf;
  private readonly mergeTx;

  /** `region` is a checked region name (the store puts it in the SQL text as it does elsewhere). */
  constructor(db: Database.Database, region: string) {
    const r = region;
    const cols = `function_name, version, hour, memory_mb, ephemeral_mb, requests, billed_ms, provisioned_billed_ms, provisioned_ms`;
    this.get = db.prepare<[number, string, string, number, number], UsageDbRow>(
      `SELECT ${cols} FROM usage_hours WHERE region = '${r}' AND hour = ? AND function_name = ? AND version = ? AND memory_mb = ? AND ephemeral_mb = ?`,
    );
    this.put = db.prepare(
      `INSERT OR REPLACE INTO usage_hours (region, ${cols}) VALUES ('${r}', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.range = db.prepare<[number, number], UsageDbRow>(
      `SELECT ${cols} FROM usage_hours WHERE region = '${r}' AND hour >= ? AND hour < ? ORDER BY hour`,
    );
    this.rangeOf = db.prepare<[number, number, string], UsageDbRow>(
      `SELECT ${cols} FROM usage_hours WHERE region = '${r}' AND hour >= ? AND hour < ? AND function_name = ? ORDER BY hour`,
    );
    this.sheets = db.prepare<[], { version: number; effective_from: number; sheet: string }>(
      `SELECT version, effective_from, sheet FROM price_sheets ORDER BY version`,
    );
    this.addSheet = db.prepare<[number, string], { version: number }>(
      `INSERT INTO price_sheets (version, effective_from, sheet)
         VALUES ((SELECT COALESCE(MAX(version), 0) + 1 FROM price_sheets), ?, ?) RETURNING version`,
    );
    const page = `SELECT rowid, started_at, record FROM invocations WHERE region = '${r}'
       AND started_at >= ? AND started_at < ? AND (started_at > ? OR (started_at = ? AND rowid > ?))`;
    type PageArgs = [number, number, number, number, number];
    type PageRow = { rowid: number; started_at: number; record: string };
    this.metering = db.prepare<[...PageArgs, number], PageRow>(`${page} ORDER BY started_at, rowid LIMIT ?`);
    this.meteringOf = db.prepare<[...PageArgs, string, number], PageRow>(
      `${page} AND function_name = ? ORDER BY started_at, rowid LIMIT ?`,
    );
    this.mergeTx = db.transaction((rows: readonly UsageRow[]) => {
      for (const row of rows) {
        const old = this.get.get(row.hour, row.functionName, row.version, row.memoryMb, row.ephemeralMb);
        const sum = old === undefined ? { ...row } : fromDb(old);
        if (old !== undefined) addUsage(sum, row);
        this.put.run(
          sum.functionName,
          sum.version,
          sum.hour,
          sum.memoryMb,
          sum.ephemeralMb,
          sum.requests,
          sum.billedMs,
          sum.provisionedBilledMs,
          sum.provisionedMs,
        );
      }
    });
  }

  merge(rows: readonly UsageRow[]): Promise<void> {
    if (rows.length > 0) this.mergeTx(rows);
    return Promise.resolve();
  }

  list(fromMs: number, toMs: number, functionName?: string): Promise<UsageRow[]> {
    const rows =
      functionName === undefined
        ? this.range.all(fromMs, toMs)
        : this.rangeOf.all(fromMs, toMs, functionName);
    return Promise.resolve(rows.map(fromDb));
  }

  listPriceSheets(): Promise<PriceSheetVersion[]> {
    return Promise.resolve(
      this.sheets.all().map((s) => ({
        version: s.version,
        effectiveFrom: s.effective_from,
        sheet: JSON.parse(s.sheet) as PriceSheet,
      })),
    );
  }

  addPriceSheet(sheet: PriceSheet, effectiveFrom: number): Promise<PriceSheetVersion> {
    const row = this.addSheet.get(effectiveFrom, JSON.stringify(sheet));
    if (row === undefined) throw new Error("price sheet insert returned no version");
    return Promise.resolve({ version: row.version, effectiveFrom, sheet });
  }

  listMetering(q: MeteringQuery): Promise<{ records: MeteringRecord[]; next?: string }> {
    const [t, id] = parseCursor(q.after);
    const args = [q.fromMs, q.toMs, t, t, id] as const;
    const rows =
      q.functionName === undefined
        ? this.metering.all(...args, q.limit)
        : this.meteringOf.all(...args, q.functionName, q.limit);
    const records = rows.map((row) => meteringOf(JSON.parse(row.record) as InvocationRecord));
    const last = rows.at(-1);
    return Promise.resolve(
      last !== undefined && rows.length === q.limit
        ? { records, next: `${last.started_at}.${last.rowid}` }
        : { records },
    );
  }
}

function meteringOf(r: InvocationRecord): MeteringRecord {
  return {
    requestId: r.requestId,
    functionName: r.functionName,
    version: r.version,
    startedAt: r.startedAt,
    status: r.status,
    attempt: r.attempt ?? 0,
    durationMs: r.report.durationMs,
    billedDurationMs: r.report.billedDurationMs,
    memorySizeMb: r.report.memorySizeMb,
    maxMemoryUsedMb: r.report.maxMemoryUsedMb,
    initDurationMs: r.report.initDurationMs,
  };
}
