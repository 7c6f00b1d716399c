// Runs the broker contract against the local NATS JetStream (127.0.0.1:4222).

import assert from "node:assert/strict";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { brokerContract } from "./broker-contract.js";
import { natsAdapter } from "./nats.js";

async function withNats<T>(fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: "127.0.0.1:4222", reconnect: false });
  try {
    return await fn(nc);
  } finally {
    await nc.close();
  }
}

brokerContract("NATS JetStream", {
  adapter: natsAdapter,
  bodyField: "body",
  uri: (name) => `nats://127.0.0.1:4222?stream=${name}`,
  available: () => withNats(() => Promise.resolve(true)).catch(() => false),
  create: (name) =>
    withNats(
      async (nc) => void (await (await jetstreamManager(nc)).streams.add({ name, subjects: [`${name}.>`] })),
    ),
  remove: (name) => withNats(async (nc) => void (await (await jetstreamManager(nc)).streams.delete(name))),
  publish: (name, bodies) =>
    withNats(async (nc) => {
      const js = jetstream(nc);
      for (const b of bodies) {
        const h = headers();
        h.set("x-body", b.slice(0, 50));
        await js.publish(`${name}.orders`, b, { headers: h });
      }
    }),
  read: (event, name) => {
    const e = event as { Records: Record<string, unknown>[] };
    return e.Records.map((r) => {
      assert.equal(r.eventSource, "vajra:nats");
      assert.equal(r.eventSourceArn, `nats://127.0.0.1:4222?stream=${name}`);
      assert.equal(r.stream, name);
      assert.equal(r.subject, `${name}.orders`);
      assert.match(String(r.messageId), /^\d+$/);
      assert.deepEqual((r.headers as Record<string, string[]>)["x-body"], [String(r.body).slice(0, 50)]);
      return { body: String(r.body), id: String(r.messageId) };
    });
  },
});
