import { test } from "node:test";
import assert from "node:assert/strict";
import { DueDispatcher } from "./due-dispatcher.js";

type Item = { id: string; notBefore: number };

test("runs due items earliest first, never more than maxInFlight at once, and later ones when due", async () => {
  // The dispatcher's timer does not keep a process alive (unref): this one does, for the test.
  const alive = setTimeout(() => undefined, 5000);
  const order: string[] = [];
  let running = 0;
  let peak = 0;
  const done = new Promise<void>((resolve) => {
    const d = new DueDispatcher<Item>({
      maxInFlight: 2,
      run: async (item) => {
        running++;
        peak = Math.max(peak, running);
        order.push(item.id);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (order.length === 4) resolve();
      },
      onError: (err) => assert.fail(String(err)),
    });
    const now = Date.now();
    d.add([
      { id: "later", notBefore: now + 40 },
      { id: "b", notBefore: now - 5 },
      { id: "a", notBefore: now - 10 },
      { id: "c", notBefore: now },
    ]);
  });
  await done;
  clearTimeout(alive);
  assert.deepEqual(order, ["a", "b", "c", "later"]);
  assert.equal(peak, 2);
});

test("an unstarted dispatcher holds its items; stop waits for the running ones", async () => {
  const ran: string[] = [];
  let release: () => void = () => undefined;
  const d = new DueDispatcher<Item>(
    {
      maxInFlight: 4,
      run: (item) =>
        new Promise<void>((r) => {
          ran.push(item.id);
          release = r;
        }),
      onError: (err) => assert.fail(String(err)),
    },
    false,
  );
  d.add([{ id: "x", notBefore: 0 }]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(ran, []);
  assert.equal(d.size, 1);
  d.start();
  assert.deepEqual(ran, ["x"]);
  let stopped = false;
  const stopping = d.stop().then(() => (stopped = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false);
  release();
  await stopping;
  assert.equal(d.size, 0);
});
