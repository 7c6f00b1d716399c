// Each destination publisher against its real local service: the message arrives where the URI says
// (a NATS subject, an AMQP exchange and queue, an MQTT topic, a Redis stream, a webhook), and a target
// that is not there fails the publish (so the outbox retries it) instead of losing the message.
// A missing service skips (fails under CI=true / VAJRA_REQUIRE_SERVICES=1).

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import amqp from "amqplib";
import { Redis } from "ioredis";
import mqtt from "mqtt";
import { connect } from "@nats-io/transport-node";
import { AmqpPublisher } from "./amqp-publisher.js";
import { HttpPublisher } from "./http-publisher.js";
import { MqttPublisher } from "./mqtt-publisher.js";
import { NatsPublisher } from "./nats-publisher.js";
import { RedisPublisher } from "./redis-publisher.js";
import { REQUIRE_SERVICES, reachable } from "../../../test/support/services.js";

const body = (): Buffer => Buffer.from(JSON.stringify({ version: "1.0", id: randomUUID() }));

test("NATS: a record is published to the subject", async (t) => {
  let nc;
  try {
    nc = await connect({ servers: "127.0.0.1:4222", reconnect: false });
  } catch (err) {
    if (REQUIRE_SERVICES) throw err;
    return t.skip("NATS is not reachable on 127.0.0.1:4222");
  }
  const subject = `vajra.pub.${randomUUID()}`;
  const sub = nc.subscribe(subject, { max: 1 });
  await nc.flush();
  const p = new NatsPublisher();
  try {
    const b = body();
    await p.publish(`nats://127.0.0.1:4222?subject=${subject}`, b);
    for await (const m of sub) assert.deepEqual(Buffer.from(m.data), b);
  } finally {
    await p.close();
    await nc.close();
  }
});

test("AMQP: a record goes to an exchange with its routing key, or to a queue; a missing queue fails", async (t) => {
  const opts = { protocol: "amqp", hostname: "127.0.0.1", port: 5672, username: "guest", password: "guest" };
  if (!(await reachable(t, "RabbitMQ", async () => (await amqp.connect(opts)).close()))) return;
  const conn = await amqp.connect(opts);
  const ch = await conn.createChannel();
  const q = `vajra-pub-${randomUUID().slice(0, 8)}`;
  const p = new AmqpPublisher();
  try {
    await ch.assertQueue(q, { durable: true });
    await ch.bindQueue(q, "amq.topic", `${q}.key`);
    const a = body();
    const b = body();
    await p.publish(`amqp://guest:guest@127.0.0.1:5672/?exchange=amq.topic&routingKey=${q}.key`, a);
    await p.publish(`amqp://guest:guest@127.0.0.1:5672/?queue=${q}`, b);
    const got: Buffer[] = [];
    for (let i = 0; i < 50 && got.length < 2; i++) {
      const m = await ch.get(q, { noAck: true });
      if (m === false) await new Promise((r) => setTimeout(r, 50));
      else got.push(m.content);
    }
    assert.deepEqual(got, [a, b]);
    await assert.rejects(
      p.publish(`amqp://guest:guest@127.0.0.1:5672/?queue=${q}-missing`, a),
      /NOT_FOUND|404/,
    );
  } finally {
    await p.close();
    await ch.deleteQueue(q).catch(() => undefined);
    await conn.close();
  }
});

test("MQTT: a record is published to the topic at QoS 1", async (t) => {
  if (
    !(await reachable(t, "Mosquitto", async () =>
      (await mqtt.connectAsync("mqtt://127.0.0.1:1883", { reconnectPeriod: 0 })).endAsync(),
    ))
  )
    return;
  const sub = await mqtt.connectAsync("mqtt://127.0.0.1:1883", { reconnectPeriod: 0 });
  const topic = `vajra/pub/${randomUUID()}`;
  const p = new MqttPublisher();
  try {
    const got = new Promise<{ payload: Buffer; qos: number }>((resolve) =>
      sub.on("message", (_t, payload, packet) => resolve({ payload, qos: packet.qos })),
    );
    await sub.subscribeAsync(topic, { qos: 1 });
    const b = body();
    await p.publish(`mqtt://127.0.0.1:1883?topic=${encodeURIComponent(topic)}`, b);
    const m = await got;
    assert.deepEqual(m.payload, b);
    assert.equal(m.qos, 1);
  } finally {
    await p.close();
    await sub.endAsync();
  }
});

test("Redis: a record is added to the stream (XADD, field body)", async (t) => {
  const probe = new Redis({
    host: "127.0.0.1",
    port: 6379,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  probe.on("error", () => undefined);
  if (!(await reachable(t, "Redis", () => probe.connect()))) return;
  const stream = `vajra-pub-${randomUUID()}`;
  const p = new RedisPublisher();
  try {
    const b = body();
    await p.publish(`redis://127.0.0.1:6379?stream=${stream}`, b);
    const entries = await probe.xrange(stream, "-", "+");
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0]?.[1], ["body", b.toString()]);
  } finally {
    await p.close();
    await probe.del(stream);
    probe.disconnect();
  }
});

test("HTTP: a record is POSTed as JSON; a non-2xx answer fails the publish", async () => {
  const got: { type: string | undefined; body: string }[] = [];
  let status = 200;
  const server = createServer((req, res) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += c.toString()));
    req.on("end", () => {
      got.push({ type: req.headers["content-type"], body: data });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const p = new HttpPublisher();
  try {
    const b = body();
    await p.publish(`http://127.0.0.1:${port}/hook`, b);
    assert.deepEqual(got, [{ type: "application/json", body: b.toString() }]);
    status = 503;
    await assert.rejects(p.publish(`http://u:pw@127.0.0.1:${port}/hook`, b), (e: Error) => {
      assert.match(e.message, /HTTP 503/);
      assert.ok(!e.message.includes("pw"), "the password is masked");
      return true;
    });
  } finally {
    server.close();
  }
});
