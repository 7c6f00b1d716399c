import { test } from "node:test";
import assert from "node:assert/strict";
import {
  billedDuration,
  functionArn,
  lambdaTimestamp,
  logStreamName,
  platformEnd,
  platformReport,
  platformStart,
  platformStatus,
  reportLine,
  tailBytes,
} from "./lambda-format.js";

test("REPORT puts Init Duration last and only on cold starts", () => {
  const warm = reportLine("id", {
    durationMs: 2.9,
    billedDurationMs: 3,
    memorySizeMb: 128,
    maxMemoryUsedMb: 36,
  });
  assert.equal(
    warm,
    "REPORT RequestId: id\tDuration: 2.90 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\n",
  );
  const cold = reportLine("id", {
    durationMs: 1,
    billedDurationMs: 1,
    memorySizeMb: 128,
    maxMemoryUsedMb: 1,
    initDurationMs: 110.1,
  });
  assert.match(cold, /Max Memory Used: 1 MB\tInit Duration: 110\.10 ms\n$/);
});

test("billing rounds up to the next millisecond, at least 1", () => {
  assert.equal(billedDuration(0), 1);
  assert.equal(billedDuration(2.01), 3);
  assert.equal(billedDuration(3), 3);
});

test("ARNs, timestamps and log stream names have Lambda's shapes", () => {
  assert.equal(functionArn("f"), "arn:aws:lambda:us-east-1:000000000000:function:f");
  assert.equal(functionArn("f", "3"), "arn:aws:lambda:us-east-1:000000000000:function:f:3");
  assert.equal(lambdaTimestamp(new Date("2026-01-01T00:00:00Z")), "2026-01-01T00:00:00.000+0000");
  assert.equal(logStreamName("$LATEST", "ab", new Date("2026-03-04T00:00:00Z")), "2026/03/04/[$LATEST]ab");
});

test("log tails keep the last bytes without splitting a character", () => {
  assert.equal(tailBytes("abcdef", 3).toString(), "def");
  assert.equal(tailBytes("aé", 1).toString(), "");
  assert.equal(tailBytes("éé", 3).toString(), "é");
});

test("JSON platform records: platform.start and platform.report with metrics and status", () => {
  const now = new Date("2026-01-02T03:04:05.678Z");
  const style = { format: "JSON", systemLevel: "INFO" } as const;
  assert.equal(
    platformStart("id", "$LATEST", style, now),
    '{"time":"2026-01-02T03:04:05.678Z","type":"platform.start","record":{"requestId":"id","version":"$LATEST"}}\n',
  );
  const report = platformReport(
    "id",
    {
      durationMs: 2.456,
      billedDurationMs: 3,
      memorySizeMb: 128,
      maxMemoryUsedMb: 40,
      initDurationMs: 101.234,
    },
    "success",
    style,
    undefined,
    now,
  );
  assert.deepEqual(JSON.parse(report), {
    time: "2026-01-02T03:04:05.678Z",
    type: "platform.report",
    record: {
      requestId: "id",
      metrics: {
        durationMs: 2.46,
        billedDurationMs: 3,
        memorySizeMB: 128,
        maxMemoryUsedMB: 40,
        initDurationMs: 101.23,
      },
      status: "success",
    },
  });
  const failed = JSON.parse(
    platformReport(
      "id",
      { durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 1 },
      "timeout",
      style,
      "Sandbox.Timedout",
    ),
  ) as { record: { status: string; errorType: string; metrics: Record<string, number> } };
  assert.equal(failed.record.status, "timeout");
  assert.equal(failed.record.errorType, "Sandbox.Timedout");
  assert.equal(failed.record.metrics.initDurationMs, undefined);
});

test("SystemLogLevel filters platform records: runtimeDone only at DEBUG, nothing at WARN", () => {
  const r = { durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 1 };
  const info = { format: "JSON", systemLevel: "INFO" } as const;
  const debug = { format: "JSON", systemLevel: "DEBUG" } as const;
  const warn = { format: "JSON", systemLevel: "WARN" } as const;
  assert.equal(platformEnd("id", "success", 1, info), "");
  assert.match(platformEnd("id", "success", 1, debug), /"type":"platform\.runtimeDone".*"status":"success"/);
  assert.equal(platformStart("id", "1", warn), "");
  assert.equal(platformReport("id", r, "success", warn), "");
  // Text keeps Lambda's lines whatever the level.
  assert.equal(platformStart("id", "1"), "START RequestId: id Version: 1\n");
  assert.equal(platformEnd("id", "success", 1), "END RequestId: id\n");
  assert.match(platformReport("id", r, "success"), /^REPORT RequestId: id\t/);
});

test("platform status follows the error type", () => {
  assert.equal(platformStatus(undefined), "success");
  assert.equal(platformStatus("Sandbox.Timedout"), "timeout");
  assert.equal(platformStatus("Runtime.ExitError"), "failure");
  assert.equal(platformStatus("Unhandled"), "error");
});
