// Unit tests of the live log fan-out: followers get only their function's matching events, a slow
// follower's buffer stays bounded (oldest dropped, counted), and a closed follower gets nothing more.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { InvocationRecord } from "../core/types.js";
import { LogBus } from "./logs.js";

function record(fn: string, lines: string[]): InvocationRecord {
  return {
    requestId: `r-${fn}-${lines.length}`,
    functionName: fn,
    version: "$LATEST",
    startedAt: 1_000,
    status: "success",
    report: { durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 1 },
    log: lines.map((l) => `${l}\n`).join(""),
  };
}

test("followers get their function's matching events, bounded, until closed", () => {
  const bus = new LogBus();
  let wakes = 0;
  const f = bus.subscribe(
    "us-east-1",
    "a",
    (e) => !e.message.startsWith("skip"),
    () => wakes++,
    3,
  );
  bus.publish("us-east-1", [record("a", ["one", "skip me", "two"]), record("b", ["other"])]);
  bus.publish("eu-west-1", [record("a", ["elsewhere"])]);
  assert.deepEqual(
    f.take().map((e) => e.message),
    ["one", "two"],
  );
  assert.equal(wakes, 1);
  bus.publish("us-east-1", [record("a", ["1", "2", "3", "4", "5"])]);
  assert.deepEqual(
    f.take().map((e) => e.message),
    ["3", "4", "5"],
  );
  assert.equal(f.dropped, 2);
  f.close();
  assert.equal(bus.followers, 0);
  bus.publish("us-east-1", [record("a", ["late"])]);
  assert.deepEqual(f.take(), []);
});
