// Header conversions between W3C traceparent and X-Ray trace ids.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatTraceparent,
  formatXrayHeader,
  incomingTraceContext,
  parseTraceparent,
  parseXrayHeader,
  sampledFor,
  validateTracingMode,
  xrayRoot,
} from "./trace-context.js";

const T = "5759e988bd862e3fe1be46a994272793";
const S = "53995c3f42cd8ad8";

test("traceparent round-trips and reads the sampled flag", () => {
  assert.deepEqual(parseTraceparent(`00-${T}-${S}-01`), { traceId: T, spanId: S, sampled: true });
  assert.deepEqual(parseTraceparent(`00-${T}-${S}-00`), { traceId: T, spanId: S, sampled: false });
  assert.equal(formatTraceparent({ traceId: T, spanId: S, sampled: true }), `00-${T}-${S}-01`);
  assert.deepEqual(parseTraceparent(` 00-${T.toUpperCase()}-${S}-01 `)?.traceId, T);
});

test("malformed or all-zero traceparent is ignored", () => {
  for (const bad of [
    undefined,
    "",
    "garbage",
    `ff-${T}-${S}-01`,
    `00-${"0".repeat(32)}-${S}-01`,
    `00-${T}-${"0".repeat(16)}-01`,
    `00-${T.slice(1)}-${S}-01`,
    `00-${T}-${S}-01-extra`,
    `00-${T}-${S}-zz`,
  ]) {
    assert.equal(parseTraceparent(bad), undefined, String(bad));
  }
  // A future version may carry more fields.
  assert.equal(parseTraceparent(`01-${T}-${S}-01-more`)?.spanId, S);
});

test("X-Ray header parses Root, Parent and Sampled in any order", () => {
  assert.deepEqual(parseXrayHeader(`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${S};Sampled=1`), {
    traceId: T,
    spanId: S,
    sampled: true,
  });
  assert.deepEqual(parseXrayHeader(`Sampled=0;Root=1-5759e988-bd862e3fe1be46a994272793`), {
    traceId: T,
    sampled: false,
  });
  assert.deepEqual(parseXrayHeader(`Root=1-5759e988-bd862e3fe1be46a994272793`), { traceId: T });
  assert.equal(parseXrayHeader("Root=2-5759e988-bd862e3fe1be46a994272793"), undefined);
  assert.equal(parseXrayHeader("Parent=53995c3f42cd8ad8"), undefined);
  assert.equal(parseXrayHeader(undefined), undefined);
});

test("X-Ray header is formed from a W3C trace id", () => {
  assert.equal(xrayRoot(T), "1-5759e988-bd862e3fe1be46a994272793");
  assert.equal(
    formatXrayHeader({ traceId: T, spanId: S, sampled: false }),
    `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${S};Sampled=0`,
  );
  const round = parseXrayHeader(formatXrayHeader({ traceId: T, spanId: S, sampled: true }));
  assert.deepEqual(round, { traceId: T, spanId: S, sampled: true });
});

test("traceparent wins over X-Amzn-Trace-Id", () => {
  const other = "1-11111111-222222222222222222222222";
  assert.equal(
    incomingTraceContext({ traceparent: `00-${T}-${S}-01`, "x-amzn-trace-id": `Root=${other}` })?.traceId,
    T,
  );
  assert.equal(
    incomingTraceContext({ "x-amzn-trace-id": `Root=${other}` })?.traceId,
    "11111111222222222222222222222222",
  );
  assert.equal(
    incomingTraceContext({ traceparent: "bad", "x-amzn-trace-id": [`Root=${other}`] })?.traceId.length,
    32,
  );
  assert.equal(incomingTraceContext({}), undefined);
});

test("tracing mode: either spelling accepted, anything else names the field; sampling per mode", () => {
  assert.equal(validateTracingMode("Active"), "Active");
  assert.equal(validateTracingMode("passthrough"), "PassThrough");
  assert.throws(() => validateTracingMode("on", "tracing"), /tracing must be Active or PassThrough/);
  assert.throws(() => validateTracingMode(1), /TracingConfig\.Mode/);
  assert.equal(sampledFor(undefined, undefined), false);
  assert.equal(sampledFor("PassThrough", { traceId: T, sampled: true }), true);
  assert.equal(sampledFor("Active", undefined), true);
  assert.equal(sampledFor("Active", { traceId: T }), true);
  assert.equal(sampledFor("Active", { traceId: T, spanId: S, sampled: false }), false);
});
