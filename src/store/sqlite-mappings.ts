// The SQLite statements behind the Store's event source mapping methods. A source URI's password is kept
// in its own column, never inside the mapping's record, so nothing that serialises a record can leak it.

import type Database from "better-sqlite3";
import type { MappingRecord, StoredMapping } from "../core/event-source-mapping.js";

/** The schema step that adds event source mappings (appended to the store's migrations). */
export const MAPPINGS_MIGRATION = `CREATE TABLE event_source_mappings (
     region TEXT NOT NULL,
     uuid TEXT NOT NULL,
     record TEXT NOT NULL,
     secret TEXT,
     PRIMARY KEY (region, uuid)
   );`;

export class SqliteMappings {
  private readonly put;
  private readonly list;
  private readonly remove;

  /** `region` is a checked region name (the store puts it in the SQL text as it does elsewhere). */
  constructor(db: Database.Database, region: string) {
    const r = region;
    this.put = db.prepare(
      `INSERT OR REPLACE INTO event_source_mappings (region, uuid, record, secret) VALUES ('${r}', ?, ?, ?)`,
    );
    this.list = db.prepare<[], { record: string; secret: string | null }>(
      `SELECT record, secret FROM event_source_mappings WHERE region = '${r}' ORDER BY uuid`,
    );
    this.remove = db.prepare(`DELETE FROM event_source_mappings WHERE region = '${r}' AND uuid = ?`);
  }

  putMapping(m: StoredMapping): void {
    this.put.run(m.record.uuid, JSON.stringify(m.record), m.secret ?? null);
  }

  listMappings(): StoredMapping[] {
    return this.list.all().map((row) => ({
      record: JSON.parse(row.record) as MappingRecord,
      ...(row.secret === null ? {} : { secret: row.secret }),
    }));
  }

  deleteMapping(uuid: string): boolean {
    return this.remove.run(uuid).changes > 0;
  }
}
