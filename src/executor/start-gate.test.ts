// The start gate: at most `limit` starts at once, the rest in arrival order, a slot given back once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { StartGate, defaultMaxConcurrentStarts } from "./start-gate.js";

test("lets `limit` starts through at once and queues the rest in arrival order", async () => {
  const gate = new StartGate(2);
  const a = await gate.acquire();
  const b = await gate.acquire();
  const order: string[] = [];
  const c = gate.acquire().then((r) => (order.push("c"), r));
  const d = gate.acquire().then((r) => (order.push("d"), r));
  await Promise.resolve();
  assert.deepEqual([gate.active, gate.queued, order.length], [2, 2, 0]);
  a();
  a(); // a second release of the same slot changes nothing
  const releaseC = await c;
  assert.deepEqual([gate.active, gate.queued, order], [2, 1, ["c"]]);
  b();
  const releaseD = await d;
  assert.deepEqual(order, ["c", "d"]);
  releaseC();
  releaseD();
  assert.deepEqual([gate.active, gate.queued], [0, 0]);
});

test("refuses a limit below one and defaults to a few starts per CPU", () => {
  assert.throws(() => new StartGate(0), RangeError);
  assert.equal(defaultMaxConcurrentStarts(1), 4);
  assert.equal(defaultMaxConcurrentStarts(8), 32);
});
