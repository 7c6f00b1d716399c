// The SQLite statements behind the destination outbox: records waiting to be delivered to a destination
// (an invocation record, a dead-letter message, a mapping's on-failure record). Finishing a queued Event
// invocation removes it and adds its records in one transaction, so a record is never lost between the
// two, even when the server is killed right after.

import type Database from "better-sqlite3";
import type { PendingDelivery } from "../core/destination.js";

/** The schema step that adds the outbox (appended to the store's migrations). */
export const OUTBOX_MIGRATION = `CREATE TABLE destination_outbox (
     region TEXT NOT NULL,
     id TEXT NOT NULL,
     not_before INTEGER NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (region, id)
   );`;

export class SqliteOutbox {
  private readonly put;
  private readonly list;
  private readonly remove;
  private readonly dequeue;
  private readonly finish;

  /** `region` is a checked region name (the store puts it in the SQL text as it does elsewhere). */
  constructor(db: Database.Database, region: string) {
    const r = region;
    this.put = db.prepare(
      `INSERT OR REPLACE INTO destination_outbox (region, id, not_before, record) VALUES ('${r}', ?, ?, ?)`,
    );
    this.list = db.prepare<[], { record: string }>(
      `SELECT record FROM destination_outbox WHERE region = '${r}' ORDER BY not_before, rowid`,
    );
    this.remove = db.prepare(`DELETE FROM destination_outbox WHERE region = '${r}' AND id = ?`);
    this.dequeue = db.prepare(`DELETE FROM invocation_queue WHERE region = '${r}' AND request_id = ?`);
    this.finish = db.transaction((requestId: string | undefined, items: readonly PendingDelivery[]) => {
      if (requestId !== undefined) this.dequeue.run(requestId);
      for (const d of items) this.put.run(d.id, d.notBefore, JSON.stringify(d));
    });
  }

  /** Adds (or replaces) deliveries and, in the same transaction, removes a queued invocation. */
  putDeliveries(items: readonly PendingDelivery[], dequeueRequestId?: string): void {
    this.finish(dequeueRequestId, items);
  }

  listDeliveries(): PendingDelivery[] {
    return this.list.all().map((row) => JSON.parse(row.record) as PendingDelivery);
  }

  deleteDelivery(id: string): void {
    this.remove.run(id);
  }
}
