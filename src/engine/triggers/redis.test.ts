// Runs the broker contract against the local Redis (127.0.0.1:6379), and checks that entries read but
// not acknowledged before the consumer went away are read again by the mapping's consumer.

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { brokerContract } from "./broker-contract.js";
import { redeliveryCase } from "./redelivery-case.js";
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

redeliveryCase("Redis streams", {
  adapter: redisAdapter,
  uri,
  available,
  remove: (name) => withRedis(async (r) => void (await r.del(name))),
  publish,
});
