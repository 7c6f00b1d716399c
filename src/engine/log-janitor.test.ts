// The log janitor against a real SQLite store: retention deletes expired events per function (default
// 30 days, a set value, never), and the size cap trims the oldest events first. Old events are made by
// inserting them with old timestamps through the store; the janitor runs with a fixed clock.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { LogEvent } from "../core/log-events.js";
import { SqliteStore } from "../store/sqlite-store.js";
import { LogJanitor } from "./log-janitor.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

function events(fn: string, count: number, ts: number, size = 10): LogEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: 0,
    functionName: fn,
    version: "$LATEST",
    stream: `2026/06/01/[$LATEST]${"0".repeat(32)}`,
    timestamp: ts + i,
    requestId: `r-${fn}-${ts}-${i}`,
    error: false,
    message: "x".repeat(size),
  }));
}

async function withStore(run: (store: SqliteStore, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "vajra-logjanitor-"));
  const store = new SqliteStore(join(dir, "vajra.db"));
  try {
    await run(store, dir);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const count = async (store: SqliteStore, fn: string): Promise<number> =>
  (await store.logs.queryEvents({ functionName: fn, limit: 100_000 })).length;

test("retention deletes events older than each function's setting, in batches", async () => {
  await withStore(async (store) => {
    await store.logs.insertEvents([
      ...events("dflt", 30, NOW - 40 * DAY),
      ...events("dflt", 5, NOW - 10 * DAY),
      ...events("week", 7, NOW - 8 * DAY),
      ...events("week", 3, NOW - 2 * DAY),
      ...events("never", 4, NOW - 4000 * DAY),
    ]);
    await store.logs.setRetention("week", 7);
    await store.logs.setRetention("never", null);
    const janitor = new LogJanitor(store.logs, {
      batch: 4,
      now: () => NOW,
      onError: (e) => assert.fail(String(e)),
    });
    await janitor.runOnce();
    assert.equal(await count(store, "dflt"), 5);
    assert.equal(await count(store, "week"), 3);
    assert.equal(await count(store, "never"), 4);
    const groups = await store.logs.listGroups();
    assert.deepEqual(
      groups.map((g) => [g.functionName, g.retentionDays, g.storedBytes]),
      [
        ["dflt", undefined, 5 * 36],
        ["never", null, 4 * 36],
        ["week", 7, 3 * 36],
      ],
    );
    await janitor.stop();
  });
});

test("the size cap trims the oldest events of the whole store first", async () => {
  await withStore(async (store) => {
    // 3 functions x 400 events x (1000 + 26) bytes ≈ 1.17 MB; the cap is 1 MB.
    await store.logs.insertEvents(events("a", 400, NOW - 3000, 1000));
    await store.logs.insertEvents(events("b", 400, NOW - 2000, 1000));
    await store.logs.insertEvents(events("c", 400, NOW - 1000, 1000));
    const janitor = new LogJanitor(store.logs, {
      maxMb: 1,
      batch: 50,
      now: () => NOW,
      onError: (e) => assert.fail(String(e)),
    });
    await janitor.runOnce();
    const total = await store.logs.totalBytes();
    assert.ok(total <= 1024 * 1024, `total ${total}`);
    assert.ok(total > 1024 * 1024 - 50 * 1026, `trimmed in batches, not more: ${total}`);
    // What went was the oldest: all of a's first, b and c untouched.
    assert.ok((await count(store, "a")) < 400);
    assert.equal(await count(store, "b"), 400);
    assert.equal(await count(store, "c"), 400);
    const oldestLeft = (await store.logs.queryEvents({ functionName: "a", limit: 1 }))[0];
    assert.ok(oldestLeft !== undefined && oldestLeft.timestamp > NOW - 3000);
    await janitor.stop();
  });
});

test("full-text search finds substrings; deleted events leave the index", async () => {
  await withStore(async (store) => {
    const evs = events("f", 3, NOW);
    evs[1] = { ...(evs[1] as LogEvent), message: "the database Timeout hit" };
    await store.logs.insertEvents(evs);
    const hits = await store.logs.queryEvents({ functionName: "f", contains: ["base timeout"], limit: 10 });
    assert.deepEqual(
      hits.map((e) => e.message),
      ["the database Timeout hit"],
    );
    await store.logs.deleteOldest(3);
    assert.deepEqual(
      await store.logs.queryEvents({ functionName: "f", contains: ["base timeout"], limit: 10 }),
      [],
    );
  });
});

test("events are indexed when a search needs them; events deleted before that never reach the index", async () => {
  await withStore(async (store) => {
    const first = events("f", 4, NOW);
    first[0] = { ...(first[0] as LogEvent), message: "early needle" };
    await store.logs.insertEvents(first);
    // Deleted before any search: never indexed, so nothing of them is left for a search to find.
    await store.logs.deleteOldest(4);
    const later = events("f", 3, NOW + 1000);
    later[2] = { ...(later[2] as LogEvent), message: "late needle" };
    await store.logs.insertEvents(later);
    const hits = async (): Promise<string[]> =>
      (await store.logs.queryEvents({ functionName: "f", contains: ["needle"], limit: 10 })).map(
        (e) => e.message,
      );
    assert.deepEqual(await hits(), ["late needle"]);
    // Everything deleted, then new events: their ids are new (AUTOINCREMENT), so they are indexed too.
    await store.logs.deleteOldest(10);
    const again = events("f", 2, NOW + 2000);
    again[1] = { ...(again[1] as LogEvent), message: "newest needle" };
    await store.logs.insertEvents(again);
    assert.deepEqual(await hits(), ["newest needle"]);
  });
});
