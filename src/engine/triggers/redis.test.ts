// Runs the broker contract against the local Redis (127.0.0.1:6379), and checks that entries read but
// not acknowledged before the consumer went away are read again by the mapping's consumer.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { Redis } from "ioredis";
import { parseSourceUri } from "../../core/event-source-mapping.js";
import { brokerContract } from "./broker-contract.js";
import { redisAdapter } from "./redis.js";

const uri = (name: string): string => `redis://127.0.0.1:6379?stream=${name}&group=g-${name}`;

async function withRedis<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    host: "127.0.0.1",
    port: 6379,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}
const available = (): Promise<boolean> =>
  withRedis(async (r) => (await r.ping()) === "PONG").catch(() => false);
const publish = (name: string, bodies: (string | Buffer)[]): Promise<void> =>
  withRedis(async (r) => {
    for (const [i, b] of bodies.entries()) await r.xadd(name, "*", "body", b, "n", String(i));
  });

brokerContract("Redis streams", {
  adapter: redisAdapter,
  bodyField: "body",
  uri,
  available,
  create: () => Promise.resolve(),
  remove: (name) => withRedis(async (r) => void (await r.del(name))),
  publish,
  noMissingTarget: "a Redis stream is made with the mapping's consumer group (MKSTREAM): it is never missing",
  read: (event, name) => {
    const e = event as { Records: Record<string, unknown>[] };
    return e.Records.map((r) => {
      assert.equal(r.eventSource, "vajra:redis");
      assert.equal(r.eventSourceArn, `redis://127.0.0.1:6379?stream=${name}&group=g-${name}`);
      assert.equal(r.stream, name);
      assert.equal(r.bodyEncoding, "utf8");
      assert.match(String(r.messageId), /^\d+-\d+$/);
      const a = r.attributes as { fields: Record<string, string>; timestamp: string };
      assert.match(a.fields.n ?? "", /^\d+$/);
      assert.ok(!Number.isNaN(Date.parse(a.timestamp)));
      return { body: String(r.body), id: String(r.messageId) };
    });
  },
});

test("Redis streams: entries read but not acknowledged are read again after a restart", async (t) => {
  if (!(await available())) {
    if (process.env.VAJRA_REQUIRE_SERVICES === "1") assert.fail("Redis is not reachable");
    return void t.skip("Redis is not reachable on 127.0.0.1:6379");
  }
  const name = `vajra-pending-${randomUUID().slice(0, 8)}`;
  const source = parseSourceUri(`redis://127.0.0.1:6379?stream=${name}`);
  const uuid = randomUUID();
  const ac = new AbortController();
  let c = await redisAdapter.open(source, { uuid, batchSize: 10 });
  try {
    await publish(name, ["one", Buffer.from([0xff, 0xfe])]);
    const first = await c.next(2, 3000, ac.signal);
    assert.equal(first.length, 2);
    await c.ack(first[0]!);
    await c.close(); // the second stays pending
    await publish(name, ["while away"]);
    c = await redisAdapter.open(source, { uuid, batchSize: 10 });
    const again = await c.next(2, 3000, ac.signal);
    const e = redisAdapter.event("arn", source, again) as {
      Records: { body: string; bodyEncoding: string }[];
    };
    assert.deepEqual(
      e.Records.map((r) => [r.body, r.bodyEncoding]),
      [
        [Buffer.from([0xff, 0xfe]).toString("base64"), "base64"],
        ["while away", "utf8"],
      ],
    );
    await Promise.all(again.map((m) => c.ack(m)));
  } finally {
    await c.close();
    await redisAdapter.dispose(source, uuid);
    await withRedis(async (r) => void (await r.del(name)));
  }
});
