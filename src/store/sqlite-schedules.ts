// The SQLite statements behind the Store's schedule methods, kept apart from sqlite-store.ts. A fire
// writes the schedule's last due time and its queued invocation in one transaction, which is what makes
// a schedule fire once per due time across restarts.

import type Database from "better-sqlite3";
import type { QueuedInvocation } from "../core/types.js";
import type { ScheduleRecord } from "../core/schedule.js";

/** The schema step that adds schedules (appended to the store's migrations). */
export const SCHEDULES_MIGRATION = `CREATE TABLE schedules (
     region TEXT NOT NULL,
     grp TEXT NOT NULL,
     name TEXT NOT NULL,
     last_due INTEGER,
     last_error TEXT,
     record TEXT NOT NULL,
     PRIMARY KEY (region, grp, name)
   );`;

interface Row {
  record: string;
  last_due: number | null;
  last_error: string | null;
}

export class SqliteSchedules {
  private readonly put;
  private readonly list;
  private readonly remove;
  private readonly lastDue;
  private readonly markFired;
  private readonly putQueued;
  private readonly fire;

  /** `region` is a checked region name (the store puts it in the SQL text as it does elsewhere). */
  constructor(db: Database.Database, region: string) {
    const r = region;
    // An update rewrites the record but keeps what the fires wrote.
    this.put = db.prepare(
      `INSERT INTO schedules (region, grp, name, record) VALUES ('${r}', ?, ?, ?)
       ON CONFLICT (region, grp, name) DO UPDATE SET record = excluded.record`,
    );
    this.list = db.prepare<[], Row>(
      `SELECT record, last_due, last_error FROM schedules WHERE region = '${r}' ORDER BY grp, name`,
    );
    this.remove = db.prepare(`DELETE FROM schedules WHERE region = '${r}' AND grp = ? AND name = ?`);
    this.lastDue = db.prepare<[string, string], { last_due: number | null }>(
      `SELECT last_due FROM schedules WHERE region = '${r}' AND grp = ? AND name = ?`,
    );
    this.markFired = db.prepare(
      `UPDATE schedules SET last_due = ?, last_error = ? WHERE region = '${r}' AND grp = ? AND name = ?`,
    );
    this.putQueued = db.prepare(
      `INSERT INTO invocation_queue (region, request_id, not_before, record) VALUES ('${r}', ?, ?, ?)`,
    );
    this.fire = db.transaction(
      (
        group: string,
        name: string,
        due: number,
        item: QueuedInvocation | undefined,
        error: string | null,
      ) => {
        const row = this.lastDue.get(group, name);
        if (row === undefined || (row.last_due !== null && row.last_due >= due)) return false;
        this.markFired.run(due, error, group, name);
        if (item !== undefined) this.putQueued.run(item.requestId, item.notBefore, JSON.stringify(item));
        return true;
      },
    );
  }

  putSchedule(s: ScheduleRecord): void {
    // What the fires recorded lives in its own columns, written only by fireSchedule.
    const record: Partial<ScheduleRecord> = { ...s };
    delete record.lastDue;
    delete record.lastError;
    this.put.run(s.group, s.name, JSON.stringify(record));
  }

  listSchedules(): ScheduleRecord[] {
    return this.list.all().map((row) => {
      const s = JSON.parse(row.record) as ScheduleRecord;
      if (row.last_due !== null) s.lastDue = row.last_due;
      if (row.last_error !== null) s.lastError = row.last_error;
      return s;
    });
  }

  deleteSchedule(group: string, name: string): boolean {
    return this.remove.run(group, name).changes > 0;
  }

  fireSchedule(group: string, name: string, due: number, item?: QueuedInvocation, error?: string): boolean {
    return this.fire(group, name, due, item, error ?? null);
  }
}
