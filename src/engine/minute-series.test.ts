import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { MINUTE_MS, METRICS_RETENTION_MS } from "../core/metric-series.js";
import { SqliteStore } from "../store/sqlite-store.js";
import { MinuteSeries } from "./minute-series.js";

async function withSeries(
  fn: (ctx: {
    store: SqliteStore;
    path: string;
    clock: { now: number };
    open: () => MinuteSeries;
  }) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "vajra-series-"));
  const path = join(dir, "vajra.db");
  const store = new SqliteStore(path);
  const clock = { now: Date.UTC(2026, 0, 10, 12, 0, 5) };
  const opened: MinuteSeries[] = [];
  const open = (): MinuteSeries => {
    const s = new MinuteSeries(store, {
      flushIntervalMs: 3600_000,
      pruneIntervalMs: 3600_000,
      now: () => clock.now,
      onError: (err) => assert.fail(String(err)),
    });
    opened.push(s);
    return s;
  };
  try {
    await fn({ store, path, clock, open });
  } finally {
    for (const s of opened) await s.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const range = (fromMs: number, minutes: number, periodMinutes = 1) => ({
  fromMs,
  toMs: fromMs + minutes * MINUTE_MS,
  periodMs: periodMinutes * MINUTE_MS,
});

test("invocations land in the bucket of their minute and nothing is written until a flush", async () => {
  await withSeries(async ({ store, clock, open }) => {
    const s = open();
    const t0 = clock.now - (clock.now % MINUTE_MS);
    s.invocation("f", true, 10, true, 1);
    s.invocation("f", false, 30, false, 3);
    s.throttle("f");
    clock.now += MINUTE_MS;
    s.invocation("f", true, 20, false, 2);
    s.invocation("g", true, 1, false, 1);
    assert.equal((await store.listMetricBuckets("f", 0, Infinity)).length, 0);
    const points = await s.query("f", range(t0, 2));
    assert.deepEqual(
      points.map((p) => [
        p.invocations,
        p.errors,
        p.throttles,
        p.coldStarts,
        p.maxConcurrency,
        p.durationMaxMs,
      ]),
      [
        [2, 1, 1, 1, 3, 30],
        [1, 0, 0, 0, 2, 20],
      ],
    );
    const stored = await store.listMetricBuckets("f", 0, Infinity);
    assert.equal(stored.length, 2);
  });
});

test("a flush adds to the stored minute, so a restart mid-minute keeps what was written before it", async () => {
  await withSeries(async ({ clock, open }) => {
    const t0 = clock.now - (clock.now % MINUTE_MS);
    const first = open();
    first.invocation("f", true, 5, true, 1);
    await first.close();
    const second = open();
    second.invocation("f", true, 7, false, 4);
    second.invocation("f", true, 9, false, 1);
    const [p] = await second.query("f", range(t0, 1));
    assert.equal(p?.invocations, 3);
    assert.equal(p?.coldStarts, 1);
    assert.equal(p?.maxConcurrency, 4);
    assert.equal(p?.durationAvgMs, 7);
  });
});

test("buckets past the 14-day retention are pruned; newer ones stay", async () => {
  await withSeries(async ({ store, clock, open }) => {
    const s = open();
    s.invocation("f", true, 1, false, 1);
    await s.flush();
    clock.now += METRICS_RETENTION_MS - MINUTE_MS;
    s.invocation("f", true, 1, false, 1);
    await s.flush();
    await s.prune();
    assert.equal((await store.listMetricBuckets("f", 0, Infinity)).length, 2);
    clock.now += 2 * MINUTE_MS;
    await s.prune();
    assert.equal((await store.listMetricBuckets("f", 0, Infinity)).length, 1);
  });
});

test("deleting a function deletes its buckets", async () => {
  await withSeries(async ({ store, open }) => {
    const s = open();
    s.invocation("gone", true, 1, false, 1);
    await s.flush();
    await store.deleteFunction("gone");
    assert.equal((await store.listMetricBuckets("gone", 0, Infinity)).length, 0);
  });
});
