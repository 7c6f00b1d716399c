// The conformance suite of the Store's log events (Store.logs), run by every Store implementation
// beside store-contract.ts: events cut from invocation records, their filters, paging, streams, groups
// and retention settings, each per region.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { InvocationRecord } from "../core/types.js";
import { storeRunner, type StoreContractOptions } from "./store-contract.js";

const T0 = Date.UTC(2026, 2, 3, 10);

function record(
  fn: string,
  requestId: string,
  startedAt: number,
  over: Partial<InvocationRecord> = {},
): InvocationRecord {
  return {
    requestId,
    functionName: fn,
    version: "$LATEST",
    startedAt,
    status: "success",
    report: { durationMs: 5, billedDurationMs: 5, memorySizeMb: 128, maxMemoryUsedMb: 20 },
    instanceId: "b".repeat(32),
    instanceStartedAt: T0,
    log: `START RequestId: ${requestId} Version: $LATEST\nline of ${requestId}\nEND RequestId: ${requestId}\nREPORT RequestId: ${requestId}\tDuration: 5 ms\n`,
    ...over,
  };
}

export function runLogStoreContract(name: string, opts: StoreContractOptions): void {
  const withStore = storeRunner(opts);

  test(`${name}: invocation records are cut into log events, filtered and paged`, () =>
    withStore(async (s) => {
      await s.insertInvocations([
        record("f", "r1", T0),
        record("f", "r2", T0 + 1000, { status: "error", version: "2" }),
        record("g", "r3", T0 + 2000),
      ]);
      const all = await s.logs.queryEvents({ functionName: "f", limit: 100 });
      assert.equal(all.length, 8);
      assert.deepEqual(
        all.slice(0, 2).map((e) => e.message),
        ["START RequestId: r1 Version: $LATEST", "line of r1"],
      );
      assert.equal(all[0]?.stream, `2026/03/03/[$LATEST]${"b".repeat(32)}`);
      assert.equal((await s.logs.queryEvents({ functionName: "f", requestId: "r2", limit: 100 })).length, 4);
      assert.equal((await s.logs.queryEvents({ functionName: "f", version: "2", limit: 100 })).length, 4);
      assert.equal((await s.logs.queryEvents({ functionName: "f", errorsOnly: true, limit: 100 })).length, 4);
      assert.equal((await s.logs.queryEvents({ functionName: "f", start: T0 + 1000, limit: 100 })).length, 4);
      assert.equal((await s.logs.queryEvents({ functionName: "f", end: T0 + 999, limit: 100 })).length, 4);
      const text = await s.logs.queryEvents({ functionName: "f", contains: ["LINE OF R2"], limit: 100 });
      assert.deepEqual(
        text.map((e) => e.message),
        ["line of r2"],
      );
      // Keyset paging both ways.
      const first = await s.logs.queryEvents({ functionName: "f", limit: 3 });
      const last = first.at(-1);
      assert.ok(last !== undefined);
      const rest = await s.logs.queryEvents({ functionName: "f", limit: 100, after: last });
      assert.deepEqual(
        [...first, ...rest].map((e) => e.id),
        all.map((e) => e.id),
      );
      const newest = await s.logs.queryEvents({ functionName: "f", limit: 2, descending: true });
      assert.deepEqual(
        newest.map((e) => e.id),
        all
          .slice(-2)
          .reverse()
          .map((e) => e.id),
      );
      const streams = await s.logs.listStreams("f");
      assert.equal(streams.length, 2);
      assert.ok(streams.every((x) => x.storedBytes > 0 && x.firstEventTime <= x.lastEventTime));
    }));

  test(`${name}: log groups count stored bytes and keep retention settings, per region`, () =>
    withStore(async (s) => {
      const eu = s.inRegion("eu-west-1");
      await s.insertInvocations([record("f", "r1", T0)]);
      await eu.insertInvocations([record("f", "r2", T0), record("h", "r3", T0)]);
      await s.logs.setRetention("f", 7);
      await eu.logs.setRetention("f", null);
      const home = await s.logs.listGroups();
      assert.deepEqual(
        home.map((g) => [g.functionName, g.retentionDays]),
        [["f", 7]],
      );
      const bytes = home[0]?.storedBytes ?? 0;
      const events = await s.logs.queryEvents({ functionName: "f", limit: 100 });
      assert.equal(
        bytes,
        events.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0),
      );
      const euGroups = await eu.logs.listGroups();
      assert.deepEqual(
        euGroups.map((g) => [g.functionName, g.retentionDays]),
        [
          ["f", null],
          ["h", undefined],
        ],
      );
      assert.equal((await eu.logs.queryEvents({ functionName: "f", limit: 100 }))[0]?.requestId, "r2");
      await s.logs.setRetention("f", undefined);
      assert.equal((await s.logs.listGroups())[0]?.retentionDays, undefined);
      assert.equal(await s.logs.totalBytes(), bytes * 3);
    }));
}
