// The SQLite statements behind the Store's metric buckets (Vajra's own 1-minute time series), kept
// apart from sqlite-store.ts. A flush carries deltas: each is merged into the stored minute in one
// transaction, so a restart in the middle of a minute adds to what was written before it.

import type Database from "better-sqlite3";
import {
  decodeHist,
  emptyBucket,
  encodeHist,
  mergeBucket,
  type MinuteBucket,
} from "../core/metric-series.js";

/** The schema step that adds metric buckets (appended to the store's migrations). */
export const METRICS_MIGRATION = `CREATE TABLE metric_buckets (
     region TEXT NOT NULL,
     function_name TEXT NOT NULL,
     minute INTEGER NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (region, function_name, minute)
   );
   CREATE INDEX metric_buckets_by_minute ON metric_buckets (minute);`;

type StoredBucket = Omit<MinuteBucket, "hist"> & { hist: Array<[number, number]> };

function decode(record: string): MinuteBucket {
  const b = JSON.parse(record) as StoredBucket;
  return { ...b, hist: decodeHist(b.hist) };
}

function encode(b: MinuteBucket): string {
  return JSON.stringify({ ...b, hist: encodeHist(b.hist) });
}

export class SqliteMetrics {
  private readonly get;
  private readonly put;
  private readonly range;
  private readonly removeFunction;
  private readonly prune;
  private readonly merge;

  /** `region` is a checked region name (the store puts it in the SQL text as it does elsewhere). */
  constructor(db: Database.Database, region: string) {
    const r = region;
    this.get = db.prepare<[string, number], { record: string }>(
      `SELECT record FROM metric_buckets WHERE region = '${r}' AND function_name = ? AND minute = ?`,
    );
    this.put = db.prepare(
      `INSERT OR REPLACE INTO metric_buckets (region, function_name, minute, record) VALUES ('${r}', ?, ?, ?)`,
    );
    this.range = db.prepare<[string, number, number], { record: string }>(
      `SELECT record FROM metric_buckets WHERE region = '${r}' AND function_name = ? AND minute >= ? AND minute < ? ORDER BY minute`,
    );
    this.removeFunction = db.prepare(
      `DELETE FROM metric_buckets WHERE region = '${r}' AND function_name = ?`,
    );
    // Retention is the same for every region: one statement prunes them all.
    this.prune = db.prepare(`DELETE FROM metric_buckets WHERE minute < ?`);
    this.merge = db.transaction((deltas: ReadonlyArray<{ functionName: string; bucket: MinuteBucket }>) => {
      for (const { functionName, bucket } of deltas) {
        const row = this.get.get(functionName, bucket.minute);
        const merged = row === undefined ? emptyBucket(bucket.minute) : decode(row.record);
        mergeBucket(merged, bucket);
        this.put.run(functionName, bucket.minute, encode(merged));
      }
    });
  }

  mergeBuckets(deltas: ReadonlyArray<{ functionName: string; bucket: MinuteBucket }>): void {
    this.merge(deltas);
  }

  listBuckets(functionName: string, fromMs: number, toMs: number): MinuteBucket[] {
    return this.range.all(functionName, fromMs, toMs).map((r) => decode(r.record));
  }

  deleteFunction(functionName: string): void {
    this.removeFunction.run(functionName);
  }

  pruneBefore(minute: number): number {
    return this.prune.run(minute).changes;
  }
}
