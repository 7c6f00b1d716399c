// The contract every broker adapter passes, run against the real local broker by one small test file
// per broker (rabbitmq.test.ts, nats.test.ts): batches in broker order with the adapter's event shape,
// partial batch failure retrying only the failed items, giving up after MaximumRetryAttempts, and a
// mapping whose queue/stream is missing reporting why and resuming by itself once it exists; a poison
// message ending in the on-failure destination after its retries (and acknowledged), and a failing batch
// bisected to isolate it.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test, type TestContext } from "node:test";
import {
  formatSourceUri,
  parseSourceUri,
  type MappingRecord,
  type SourceUri,
} from "../../core/event-source-mapping.js";
import type { BrokerAdapter } from "./broker.js";
import { MappingRunner, type MappingFailure, type SyncInvoke } from "./mapping-runner.js";

export interface BrokerFixture {
  adapter: BrokerAdapter;
  /** A source URI for a queue/stream named `name` (not created). */
  uri: (name: string) => string;
  /** Whether the broker answers; a missing service skips (fails under VAJRA_REQUIRE_SERVICES=1). */
  available: () => Promise<boolean>;
  create: (name: string) => Promise<void>;
  remove: (name: string) => Promise<void>;
  publish: (name: string, bodies: string[]) => Promise<void>;
  /** The member of the filter view holding the body (`data` for RabbitMQ as on AWS, `body` otherwise). */
  bodyField: string;
  /** The bodies (decoded) and item ids of one invocation's event, checking its documented shape. */
  read: (event: unknown, name: string) => { body: string; id: string }[];
  /**
   * Why the missing-queue case does not apply, when the broker has no queue/stream to be missing
   * (MQTT topics exist by being published to; a Redis stream is made with its consumer group).
   */
  noMissingTarget?: string;
  /**
   * false for a broker that keeps nothing for an absent consumer (PostgreSQL LISTEN/NOTIFY): what is
   * published before the consumer listens is lost, so the suite waits for `ready` after each start,
   * and the "acknowledged, so not delivered again after a restart" check is skipped as meaningless.
   */
  durable?: boolean;
  /** Why the 6 MB split case does not apply, when the broker refuses 900 kB messages. */
  noLargeMessages?: string;
  /** Resolves once a consumer opened after `since` (epoch ms) receives what is published to `name`. */
  ready?: (name: string, since: number) => Promise<void>;
}

/** Waits (bounded) for a condition; fails with `what` when it never holds. */
export async function eventually(what: string, cond: () => boolean, limitMs = 20_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function record(
  uri: string,
  over: Partial<MappingRecord> = {},
): { record: MappingRecord; source: SourceUri } {
  const source = parseSourceUri(uri);
  return {
    source,
    record: {
      uuid: randomUUID(),
      functionName: "fn",
      source: formatSourceUri(source),
      kind: source.kind,
      enabled: true,
      batchSize: 10,
      maximumBatchingWindowInSeconds: 0,
      maximumRetryAttempts: -1,
      functionResponseTypes: [],
      lastModified: Date.now(),
      ...over,
    },
  };
}

export async function skipUnless(
  t: TestContext,
  f: Pick<BrokerFixture, "available">,
  label: string,
): Promise<boolean> {
  if (await f.available()) return true;
  if (process.env.VAJRA_REQUIRE_SERVICES === "1") assert.fail(`${label} is not reachable`);
  t.skip(`${label} is not reachable on this host`);
  return false;
}

export function brokerContract(label: string, f: BrokerFixture): void {
  const run = async (
    t: TestContext,
    over: Partial<MappingRecord>,
    body: (ctx: {
      name: string;
      calls: { body: string; id: string }[][];
      runner: MappingRunner;
      setHandler: (h: (items: { body: string; id: string }[], n: number) => unknown) => void;
      /** What reached the on-failure destination (when the record names one). */
      failures: MappingFailure[];
      /** Stops the runner and starts another on the same mapping (its consumer, its queue). */
      restart: () => Promise<void>;
    }) => Promise<void>,
    createFirst = true,
  ): Promise<void> => {
    if (!(await skipUnless(t, f, label))) return;
    const name = `vajra-contract-${randomUUID().slice(0, 8)}`;
    const { record: rec, source } = record(f.uri(name), over);
    const calls: { body: string; id: string }[][] = [];
    let handler: (items: { body: string; id: string }[], n: number) => unknown = () => null;
    const invoke: SyncInvoke = (_fn, _q, payload) => {
      const items = f.read(JSON.parse(payload.toString("utf8")), name);
      calls.push(items);
      let out: unknown;
      try {
        out = handler(items, calls.length);
      } catch {
        return Promise.resolve({ ok: false, body: Buffer.from('{"errorMessage":"boom"}') });
      }
      return Promise.resolve({ ok: true, body: Buffer.from(JSON.stringify(out ?? null)) });
    };
    if (createFirst) await f.create(name);
    const failures: MappingFailure[] = [];
    const newRunner = (): MappingRunner =>
      new MappingRunner({
        record: rec,
        source,
        adapter: f.adapter,
        invoke,
        onWarning: () => undefined,
        backoffBaseMs: 50,
        maxBackoffMs: 500,
        ...(rec.onFailure === undefined
          ? {}
          : { onFailure: (x: MappingFailure) => Promise.resolve(void failures.push(x)) }),
      });
    let runner = newRunner();
    const startAndWait = async (): Promise<void> => {
      const since = Date.now();
      runner.start();
      await f.ready?.(name, since);
    };
    try {
      if (createFirst) await startAndWait();
      else runner.start();
      await body({
        name,
        calls,
        runner,
        setHandler: (h) => (handler = h),
        failures,
        restart: async () => {
          await runner.stop();
          runner = newRunner();
          await startAndWait();
        },
      });
    } finally {
      await runner.stop();
      await f.adapter.dispose(source, rec.uuid).catch(() => undefined);
      await f.remove(name).catch(() => undefined);
    }
  };

  test(`${label}: messages arrive in batches, in order, with the documented shape`, async (t) => {
    await run(t, { batchSize: 10, maximumBatchingWindowInSeconds: 1 }, async ({ name, calls }) => {
      const bodies = Array.from({ length: 25 }, (_, i) => `message ${i}`);
      await f.publish(name, bodies);
      await eventually("25 messages", () => calls.flat().length >= 25);
      assert.deepEqual(
        calls.flat().map((c) => c.body),
        bodies,
      );
      assert.ok(
        calls.every((c) => c.length <= 10),
        "no batch is larger than BatchSize",
      );
      assert.ok(calls.length <= 5, `25 messages came in ${calls.length} batches`);
    });
  });

  test(`${label}: ReportBatchItemFailures retries only the failed items, then the rest follow`, async (t) => {
    await run(
      t,
      { batchSize: 5, maximumBatchingWindowInSeconds: 1, functionResponseTypes: ["ReportBatchItemFailures"] },
      async ({ name, calls, setHandler }) => {
        const failedOnce = new Set<string>();
        setHandler((items) => {
          const bad = items.filter((i) => i.body === "m2" && !failedOnce.has(i.body));
          for (const b of bad) failedOnce.add(b.body);
          return { batchItemFailures: bad.map((b) => ({ itemIdentifier: b.id })) };
        });
        await f.publish(name, ["m0", "m1", "m2", "m3", "m4"]);
        await eventually("the retry of m2", () => calls.length >= 2);
        await f.publish(name, ["m5"]);
        await eventually("m5", () => calls.flat().some((c) => c.body === "m5"));
        assert.deepEqual(
          calls[0]?.map((c) => c.body),
          ["m0", "m1", "m2", "m3", "m4"],
        );
        assert.deepEqual(
          calls[1]?.map((c) => c.body),
          ["m2"],
          "only the failed item is retried",
        );
        assert.equal(calls.flat().filter((c) => c.body === "m2").length, 2);
        for (const b of ["m0", "m1", "m3", "m4", "m5"])
          assert.equal(calls.flat().filter((c) => c.body === b).length, 1, `${b} once`);
      },
    );
  });

  test(`${label}: a failing batch is retried MaximumRetryAttempts times, then given up`, async (t) => {
    await run(t, { batchSize: 1, maximumRetryAttempts: 2 }, async ({ name, calls, runner, setHandler }) => {
      setHandler((items) => {
        if (items[0]?.body === "poison") throw new Error("poison");
        return null;
      });
      await f.publish(name, ["poison", "after"]);
      // The status changes once the message after the poison is acknowledged, just after its call.
      await eventually(
        "the message after the poison, acknowledged",
        () => calls.flat().some((c) => c.body === "after") && runner.status.processed === 1,
      );
      assert.deepEqual(
        calls.map((c) => c[0]?.body),
        ["poison", "poison", "poison", "after"],
      );
      assert.equal(runner.status.discarded, 1);
      assert.equal(runner.status.lastProcessingResult, "OK");
    });
  });

  test(`${label}: a poison message ends in the on-failure destination after its retries, acknowledged`, async (t) => {
    const over = { batchSize: 1, maximumRetryAttempts: 1, onFailure: "http://127.0.0.1:9/unused" };
    await run(t, over, async ({ name, calls, setHandler, failures, restart }) => {
      setHandler((items) => {
        if (items.some((i) => i.body === "poison")) throw new Error("poison");
        return null;
      });
      await f.publish(name, ["poison", "after"]);
      await eventually("the message after the poison", () => calls.flat().some((c) => c.body === "after"));
      assert.equal(failures.length, 1);
      const failure = failures[0] as MappingFailure;
      assert.equal(failure.condition, "RetryAttemptsExhausted");
      assert.equal(failure.attempts, 2, "the first attempt and one retry");
      assert.deepEqual(
        f.read(failure.event, name).map((i) => i.body),
        ["poison"],
      );
      if (f.durable === false)
        return void t.diagnostic("not durable: nothing is redelivered after a restart, acknowledged or not");
      // Acknowledged: a new consumer on the same mapping gets the next message, never the poison again.
      await restart();
      const before = calls.length;
      await f.publish(name, ["marker"]);
      await eventually("the marker", () =>
        calls
          .slice(before)
          .flat()
          .some((c) => c.body === "marker"),
      );
      assert.ok(
        !calls
          .slice(before)
          .flat()
          .some((c) => c.body === "poison"),
        "the poison was acknowledged",
      );
    });
  });

  test(`${label}: BisectBatchOnFunctionError splits a failing batch to isolate the poison message`, async (t) => {
    const over = {
      batchSize: 4,
      maximumBatchingWindowInSeconds: 1,
      maximumRetryAttempts: 0,
      bisectBatchOnFunctionError: true,
      onFailure: "http://127.0.0.1:9/unused",
    };
    await run(t, over, async ({ name, calls, setHandler, failures }) => {
      setHandler((items) => {
        if (items.some((i) => i.body === "poison")) throw new Error("poison");
        return null;
      });
      await f.publish(name, ["a", "b", "poison", "c"]);
      await eventually("c", () => calls.some((c) => c.length === 1 && c[0]?.body === "c"));
      assert.deepEqual(
        calls.map((c) => c.map((i) => i.body).join(",")),
        ["a,b,poison,c", "a,b", "poison,c", "poison", "c"],
      );
      assert.deepEqual(
        failures.flatMap((x) => f.read(x.event, name).map((i) => i.body)),
        ["poison"],
      );
    });
  });

  test(`${label}: FilterCriteria: messages no pattern matches are acknowledged without invoking`, async (t) => {
    const filters = [
      JSON.stringify({ [f.bodyField]: { kind: ["order"], n: [{ numeric: [">=", 2] }] } }),
      JSON.stringify({ [f.bodyField]: { kind: [{ prefix: "vip-" }] } }),
    ];
    await run(
      t,
      { batchSize: 10, maximumBatchingWindowInSeconds: 1, filters },
      async ({ name, calls, runner }) => {
        const msgs = [
          { kind: "order", n: 1 },
          { kind: "order", n: 2 },
          { kind: "refund", n: 5 },
          { kind: "vip-order", n: 0 },
        ].map((m) => JSON.stringify(m));
        await f.publish(name, [...msgs, "not json"]);
        await eventually("the filter to settle", () => runner.status.filtered + calls.flat().length >= 5);
        assert.deepEqual(
          calls.flat().map((c) => c.body),
          [msgs[1], msgs[3]],
        );
        assert.equal(runner.status.filtered, 3);
      },
    );
  });

  test(`${label}: a batch whose event would pass 6 MB is split, in order`, async (t) => {
    if (f.noLargeMessages !== undefined) return void t.skip(f.noLargeMessages);
    await run(t, { batchSize: 10, maximumBatchingWindowInSeconds: 2 }, async ({ name, calls }) => {
      // 900 kB each (under NATS's default 1 MB message limit): ten of them pass 6 MB in one event.
      const bodies = Array.from({ length: 10 }, (_, i) =>
        `${i}`.padEnd(900_000, String.fromCharCode(97 + i)),
      );
      await f.publish(name, bodies);
      await eventually("10 large messages", () => calls.flat().length >= 10, 60_000);
      assert.deepEqual(
        calls.flat().map((c) => c.body.slice(0, 2)),
        bodies.map((b) => b.slice(0, 2)),
      );
      assert.ok(calls.length >= 2, `split into ${calls.length} invocation(s)`);
    });
  });

  test(`${label}: a missing queue/stream is reported, and the mapping resumes once it exists`, async (t) => {
    if (f.noMissingTarget !== undefined) return void t.skip(f.noMissingTarget);
    await run(
      t,
      {},
      async ({ name, calls, runner }) => {
        await eventually("a PROBLEM state", () => runner.status.stateTransitionReason.startsWith("PROBLEM"));
        assert.match(runner.status.stateTransitionReason, new RegExp(name));
        await f.create(name);
        await eventually(
          "USER_INITIATED again",
          () => runner.status.stateTransitionReason === "USER_INITIATED",
        );
        await f.publish(name, ["late"]);
        await eventually("the message", () => calls.flat().some((c) => c.body === "late"));
      },
      false,
    );
  });
}
