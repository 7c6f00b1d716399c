// The placement rule: when every instance is busy, wait for one only when that is expected sooner than
// a cold start; the waiting queue hands instances out first come first served and lets go in time.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PlacementBook, PlacementStats, WaitQueue, waitBudget, type PlacementView } from "./placement.js";

const view = (over: Partial<PlacementView>): PlacementView => ({
  busyReady: 4,
  starting: 0,
  waiting: 0,
  warmMs: 1,
  coldMs: 70,
  startingAgeMs: 0,
  cores: 2,
  ...over,
});

test("starts an instance while nothing is known about the function", () => {
  assert.equal(waitBudget(view({ warmMs: undefined })), 0);
  assert.equal(waitBudget(view({ coldMs: undefined })), 0);
});

test("starts an instance while there are fewer instances than CPUs", () => {
  assert.equal(waitBudget(view({ busyReady: 0, starting: 0 })), 0);
  assert.equal(waitBudget(view({ busyReady: 1, starting: 0 })), 0);
  assert.equal(waitBudget(view({ busyReady: 0, starting: 1 })), 0);
});

test("waits for a busy instance when short invocations free one up sooner than a cold start", () => {
  // 30 invocations queued behind 2 instances that each take 1 ms: the 31st expects ~15.5 ms < 70 ms.
  assert.equal(waitBudget(view({ busyReady: 2, waiting: 30 })), 70);
});

test("one wait is bounded even when cold starts are slow", () => {
  assert.equal(waitBudget(view({ coldMs: 5000 })), 1000);
});

test("starts an instance when the queue would take longer than a cold start", () => {
  // 1-second invocations (a sleep): waiting for one is never sooner than a 70 ms cold start.
  assert.equal(waitBudget(view({ warmMs: 1000 })), 0);
  // Short invocations but a long queue: the 200th behind 2 instances of 1 ms waits ~100 ms > 70 ms.
  assert.equal(waitBudget(view({ busyReady: 2, waiting: 199 })), 0);
});

test("the budget is the cold start, slowed by the starts already sharing the CPUs", () => {
  // 2 starts in progress on 2 CPUs: a third would take 1.5 × 70 ms.
  assert.equal(waitBudget(view({ busyReady: 0, starting: 2, startingAgeMs: 10 })), 105);
  // 2 warm instances busy, 2 starting: still 105, the queue is short.
  assert.equal(waitBudget(view({ busyReady: 2, starting: 2 })), 105);
});

test("waits for an instance being started when it will be ready before a new one could be", () => {
  // A burst: 2 instances starting, 40 ms in; the next invocation expects 30 ms + 0.5 ms.
  assert.ok(waitBudget(view({ busyReady: 0, starting: 2, startingAgeMs: 40 })) > 0);
  // Far back in the queue behind them it no longer pays.
  assert.equal(waitBudget(view({ busyReady: 0, starting: 2, waiting: 150, startingAgeMs: 0 })), 0);
});

test("running means follow the samples; a wait that ran out raises the warm estimate to the cold start", () => {
  const s = new PlacementStats();
  s.recordWarm(10);
  s.recordWarm(0);
  assert.equal(s.warmMs, 8);
  s.recordCold(100);
  assert.equal(s.coldMs, 100);
  // 4 instances busy, the first in the queue waited the whole 100 ms: a hold lasts >= ~400 ms.
  s.waitTimedOut(100, 4, 1);
  assert.equal(s.warmMs, 400);
  assert.equal(waitBudget(view({ busyReady: 4, warmMs: s.warmMs, coldMs: s.coldMs })), 0);
});

test("one long hold moves the warm mean by a bounded step; a lasting slowdown still shows", () => {
  const s = new PlacementStats();
  s.recordWarm(1);
  s.recordWarm(1000); // counted as 4 ms
  assert.ok(Math.abs((s.warmMs ?? 0) - 1.6) < 1e-9, String(s.warmMs));
  for (let i = 0; i < 20; i++) s.recordWarm(1000);
  assert.ok((s.warmMs ?? 0) > 100, String(s.warmMs));
});

test("the book keeps figures per pool key and forgets the oldest beyond its size", () => {
  const book = new PlacementBook(2);
  book.get("a").recordWarm(5);
  assert.equal(book.get("a").warmMs, 5);
  book.get("b");
  book.get("c");
  assert.equal(book.get("a").warmMs, undefined);
});

test("the queue hands values out first come first served", async () => {
  const q = new WaitQueue<string>();
  const first = q.wait(10_000);
  const second = q.wait(10_000);
  assert.equal(q.length, 2);
  assert.equal(q.offer("x"), true);
  assert.equal(q.offer("y"), true);
  assert.equal(q.offer("z"), false);
  assert.equal(await first, "x");
  assert.equal(await second, "y");
  assert.equal(q.length, 0);
});

test("a waiter whose time runs out leaves the queue empty-handed and is told", async () => {
  const q = new WaitQueue<string>();
  let told = 0;
  const r = await q.wait(1, () => told++);
  assert.equal(r, undefined);
  assert.equal(told, 1);
  assert.equal(q.length, 0);
  assert.equal(q.offer("x"), false);
});

test("drain wakes every waiter empty-handed", async () => {
  const q = new WaitQueue<string>();
  const all = [q.wait(10_000), q.wait(10_000)];
  q.drain();
  assert.deepEqual(await Promise.all(all), [undefined, undefined]);
  assert.equal(q.length, 0);
});
