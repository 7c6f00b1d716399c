// Invocation records and their log events are written by a worker thread with its own connection to the
// same WAL database, so the event loop that serves invocations never waits for those inserts (a batch's
// row and index inserts took 150-250 µs per invocation of the main thread's time). Batches are written
// in the order they were sent; `write` resolves once the batch is committed, so a read made after it
// (on the main connection) sees it. If the worker dies, writes fall back to the main connection.

import type { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import type { InvocationRecord } from "../core/types.js";
import { moduleWorker } from "./module-worker.js";

/** From the worker: the batch `id` is committed, or failed with `error`. */
export type WriterReply = { id: number; error?: string };
/** To the worker. */
export type WriterRequest = { id: number; region: string; records: readonly InvocationRecord[] };

export class SqliteWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private dead: Error | undefined;

  constructor(path: string) {
    this.worker = moduleWorker(import.meta.url, "sqlite-writer-worker", { path });
    this.worker.unref();
    this.worker.on("message", (m: WriterReply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error === undefined) p?.resolve();
      else p?.reject(new Error(m.error));
    });
    const die = (err: Error): void => {
      this.dead ??= err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on("error", die);
    this.worker.on("exit", (code) => die(new Error(`the store's writer thread exited (code ${code})`)));
  }

  /** False once the worker is gone (the caller then writes on its own connection). */
  get alive(): boolean {
    return this.dead === undefined;
  }

  write(region: string, records: readonly InvocationRecord[]): Promise<void> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, region, records } satisfies WriterRequest);
    });
  }

  /** Waits for every batch sent so far, then stops the thread. */
  async close(): Promise<void> {
    if (this.dead === undefined) {
      await Promise.allSettled([...this.pending.keys()].map((id) => this.settled(id)));
      this.dead = new Error("the store is closed");
      await this.worker.terminate();
    }
  }

  private settled(id: number): Promise<void> {
    const p = this.pending.get(id);
    if (p === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.pending.set(id, {
        resolve: () => {
          p.resolve();
          resolve();
        },
        reject: (err) => {
          p.reject(err);
          resolve();
        },
      });
    });
  }
}

/**
 * With a second connection writing, a DEFERRED transaction that reads and then writes can fail at once
 * with SQLITE_BUSY (its snapshot went stale; SQLite does not wait in that case). IMMEDIATE takes the write
 * lock at BEGIN, where busy_timeout does wait, so every transaction on the main connection is made one.
 */
export function immediateTransactions(db: Database.Database): void {
  const deferred = db.transaction.bind(db);
  // The IMMEDIATE variant carries the same .deferred/.immediate/.exclusive variants as the default one.
  db.transaction = ((fn: (...args: never[]) => unknown) =>
    // eslint-disable-next-line @typescript-eslint/unbound-method -- a transaction variant is a plain function that keeps its database in a closure
    deferred(fn).immediate) as typeof db.transaction;
}
