import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { SqliteStore } from "./sqlite-store.js";
import { immediateTransactions } from "./sqlite-writer.js";
import type { InvocationRecord } from "../core/types.js";
import { emptyBucket, minuteOf } from "../core/metric-series.js";

const record = (i: number, functionName = "f"): InvocationRecord => ({
  requestId: `req-${i}`,
  functionName,
  version: "$LATEST",
  startedAt: 1_700_000_000_000 + i,
  status: "success",
  report: { durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 20 },
  log: `START RequestId: req-${i} Version: $LATEST\nline ${i}\nEND RequestId: req-${i}\n`,
});

async function withDir(fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "vajra-writer-"));
  try {
    await fn(join(dir, "vajra.db"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("batches written by the writer thread are read back in order as soon as each write resolves", async () => {
  await withDir(async (path) => {
    const store = new SqliteStore(path);
    try {
      // Sent without waiting in between, as the record writer's flushes can be.
      const writes = Array.from({ length: 20 }, (_, b) =>
        store.insertInvocations(Array.from({ length: 10 }, (_, i) => record(b * 10 + i))),
      );
      await writes[4];
      assert.ok((await store.listInvocations("f", 1000)).length >= 50);
      await Promise.all(writes);
      const all = await store.listInvocations("f", 1000);
      assert.deepEqual(
        all.map((r) => r.requestId),
        Array.from({ length: 200 }, (_, i) => `req-${i}`),
      );
      const events = await store.logs.queryEvents({ functionName: "f", contains: ["line 199"], limit: 10 });
      assert.deepEqual(
        events.map((e) => e.requestId),
        ["req-199"],
      );
    } finally {
      await store.close();
    }
  });
});

test("metric merges and searches (read-then-write transactions) run alongside the writer thread", async () => {
  await withDir(async (path) => {
    const store = new SqliteStore(path);
    try {
      const minute = minuteOf(Date.now());
      const work: Array<Promise<unknown>> = [];
      for (let b = 0; b < 30; b++) {
        work.push(store.insertInvocations(Array.from({ length: 20 }, (_, i) => record(b * 20 + i))));
        // Reads its bucket, then writes it back: a deferred transaction would hit SQLITE_BUSY_SNAPSHOT.
        const bucket = emptyBucket(minute);
        bucket.invocations = 1;
        work.push(store.mergeMetricBuckets([{ functionName: "f", bucket }]));
        // A search brings the full-text index up to date (a read, then writes) in a transaction too.
        work.push(store.logs.queryEvents({ functionName: "f", contains: ["line"], limit: 1 }));
      }
      await Promise.all(work);
      const buckets = await store.listMetricBuckets("f", minute, minute + 60_000);
      assert.equal(buckets[0]?.invocations, 30);
      assert.equal((await store.listInvocations("f", 1000)).length, 600);
    } finally {
      await store.close();
    }
  });
});

test("close waits for the batches already sent; the data is there on reopening", async () => {
  await withDir(async (path) => {
    const store = new SqliteStore(path);
    const sent = store.insertInvocations(Array.from({ length: 50 }, (_, i) => record(i)));
    await store.close();
    await sent;
    const again = new SqliteStore(path);
    try {
      assert.equal((await again.listInvocations("f", 100)).length, 50);
      assert.equal((await again.logs.queryEvents({ functionName: "f", limit: 1000 })).length, 150);
    } finally {
      await again.close();
    }
  });
});

test("with the writer thread off, records are written on the store's own connection", async () => {
  await withDir(async (path) => {
    const store = new SqliteStore(path, { writerThread: false });
    try {
      await store.insertInvocations([record(1), record(2, "g")]);
      assert.equal((await store.listInvocations("g", 10)).length, 1);
    } finally {
      await store.close();
    }
  });
});

test("a read-then-write transaction holds the write lock from its start, so another connection cannot slip in", async () => {
  await withDir((path) => {
    const a = new Database(path);
    const b = new Database(path);
    try {
      a.pragma("journal_mode = WAL");
      a.exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t VALUES (1, 0)");
      b.pragma("busy_timeout = 0");
      const readThenWrite = (db: Database.Database): (() => void) =>
        db.transaction(() => {
          const v = (db.prepare("SELECT v FROM t WHERE k = 1").get() as { v: number }).v;
          // The other connection tries to commit between the read and the write.
          try {
            b.prepare("UPDATE t SET v = v + 100 WHERE k = 1").run();
          } catch (err) {
            assert.match(String(err), /locked|busy/i);
          }
          db.prepare("UPDATE t SET v = ? WHERE k = 1").run(v + 1);
        });
      // Deferred (better-sqlite3's default): the other commit gets in, and the write then fails busy.
      assert.throws(readThenWrite(a), /busy|locked/i);
      immediateTransactions(a);
      readThenWrite(a)();
      assert.equal((a.prepare("SELECT v FROM t WHERE k = 1").get() as { v: number }).v, 101);
    } finally {
      a.close();
      b.close();
    }
    return Promise.resolve();
  });
});
