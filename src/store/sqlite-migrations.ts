// The SQLite store's schema as ordered steps; the index + 1 of the last step run is the schema version
// kept in `PRAGMA user_version`. Each feature's tables come from the file that reads and writes them.

import type Database from "better-sqlite3";
import { SCHEDULES_MIGRATION } from "./sqlite-schedules.js";
import { NETWORKS_MIGRATION, ROLES_MIGRATION } from "./sqlite-host-records.js";
import { METRICS_MIGRATION } from "./sqlite-metrics.js";
import { LOGS_MIGRATION } from "./sqlite-logs.js";
import { MAPPINGS_MIGRATION } from "./sqlite-mappings.js";
import { STORAGE_TRIGGERS_MIGRATION } from "./sqlite-storage-triggers.js";
import { HTTP_ROUTES_MIGRATION } from "./sqlite-routes.js";
import { OUTBOX_MIGRATION } from "./sqlite-outbox.js";
import { USAGE_MIGRATION } from "./sqlite-usage.js";
import { BUDGETS_MIGRATION } from "./sqlite-budgets.js";

/** One schema step: SQL, or code for a step that needs the server's settings (the home region). */
export type Migration = string | ((db: Database.Database, ctx: { homeRegion: string }) => void);

/**
 * Rows written before functions were partitioned by region belong to the server's home region: tables
 * keyed by function or layer name get `region` as the first part of their key.
 */
function partitionByRegion(db: Database.Database, ctx: { homeRegion: string }): void {
  const rekey = (table: string, columns: string, key: string): void => {
    db.exec(`CREATE TABLE ${table}_new (region TEXT NOT NULL, ${columns}, PRIMARY KEY (region, ${key}))`);
    const names = columns
      .split(",")
      .map((c) => c.trim().split(" ")[0])
      .join(", ");
    db.prepare(`INSERT INTO ${table}_new (region, ${names}) SELECT ?, ${names} FROM ${table}`).run(
      ctx.homeRegion,
    );
    db.exec(`DROP TABLE ${table}; ALTER TABLE ${table}_new RENAME TO ${table}`);
  };
  rekey("functions", "name TEXT NOT NULL, config TEXT NOT NULL", "name");
  rekey(
    "versions",
    "function_name TEXT NOT NULL, version INTEGER NOT NULL, record TEXT NOT NULL",
    "function_name, version",
  );
  rekey(
    "aliases",
    "function_name TEXT NOT NULL, name TEXT NOT NULL, record TEXT NOT NULL",
    "function_name, name",
  );
  rekey("layers", "name TEXT NOT NULL, version INTEGER NOT NULL, record TEXT NOT NULL", "name, version");
  for (const table of ["invocations", "invocation_queue"]) {
    db.exec(`ALTER TABLE ${table} ADD COLUMN region TEXT NOT NULL DEFAULT ''`);
    db.prepare(`UPDATE ${table} SET region = ?`).run(ctx.homeRegion);
  }
  db.exec(`DROP INDEX invocations_by_function;
    CREATE INDEX invocations_by_function ON invocations (region, function_name, started_at)`);
}

/** Ordered migrations; the index + 1 is the schema version kept in `PRAGMA user_version`. */
export const MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE functions (
     name TEXT PRIMARY KEY,
     config TEXT NOT NULL
   );
   CREATE TABLE invocations (
     request_id TEXT PRIMARY KEY,
     function_name TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     record TEXT NOT NULL
   );
   CREATE INDEX invocations_by_function ON invocations (function_name, started_at);
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     secret_hash TEXT NOT NULL UNIQUE,
     record TEXT NOT NULL
   );`,
  `CREATE TABLE access_keys (
     id TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );`,
  `CREATE TABLE invocation_queue (
     request_id TEXT PRIMARY KEY,
     not_before INTEGER NOT NULL,
     record TEXT NOT NULL
   );`,
  `CREATE TABLE versions (
     function_name TEXT NOT NULL,
     version INTEGER NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (function_name, version)
   );
   CREATE TABLE aliases (
     function_name TEXT NOT NULL,
     name TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (function_name, name)
   );`,
  `CREATE TABLE layers (
     name TEXT NOT NULL,
     version INTEGER NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (name, version)
   );`,
  `CREATE TABLE builds (
     key TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );`,
  `CREATE TABLE buckets (
     name TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );
   CREATE TABLE objects (
     bucket TEXT NOT NULL,
     key BLOB NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (bucket, key)
   );`,
  partitionByRegion,
  NETWORKS_MIGRATION,
  SCHEDULES_MIGRATION,
  ROLES_MIGRATION,
  METRICS_MIGRATION,
  MAPPINGS_MIGRATION,
  LOGS_MIGRATION,
  STORAGE_TRIGGERS_MIGRATION,
  OUTBOX_MIGRATION,
  HTTP_ROUTES_MIGRATION,
  USAGE_MIGRATION,
  BUDGETS_MIGRATION,
];
