// How an Event invocation ends, as the queue hands it to its destinations: Success with the response,
// RetriesExhausted with the last failed response, EventAgeExceeded for an event past its maximum age;
// the records `settle` makes are stored in the same write that removes the event.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { PendingDelivery } from "../core/destination.js";
import type { QueuedInvocation } from "../core/types.js";
import { SqliteStore } from "../store/sqlite-store.js";
import { AsyncQueue, type Settlement } from "./async-queue.js";

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

function setup(opts: { fail: (payload: string) => boolean; maxAgeMs?: number }) {
  const store = new SqliteStore(":memory:");
  const settled: { item: QueuedInvocation; s: Settlement }[] = [];
  const accepted: PendingDelivery[] = [];
  const queue = new AsyncQueue(store, {
    run: (item) => {
      const payload = Buffer.from(item.payload, "base64").toString();
      const ok = !opts.fail(payload);
      return Promise.resolve({
        ok,
        body: Buffer.from(ok ? '"fine"' : '{"errorMessage":"no"}'),
        version: "$LATEST",
      });
    },
    settle: (item, s) => {
      settled.push({ item, s });
      return [
        {
          id: `rec-${item.requestId}`,
          destination: "http://127.0.0.1:9/x",
          body: "",
          origin: s.condition,
          functionName: item.functionName,
          attempts: 0,
          createdAt: 0,
          notBefore: 0,
        },
      ];
    },
    onSettled: (d) => accepted.push(...d),
    retryBaseMs: 5,
    policy: () => ({ maxRetries: 1, maxAgeMs: opts.maxAgeMs ?? 60_000 }),
    maxInFlight: 2,
    onDrop: () => undefined,
    onError: (err) => assert.fail(String(err)),
  });
  return { store, queue, settled, accepted };
}

test("success and exhausted retries are settled with the response; their records are stored with the dequeue", async () => {
  const { store, queue, settled, accepted } = setup({ fail: (p) => p.includes("bad") });
  await queue.start();
  const ok = await queue.enqueue("f", Buffer.from('{"x":"good"}'));
  const bad = await queue.enqueue("f", Buffer.from('{"x":"bad"}'));
  await until(() => settled.length === 2, "both settled");
  const byId = new Map(settled.map((x) => [x.item.requestId, x.s]));
  assert.equal(byId.get(ok)?.condition, "Success");
  assert.equal(byId.get(ok)?.invokeCount, 1);
  assert.equal(byId.get(ok)?.result?.body.toString(), '"fine"');
  assert.equal(byId.get(bad)?.condition, "RetriesExhausted");
  assert.equal(byId.get(bad)?.invokeCount, 2, "the first attempt and one retry");
  assert.equal(byId.get(bad)?.result?.ok, false);
  assert.deepEqual(await store.listQueuedInvocations(), []);
  assert.deepEqual(
    (await store.listDeliveries()).map((d) => d.id).sort(),
    [`rec-${ok}`, `rec-${bad}`].sort(),
  );
  assert.equal(accepted.length, 2);
  queue.stop();
  await store.close();
});

test("an event older than its maximum age is settled EventAgeExceeded without running", async () => {
  const { store, queue, settled } = setup({ fail: () => true, maxAgeMs: 0 });
  await store.enqueueInvocation({
    requestId: "old",
    functionName: "f",
    payload: Buffer.from("{}").toString("base64"),
    attempts: 0,
    enqueuedAt: Date.now() - 1000,
    notBefore: 0,
  });
  await queue.start();
  await until(() => settled.length === 1, "the settlement");
  assert.deepEqual(settled[0]?.s, { condition: "EventAgeExceeded", invokeCount: 0 });
  queue.stop();
  await store.close();
});
