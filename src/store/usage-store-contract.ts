// The conformance suite of the Store's metering (Store.usage), run by every Store implementation beside
// store-contract.ts: usage rows add up per key and per region, price sheets are versioned host-wide,
// metering records page through invocations in start order.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PRICE_SHEET, HOUR_MS, type UsageRow } from "../core/billing.js";
import { sampleInvocation, storeRunner, type StoreContractOptions } from "./store-contract.js";

const T0 = Date.UTC(2026, 4, 1, 10);

function usage(over: Partial<UsageRow>): UsageRow {
  return {
    functionName: "f",
    version: "$LATEST",
    hour: T0,
    memoryMb: 128,
    ephemeralMb: 512,
    requests: 1,
    billedMs: 10,
    provisionedBilledMs: 0,
    provisionedMs: 0,
    ...over,
  };
}

export function runUsageStoreContract(name: string, opts: StoreContractOptions): void {
  const withStore = storeRunner(opts);

  test(`${name}: usage rows add up per key, are listed by hour range and function, per region`, () =>
    withStore(async (s) => {
      await s.usage.merge([
        usage({}),
        usage({ memoryMb: 256 }),
        usage({ functionName: "g", hour: T0 + HOUR_MS }),
      ]);
      await s.usage.merge([usage({ requests: 2, billedMs: 5, provisionedMs: 7, provisionedBilledMs: 3 })]);
      const all = await s.usage.list(T0, T0 + 2 * HOUR_MS);
      assert.equal(all.length, 3);
      const f128 = all.find((r) => r.functionName === "f" && r.memoryMb === 128);
      assert.deepEqual(
        f128 && [f128.requests, f128.billedMs, f128.provisionedMs, f128.provisionedBilledMs],
        [3, 15, 7, 3],
      );
      assert.deepEqual(
        (await s.usage.list(T0, T0 + HOUR_MS)).map((r) => r.functionName),
        ["f", "f"],
      );
      assert.deepEqual(
        (await s.usage.list(T0, T0 + 2 * HOUR_MS, "g")).map((r) => r.hour),
        [T0 + HOUR_MS],
      );
      const eu = s.inRegion("eu-west-1");
      assert.deepEqual(await eu.usage.list(T0, T0 + 2 * HOUR_MS), []);
      // Usage outlives the function: deleting it keeps its cost history.
      await s.deleteFunction("f");
      assert.equal((await s.usage.list(T0, T0 + HOUR_MS, "f")).length, 2);
    }));

  test(`${name}: price sheets get increasing versions shared by every region`, () =>
    withStore(async (s) => {
      assert.deepEqual(await s.usage.listPriceSheets(), []);
      const a = await s.usage.addPriceSheet({ ...DEFAULT_PRICE_SHEET, durationPerGbSecond: 1 }, T0);
      const b = await s.inRegion("eu-west-1").usage.addPriceSheet(DEFAULT_PRICE_SHEET, T0 + HOUR_MS);
      assert.deepEqual([a.version, b.version], [1, 2]);
      const listed = await s.usage.listPriceSheets();
      assert.deepEqual(
        listed.map((v) => [v.version, v.effectiveFrom, v.sheet.durationPerGbSecond]),
        [
          [1, T0, 1],
          [2, T0 + HOUR_MS, DEFAULT_PRICE_SHEET.durationPerGbSecond],
        ],
      );
    }));

  test(`${name}: metering records page through invocations in start order, by function or all`, () =>
    withStore(async (s) => {
      const records = [
        sampleInvocation("f", "r1", T0 + 1),
        sampleInvocation("g", "r2", T0 + 2),
        sampleInvocation("f", "r3", T0 + 2),
        sampleInvocation("f", "r4", T0 + 3),
        sampleInvocation("f", "late", T0 + HOUR_MS),
      ];
      await s.insertInvocations(records);
      const p1 = await s.usage.listMetering({ fromMs: T0, toMs: T0 + 10, limit: 2 });
      assert.deepEqual(
        p1.records.map((r) => r.requestId),
        ["r1", "r2"],
      );
      assert.ok(p1.next !== undefined);
      const p2 = await s.usage.listMetering({ fromMs: T0, toMs: T0 + 10, limit: 2, after: p1.next });
      assert.deepEqual(
        p2.records.map((r) => r.requestId),
        ["r3", "r4"],
      );
      const p3 = await s.usage.listMetering({
        fromMs: T0,
        toMs: T0 + 10,
        limit: 2,
        ...(p2.next === undefined ? {} : { after: p2.next }),
      });
      assert.deepEqual(p3.records, []);
      const f = await s.usage.listMetering({
        fromMs: T0,
        toMs: T0 + 2 * HOUR_MS,
        limit: 10,
        functionName: "f",
      });
      assert.deepEqual(
        f.records.map((r) => r.requestId),
        ["r1", "r3", "r4", "late"],
      );
      assert.equal(f.next, undefined);
      const r1 = f.records[0];
      assert.deepEqual(
        r1 && [r1.billedDurationMs, r1.memorySizeMb, r1.maxMemoryUsedMb, r1.attempt, r1.status],
        [2, 128, 20, 0, "success"],
      );
      assert.deepEqual(
        (await s.inRegion("eu-west-1").usage.listMetering({ fromMs: T0, toMs: T0 + 10, limit: 5 })).records,
        [],
      );
    }));
}
