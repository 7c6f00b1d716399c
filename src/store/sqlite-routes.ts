// The SQLite statements behind the Store's HTTP route methods (`vajra route`), kept apart from
// sqlite-store.ts. A route key is unique per region: the unique index makes a racing duplicate fail.

import type Database from "better-sqlite3";
import type { HttpRouteRecord } from "../core/route-key.js";

/** The schema step that adds HTTP routes (appended to the store's migrations). */
export const HTTP_ROUTES_MIGRATION = `CREATE TABLE http_routes (
     region TEXT NOT NULL,
     id TEXT NOT NULL,
     route_key TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (region, id)
   );
   CREATE UNIQUE INDEX http_routes_key ON http_routes (region, route_key);`;

export class SqliteRoutes {
  private readonly insert;
  private readonly list;
  private readonly remove;

  /** `region` is a checked region name (the store puts it in the SQL text as it does elsewhere). */
  constructor(db: Database.Database, region: string) {
    const r = region;
    this.insert = db.prepare(
      `INSERT INTO http_routes (region, id, route_key, record) VALUES ('${r}', ?, ?, ?)`,
    );
    this.list = db.prepare<[], { record: string }>(
      `SELECT record FROM http_routes WHERE region = '${r}' ORDER BY route_key`,
    );
    this.remove = db.prepare(`DELETE FROM http_routes WHERE region = '${r}' AND id = ?`);
  }

  /** False when the region already has a route with that key (nothing written). */
  addRoute(route: HttpRouteRecord): boolean {
    try {
      this.insert.run(route.id, route.routeKey, JSON.stringify(route));
      return true;
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith("SQLITE_CONSTRAINT") === true) return false;
      throw err;
    }
  }

  listRoutes(): HttpRouteRecord[] {
    return this.list.all().map((row) => JSON.parse(row.record) as HttpRouteRecord);
  }

  deleteRoute(id: string): boolean {
    return this.remove.run(id).changes > 0;
  }
}
