// The SQLite statements behind the Store's storage trigger methods (directory and S3 webhook triggers),
// kept apart from sqlite-store.ts. A reported file change and its queued invocation are written in one
// transaction, which is what makes a change reported once across crashes and restarts.

import type Database from "better-sqlite3";
import type { QueuedInvocation } from "../core/types.js";
import type { ReportedChange, ReportedFile, StorageTriggerRecord } from "../core/storage-event.js";

/** The schema step that adds storage triggers (appended to the store's migrations). */
export const STORAGE_TRIGGERS_MIGRATION = `CREATE TABLE storage_triggers (
     region TEXT NOT NULL,
     name TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (region, name)
   );
   CREATE TABLE storage_trigger_files (
     region TEXT NOT NULL,
     trigger_name TEXT NOT NULL,
     path TEXT NOT NULL,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     etag TEXT NOT NULL,
     PRIMARY KEY (region, trigger_name, path)
   );`;

interface FileRow {
  path: string;
  size: number;
  mtime_ms: number;
  etag: string;
}

export class SqliteStorageTriggers {
  private readonly put;
  private readonly list;
  private readonly remove;
  private readonly removeFiles;
  private readonly files;
  private readonly exists;
  private readonly putFile;
  private readonly deleteFile;
  private readonly putQueued;
  private readonly report;

  /** `region` is a checked region name (the store puts it in the SQL text as it does elsewhere). */
  constructor(db: Database.Database, region: string) {
    const r = region;
    this.put = db.prepare(
      `INSERT INTO storage_triggers (region, name, record) VALUES ('${r}', ?, ?)
       ON CONFLICT (region, name) DO UPDATE SET record = excluded.record`,
    );
    this.list = db.prepare<[], { record: string }>(
      `SELECT record FROM storage_triggers WHERE region = '${r}' ORDER BY name`,
    );
    this.remove = db.prepare(`DELETE FROM storage_triggers WHERE region = '${r}' AND name = ?`);
    this.removeFiles = db.prepare(
      `DELETE FROM storage_trigger_files WHERE region = '${r}' AND trigger_name = ?`,
    );
    this.files = db.prepare<[string], FileRow>(
      `SELECT path, size, mtime_ms, etag FROM storage_trigger_files WHERE region = '${r}' AND trigger_name = ?`,
    );
    this.exists = db.prepare<[string], { n: number }>(
      `SELECT 1 AS n FROM storage_triggers WHERE region = '${r}' AND name = ?`,
    );
    this.putFile = db.prepare(
      `INSERT INTO storage_trigger_files (region, trigger_name, path, size, mtime_ms, etag)
       VALUES ('${r}', ?, ?, ?, ?, ?)
       ON CONFLICT (region, trigger_name, path) DO UPDATE SET
         size = excluded.size, mtime_ms = excluded.mtime_ms, etag = excluded.etag`,
    );
    this.deleteFile = db.prepare(
      `DELETE FROM storage_trigger_files WHERE region = '${r}' AND trigger_name = ? AND path = ?`,
    );
    this.putQueued = db.prepare(
      `INSERT INTO invocation_queue (region, request_id, not_before, record) VALUES ('${r}', ?, ?, ?)`,
    );
    this.report = db.transaction(
      (name: string, change: ReportedChange | undefined, item: QueuedInvocation | undefined) => {
        if (this.exists.get(name) === undefined) return false;
        if (change?.file !== undefined) {
          const f = change.file;
          this.putFile.run(name, f.path, f.size, f.mtimeMs, f.etag);
        } else if (change !== undefined) this.deleteFile.run(name, change.path);
        if (item !== undefined) this.putQueued.run(item.requestId, item.notBefore, JSON.stringify(item));
        return true;
      },
    );
    this.removeTrigger = db.transaction((name: string) => {
      this.removeFiles.run(name);
      return this.remove.run(name).changes > 0;
    });
  }

  private readonly removeTrigger: (name: string) => boolean;

  putStorageTrigger(t: StorageTriggerRecord): void {
    this.put.run(t.name, JSON.stringify(t));
  }

  listStorageTriggers(): StorageTriggerRecord[] {
    return this.list.all().map((row) => JSON.parse(row.record) as StorageTriggerRecord);
  }

  deleteStorageTrigger(name: string): boolean {
    return this.removeTrigger(name);
  }

  listReportedFiles(name: string): ReportedFile[] {
    return this.files
      .all(name)
      .map((f) => ({ path: f.path, size: f.size, mtimeMs: f.mtime_ms, etag: f.etag }));
  }

  reportStorageEvent(name: string, change?: ReportedChange, item?: QueuedInvocation): boolean {
    return this.report(name, change, item);
  }
}
