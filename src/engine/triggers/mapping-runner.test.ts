// The runner's failure handling on an in-memory broker (the broker contract covers the real ones):
// messages older than MaximumRecordAgeInSeconds go to on-failure without invoking, and
// ScalingConfig.MaximumConcurrency runs that many batches at once.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { MappingRecord, SourceUri } from "../../core/event-source-mapping.js";
import { MessageBuffer, type BrokerAdapter, type BrokerMessage } from "./broker.js";
import { MappingRunner, type MappingFailure, type SyncInvoke } from "./mapping-runner.js";

interface Raw {
  id: string;
  body: string;
  at: number;
}

function memoryBroker(): { adapter: BrokerAdapter<Raw>; push: (r: Raw) => void; acked: string[] } {
  const buffer = new MessageBuffer<BrokerMessage<Raw>>();
  const acked: string[] = [];
  const adapter: BrokerAdapter<Raw> = {
    kind: "nats",
    open: () =>
      Promise.resolve({
        next: (max, windowMs, signal) => buffer.take(max, windowMs, signal),
        ack: (m) => Promise.resolve(void acked.push(m.raw.id)),
        reject: () => Promise.resolve(),
        lost: new Promise<Error>(() => undefined),
        close: () => Promise.resolve(),
      }),
    event: (_arn, _s, batch) => ({ Records: batch.map((m) => ({ id: m.raw.id, body: m.raw.body })) }),
    itemId: (m) => m.raw.id,
    filterView: (m) => m.raw,
    arrivedAt: (m) => m.raw.at,
    dispose: () => Promise.resolve(),
  };
  return { adapter, push: (raw) => buffer.push({ raw }), acked };
}

function record(over: Partial<MappingRecord>): MappingRecord {
  return {
    uuid: "u",
    functionName: "fn",
    source: "nats://h:4222?stream=s",
    kind: "nats",
    enabled: true,
    batchSize: 1,
    maximumBatchingWindowInSeconds: 0,
    maximumRetryAttempts: -1,
    functionResponseTypes: [],
    lastModified: 0,
    ...over,
  };
}

const source: SourceUri = { kind: "nats", host: "h", port: 4222, vhost: "/", target: "s" };

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

test("messages older than MaximumRecordAgeInSeconds go to on-failure without invoking", async () => {
  const broker = memoryBroker();
  const invoked: string[] = [];
  const failures: MappingFailure[] = [];
  const invoke: SyncInvoke = (_f, _q, payload) => {
    const e = JSON.parse(payload.toString()) as { Records: { id: string }[] };
    invoked.push(...e.Records.map((r) => r.id));
    return Promise.resolve({ ok: true, body: Buffer.from("null") });
  };
  const runner = new MappingRunner({
    record: record({ maximumRecordAgeInSeconds: 60, onFailure: "http://127.0.0.1:9/x" }),
    source,
    adapter: broker.adapter,
    invoke,
    onWarning: () => undefined,
    onFailure: (f) => Promise.resolve(void failures.push(f)),
  });
  runner.start();
  try {
    broker.push({ id: "old", body: "x", at: Date.now() - 120_000 });
    broker.push({ id: "new", body: "y", at: Date.now() });
    await until(() => broker.acked.length === 2, "both acknowledged");
    assert.deepEqual(invoked, ["new"]);
    assert.equal(failures.length, 1);
    assert.equal(failures[0]?.condition, "RecordAgeExceeded");
    assert.equal(failures[0]?.attempts, 0);
    assert.deepEqual(failures[0]?.event, { Records: [{ id: "old", body: "x" }] });
  } finally {
    await runner.stop();
  }
});

test("ScalingConfig.MaximumConcurrency runs that many batches at once, and no more", async () => {
  const broker = memoryBroker();
  let running = 0;
  let peak = 0;
  const release: (() => void)[] = [];
  const invoke: SyncInvoke = async () => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((r) => release.push(r));
    running--;
    return { ok: true, body: Buffer.from("null") };
  };
  const runner = new MappingRunner({
    record: record({ maximumConcurrency: 3 }),
    source,
    adapter: broker.adapter,
    invoke,
    onWarning: () => undefined,
  });
  runner.start();
  try {
    for (let i = 0; i < 6; i++) broker.push({ id: `m${i}`, body: "b", at: Date.now() });
    await until(() => running === 3, "three batches running");
    // Releasing them one at a time lets the next ones in, never more than three.
    for (let i = 0; i < 1000 && broker.acked.length < 6; i++) {
      release.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(peak, 3);
    assert.deepEqual([...broker.acked].sort(), ["m0", "m1", "m2", "m3", "m4", "m5"]);
  } finally {
    for (const r of release) r();
    await runner.stop();
  }
});
