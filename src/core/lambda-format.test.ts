import { test } from "node:test";
import assert from "node:assert/strict";
import {
  billedDuration,
  functionArn,
  lambdaTimestamp,
  logStreamName,
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
