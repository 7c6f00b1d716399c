// Percentiles and the summary printed by `vajra invoke --test`.

import assert from "node:assert/strict";
import { test } from "node:test";
import { percentile, summarize, type TestRun } from "./stats.js";

void test("nearest-rank percentiles", () => {
  assert.equal(percentile([], 50), undefined);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
  assert.equal(percentile([1, 2, 3, 4, 5, 6], 95), 6);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
});

void test("summarizes a cold run followed by warm runs", () => {
  const runs: TestRun[] = [
    {
      run: 1,
      cold: true,
      status: "ok",
      initMs: 80,
      durationMs: 10,
      billedMs: 10,
      maxMemoryMb: 40,
      memorySizeMb: 128,
    },
    { run: 2, cold: false, status: "ok", durationMs: 2, billedMs: 2, maxMemoryMb: 42, memorySizeMb: 128 },
    { run: 3, cold: false, status: "error", durationMs: 3, billedMs: 3, maxMemoryMb: 41, memorySizeMb: 128 },
  ];
  assert.deepEqual(summarize(runs), {
    runs: 3,
    errors: 1,
    initMs: 80,
    durationP50Ms: 3,
    durationP95Ms: 10,
    warmDurationP50Ms: 2,
    billedP50Ms: 3,
    maxMemoryMb: 42,
    memorySizeMb: 128,
  });
});

void test("leaves out figures the server did not report", () => {
  assert.deepEqual(summarize([{ run: 1, cold: false, status: "ok" }]), { runs: 1, errors: 0 });
});
