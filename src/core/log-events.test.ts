// Unit tests of cutting an invocation's log into events and of AWS-style stream names.

import assert from "node:assert/strict";
import { test } from "node:test";
import { fallbackInstanceId, logEventsOf, logStreamName } from "./log-events.js";
import type { InvocationRecord } from "./types.js";

test("stream names follow AWS: YYYY/MM/DD/[VERSION]instance", () => {
  const id = "0123456789abcdef0123456789abcdef";
  assert.equal(logStreamName("$LATEST", id, Date.UTC(2026, 0, 5, 23, 59)), `2026/01/05/[$LATEST]${id}`);
  assert.equal(logStreamName("3", id, Date.UTC(2026, 11, 31)), `2026/12/31/[3]${id}`);
  assert.match(fallbackInstanceId("6f1c2a9e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"), /^[0-9a-f]{32}$/);
});

test("each line is an event; runtime timestamps are kept; END/REPORT get the end time", () => {
  const startedAt = Date.UTC(2026, 0, 1, 12);
  const record: InvocationRecord = {
    requestId: "r1",
    functionName: "f",
    version: "$LATEST",
    startedAt,
    status: "success",
    report: { durationMs: 40, billedDurationMs: 40, memorySizeMb: 128, maxMemoryUsedMb: 30 },
    instanceId: "a".repeat(32),
    instanceStartedAt: startedAt - 1000,
    log:
      "START RequestId: r1 Version: $LATEST\n" +
      "2026-01-01T12:00:00.010Z\tr1\tINFO\thello\n" +
      "2026-01-01T12:00:00.020Z\tr1\tERROR\tboom\n" +
      "plain\n" +
      "END RequestId: r1\n" +
      "REPORT RequestId: r1\tDuration: 40 ms\n",
  };
  const events = logEventsOf(record);
  assert.equal(events.length, 6);
  assert.deepEqual(
    events.map((e) => e.timestamp - startedAt),
    [0, 10, 20, 20, 40, 40],
  );
  assert.deepEqual(
    events.map((e) => e.error),
    [false, false, true, false, false, false],
  );
  assert.equal(events[0]?.stream, `2026/01/01/[$LATEST]${"a".repeat(32)}`);
  assert.equal(
    logEventsOf({ ...record, status: "error" }).every((e) => e.error),
    true,
  );
});

test("log time arguments: durations ago, ISO dates, epoch ms; garbage is undefined", async () => {
  const { parseLogTime } = await import("./log-time.js");
  const now = Date.UTC(2026, 0, 2);
  assert.equal(parseLogTime("1h", now), now - 3600_000);
  assert.equal(parseLogTime("2d", now), now - 2 * 86400_000);
  assert.equal(parseLogTime("2026-01-01T00:00:00Z", now), Date.UTC(2026, 0, 1));
  assert.equal(parseLogTime("1767225600000", now), 1767225600000);
  assert.equal(parseLogTime("yesterday", now), undefined);
  assert.equal(parseLogTime("2026-13-45", now), undefined);
});
