// Records become spans with the SDK as the export thread builds them: the invocation span with its FaaS
// attributes and remote parent, and the queued / init / handler children with their times and ids.

import assert from "node:assert/strict";
import { test } from "node:test";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { createSpanRecorder } from "./tracing-spans.js";
import type { InvocationSpanRecord } from "./tracing-record.js";

const SERVER = 1; // SpanKind.SERVER
const INTERNAL = 0;
const ERROR = 2; // SpanStatusCode.ERROR

function recorded(r: InvocationSpanRecord): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const recorder = createSpanRecorder(new SimpleSpanProcessor(exporter));
  recorder.record(r);
  return exporter.getFinishedSpans();
}

const base: InvocationSpanRecord = {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  handlerSpanId: "1111111111111111",
  functionName: "hello",
  version: "$LATEST",
  arn: "arn:aws:lambda:us-east-1:000000000000:function:hello",
  region: "us-east-1",
  account: "000000000000",
  memoryMb: 128,
  requestId: "req-1",
  trigger: "other",
  startedAt: 1_700_000_000_000,
  endedAt: 1_700_000_000_050,
  handlerStart: 1_700_000_000_020,
};

const ms = (t: [number, number]): number => t[0] * 1000 + t[1] / 1e6;
const byName = (spans: ReadableSpan[], name: string): ReadableSpan => {
  const s = spans.find((x) => x.name === name);
  assert.ok(s, `no ${name} span among ${spans.map((x) => x.name).join(",")}`);
  return s;
};

test("a warm invocation is a SERVER span with FaaS attributes and a handler child with the promised id", () => {
  const spans = recorded(base);
  assert.deepEqual(spans.map((s) => s.name).sort(), ["handler", "hello"]);
  const root = byName(spans, "hello");
  const handler = byName(spans, "handler");
  assert.equal(root.kind, SERVER);
  assert.equal(root.spanContext().traceId, base.traceId);
  assert.equal(root.parentSpanContext, undefined);
  assert.deepEqual(root.attributes, {
    "faas.name": "hello",
    "faas.version": "$LATEST",
    "faas.invocation_id": "req-1",
    "faas.trigger": "other",
    "faas.max_memory": 128 * 1024 * 1024,
    "cloud.provider": "vajra",
    "cloud.region": "us-east-1",
    "cloud.account.id": "000000000000",
    "cloud.resource_id": base.arn,
    "faas.coldstart": false,
  });
  assert.equal(ms(root.startTime), base.startedAt);
  assert.equal(ms(root.endTime), base.endedAt);
  assert.equal(handler.kind, INTERNAL);
  assert.equal(handler.spanContext().spanId, "1111111111111111");
  assert.equal(handler.spanContext().traceId, base.traceId);
  assert.equal(handler.parentSpanContext?.spanId, root.spanContext().spanId);
  assert.equal(ms(handler.startTime), 1_700_000_000_020);
  assert.notEqual(root.spanContext().spanId, handler.spanContext().spanId);
});

test("a remote parent, a queued Event invocation and a cold start give parent, queued and init", () => {
  const spans = recorded({
    ...base,
    parentSpanId: "00f067aa0ba902b7",
    queuedAt: base.startedAt - 500,
    initStart: base.startedAt + 5,
    trigger: "pubsub",
  });
  const root = byName(spans, "hello");
  assert.equal(root.parentSpanContext?.spanId, "00f067aa0ba902b7");
  assert.equal(root.parentSpanContext?.isRemote, true);
  assert.equal(root.attributes["faas.coldstart"], true);
  assert.equal(root.attributes["faas.trigger"], "pubsub");
  assert.equal(ms(root.startTime), base.startedAt - 500);
  const queued = byName(spans, "queued");
  assert.equal(ms(queued.startTime), base.startedAt - 500);
  assert.equal(ms(queued.endTime), base.startedAt);
  const init = byName(spans, "init");
  assert.equal(ms(init.startTime), base.startedAt + 5);
  assert.equal(ms(init.endTime), 1_700_000_000_020);
  for (const kid of [queued, init, byName(spans, "handler")]) {
    assert.equal(kid.parentSpanContext?.spanId, root.spanContext().spanId);
    assert.equal(kid.spanContext().traceId, base.traceId);
  }
});

test("a function error marks the handler and the invocation ERROR with error.type", () => {
  const spans = recorded({ ...base, errorType: "ValueError" });
  for (const s of [byName(spans, "hello"), byName(spans, "handler")]) {
    assert.equal(s.status.code, ERROR);
    assert.equal(s.attributes["error.type"], "ValueError");
  }
});

test("an invocation refused before the function answered has no handler span and no coldstart", () => {
  const refused: InvocationSpanRecord = { ...base, errorType: "TooManyRequests" };
  delete refused.handlerStart;
  const spans = recorded(refused);
  assert.deepEqual(
    spans.map((s) => s.name),
    ["hello"],
  );
  const root = byName(spans, "hello");
  assert.equal(root.status.code, ERROR);
  assert.equal(root.attributes["error.type"], "TooManyRequests");
  assert.equal(root.attributes["faas.coldstart"], undefined);
});
