// The SQLite tables of records that belong to the host or an account rather than to a region: named
// networks (host-wide, like API keys) and execution roles (IAM is global: keyed by account). Kept apart
// from sqlite-store.ts, which delegates to it.

import type Database from "better-sqlite3";
import type { NetworkDefinition } from "../core/networks.js";
import type { RoleRecord } from "../core/types.js";

export const NETWORKS_MIGRATION = `CREATE TABLE networks (
     name TEXT PRIMARY KEY,
     record TEXT NOT NULL
   );`;

export const ROLES_MIGRATION = `CREATE TABLE roles (
     account TEXT NOT NULL,
     name TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (account, name)
   );`;

const parse = <T>(rows: Array<{ record: string }>): T[] => rows.map((r) => JSON.parse(r.record) as T);

export class SqliteHostRecords {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      putNetwork: db.prepare("INSERT OR REPLACE INTO networks (name, record) VALUES (?, ?)"),
      getNetwork: db.prepare<[string], { record: string }>("SELECT record FROM networks WHERE name = ?"),
      listNetworks: db.prepare<[], { record: string }>("SELECT record FROM networks ORDER BY name"),
      deleteNetwork: db.prepare("DELETE FROM networks WHERE name = ?"),
      putRole: db.prepare("INSERT OR REPLACE INTO roles (account, name, record) VALUES (?, ?, ?)"),
      listRoles: db.prepare<[], { record: string }>("SELECT record FROM roles ORDER BY account, name"),
      deleteRole: db.prepare("DELETE FROM roles WHERE account = ? AND name = ?"),
    };
  }

  putNetwork(network: NetworkDefinition): void {
    this.stmts.putNetwork.run(network.name, JSON.stringify(network));
  }

  getNetwork(name: string): NetworkDefinition | undefined {
    const row = this.stmts.getNetwork.get(name);
    return row === undefined ? undefined : (JSON.parse(row.record) as NetworkDefinition);
  }

  listNetworks(): NetworkDefinition[] {
    return parse<NetworkDefinition>(this.stmts.listNetworks.all());
  }

  deleteNetwork(name: string): boolean {
    return this.stmts.deleteNetwork.run(name).changes > 0;
  }

  putRole(role: RoleRecord): void {
    this.stmts.putRole.run(role.account, role.name, JSON.stringify(role));
  }

  listRoles(): RoleRecord[] {
    return parse<RoleRecord>(this.stmts.listRoles.all());
  }

  deleteRole(account: string, name: string): boolean {
    return this.stmts.deleteRole.run(account, name).changes > 0;
  }
}
