// Runs the broker contract against the local RabbitMQ (127.0.0.1:5672, guest/guest).

import assert from "node:assert/strict";
import amqp from "amqplib";
import { parseSourceUri } from "../../core/event-source-mapping.js";
import { brokerContract } from "./broker-contract.js";
import { amqpOptions, rabbitmqAdapter } from "./rabbitmq.js";

const HOST = "amqp://guest:guest@127.0.0.1:5672/";
const uri = (name: string): string => `${HOST}?queue=${name}`;

async function withChannel<T>(fn: (ch: amqp.ConfirmChannel) => Promise<T>): Promise<T> {
  const conn = await amqp.connect(amqpOptions(parseSourceUri(uri("x"))));
  try {
    return await fn(await conn.createConfirmChannel());
  } finally {
    await conn.close().catch(() => undefined);
  }
}

brokerContract("RabbitMQ", {
  adapter: rabbitmqAdapter,
  bodyField: "data",
  uri,
  available: () => withChannel(() => Promise.resolve(true)).catch(() => false),
  create: (name) => withChannel(async (ch) => void (await ch.assertQueue(name, { durable: true }))),
  remove: (name) => withChannel(async (ch) => void (await ch.deleteQueue(name))),
  publish: (name, bodies) =>
    withChannel(async (ch) => {
      for (const [i, b] of bodies.entries())
        ch.sendToQueue(name, Buffer.from(b), {
          messageId: `${b.slice(0, 20)}-${i}`,
          headers: { n: i, tag: "t" },
        });
      await ch.waitForConfirms();
    }),
  read: (event, name) => {
    const e = event as {
      eventSource: string;
      eventSourceArn: string;
      rmqMessagesByQueue: Record<string, unknown[]>;
    };
    assert.equal(e.eventSource, "aws:rmq");
    assert.match(e.eventSourceArn, /^amqp:\/\/guest:\*\*\*\*@127\.0\.0\.1:5672\/\?queue=/);
    assert.deepEqual(Object.keys(e.rmqMessagesByQueue), [`${name}::/`]);
    return (
      e.rmqMessagesByQueue[`${name}::/`] as {
        basicProperties: Record<string, unknown>;
        redelivered: boolean;
        data: string;
      }[]
    ).map((m) => {
      assert.equal(typeof m.redelivered, "boolean");
      assert.deepEqual(m.basicProperties.headers, {
        n: Number(String(m.basicProperties.messageId).split("-").pop()),
        tag: { bytes: [116] },
      });
      const body = Buffer.from(m.data, "base64").toString("utf8");
      assert.equal(m.basicProperties.bodySize, Buffer.byteLength(body));
      return { body, id: String(m.basicProperties.messageId) };
    });
  },
});
