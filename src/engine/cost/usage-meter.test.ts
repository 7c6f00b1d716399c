import { test } from "node:test";
import assert from "node:assert/strict";
import { HOUR_MS, type PriceSheet, type PriceSheetVersion, type UsageRow } from "../../core/billing.js";
import type { UsageStore } from "../../store/usage-store.js";
import { UsageMeter, type ProvisionedCapacity } from "./usage-meter.js";

/** A UsageStore that keeps merged rows in memory (the SQLite one runs in the store contract). */
class MemoryUsage implements UsageStore {
  readonly rows: UsageRow[] = [];
  merge(rows: readonly UsageRow[]): Promise<void> {
    this.rows.push(...rows.map((r) => ({ ...r })));
    return Promise.resolve();
  }
  list(): Promise<UsageRow[]> {
    return Promise.resolve(this.rows);
  }
  listPriceSheets(): Promise<PriceSheetVersion[]> {
    return Promise.resolve([]);
  }
  addPriceSheet(sheet: PriceSheet, effectiveFrom: number): Promise<PriceSheetVersion> {
    return Promise.resolve({ version: 1, effectiveFrom, sheet });
  }
  listMetering(): Promise<{ records: [] }> {
    return Promise.resolve({ records: [] });
  }
}

const T0 = Date.UTC(2026, 10, 10, 12, 59);

test("the meter adds invocations per version, hour and configuration, and bills provisioned time per hour", async () => {
  let now = T0;
  let capacity: ProvisionedCapacity[] = [];
  const store = new MemoryUsage();
  const meter = new UsageMeter(store, {
    flushIntervalMs: 3600_000,
    provisionedTickMs: 3600_000,
    provisioned: () => capacity,
    now: () => now,
    onError: (err) => assert.fail(err as Error),
  });
  try {
    meter.invocation("f", "1", 128, 512, 10, false);
    meter.invocation("f", "1", 128, 512, 30, true);
    meter.invocation("f", "1", 256, 512, 5, false);
    capacity = [{ functionName: "f", version: "1", memoryMb: 128, ephemeralMb: 512, instances: 2 }];
    meter.tick(); // first seen: nothing billed for the time before
    now = T0 + 2 * 60_000; // one minute in the old hour, one in the next
    capacity = [];
    meter.tick(); // billed for what the previous sample saw
    await meter.flush();
    const at128 = store.rows.filter((r) => r.memoryMb === 128);
    const first = at128.find((r) => r.hour === T0 - 59 * 60_000);
    assert.deepEqual(
      first && [first.requests, first.billedMs, first.provisionedBilledMs, first.provisionedMs],
      [2, 40, 30, 2 * 60_000],
    );
    const next = at128.find((r) => r.hour === T0 + 60_000);
    assert.equal(next?.provisionedMs, 2 * 60_000);
    assert.equal(next?.hour, Math.floor(T0 / HOUR_MS) * HOUR_MS + HOUR_MS);
    assert.equal(store.rows.find((r) => r.memoryMb === 256)?.requests, 1);
    // Nothing pending: a second flush writes nothing.
    const n = store.rows.length;
    await meter.flush();
    assert.equal(store.rows.length, n);
  } finally {
    await meter.close();
  }
});
