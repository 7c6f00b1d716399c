// The thread behind SqliteWriter: its own connection to the store's database, writing the batches of
// invocation records (and their log events) it is sent, in order, each in one IMMEDIATE transaction.

import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { SqliteStore } from "./sqlite-store.js";
import type { WriterReply, WriterRequest } from "./sqlite-writer.js";

const { path } = workerData as { path: string };
const db = new Database(path);
// The opening connection set WAL (persistent in the file); these two are per connection.
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 5000");
const views = new Map<string, SqliteStore>();

parentPort?.on("message", (m: WriterRequest) => {
  let reply: WriterReply;
  try {
    const store = views.get(m.region) ?? new SqliteStore(db, { region: m.region }, views);
    store.insertInvocationsSync(m.records);
    reply = { id: m.id };
  } catch (err) {
    reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
