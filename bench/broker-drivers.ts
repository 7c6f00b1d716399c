// The brokers the benchmark drives, one small driver each: a queue (RabbitMQ) or stream (NATS
// JetStream) of the bench's own, a publisher, and a plain consumer that acknowledges each message
// without invoking anything — the baseline a mapping is compared with.

import { randomUUID } from "node:crypto";
import amqp from "amqplib";
import { connect } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";

export type BrokerKind = "rabbitmq" | "nats";
export const BROKER_KINDS: readonly BrokerKind[] = ["rabbitmq", "nats"];

export interface BrokerDriver {
  kind: BrokerKind;
  /** The queue or stream's name. */
  target: string;
  /** The mapping's source URI. */
  source: string;
  publish(bodies: string[]): Promise<void>;
  /** Consumes with `batch` messages in flight, acknowledging each after `onMessage` saw its body. */
  consume(batch: number, onMessage: (body: string) => void): Promise<() => Promise<void>>;
  /** Removes every message still there (between runs). */
  purge(): Promise<void>;
  /** Closes the connection; `remove` also deletes the queue or stream. */
  close(remove: boolean): Promise<void>;
}

async function rabbitmq(existing: string | undefined): Promise<BrokerDriver> {
  const conn = await amqp.connect("amqp://guest:guest@127.0.0.1:5672");
  const queue = existing ?? `vajra-bench-${randomUUID().slice(0, 8)}`;
  const pub = await conn.createConfirmChannel();
  await pub.assertQueue(queue, { durable: true });
  return {
    kind: "rabbitmq",
    target: queue,
    source: `amqp://guest:guest@127.0.0.1:5672/?queue=${queue}`,
    async publish(bodies) {
      for (const b of bodies) pub.sendToQueue(queue, Buffer.from(b), { persistent: true });
      await pub.waitForConfirms();
    },
    async consume(batch, onMessage) {
      const ch = await conn.createChannel();
      await ch.prefetch(batch);
      const { consumerTag } = await ch.consume(queue, (m) => {
        if (m === null) return;
        onMessage(m.content.toString());
        ch.ack(m);
      });
      return async () => {
        await ch.cancel(consumerTag);
        await ch.close();
      };
    },
    async purge() {
      await pub.purgeQueue(queue);
    },
    async close(remove) {
      if (remove) await pub.deleteQueue(queue).catch(() => undefined);
      await conn.close();
    },
  };
}

async function nats(existing: string | undefined): Promise<BrokerDriver> {
  const nc = await connect({ servers: "127.0.0.1:4222" });
  const stream = existing ?? `vajra-bench-${randomUUID().slice(0, 8)}`;
  const jsm = await jetstreamManager(nc);
  if (existing === undefined) await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const js = jetstream(nc);
  return {
    kind: "nats",
    target: stream,
    source: `nats://127.0.0.1:4222?stream=${stream}`,
    async publish(bodies) {
      for (let i = 0; i < bodies.length; i += 200)
        await Promise.all(bodies.slice(i, i + 200).map((b) => js.publish(`${stream}.bench`, b)));
    },
    async consume(batch, onMessage) {
      const durable = `bare-${randomUUID().slice(0, 8)}`;
      await jsm.consumers.add(stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        max_ack_pending: batch,
        deliver_policy: DeliverPolicy.New, // only what is published after the consumer exists
      });
      const messages = await (await js.consumers.get(stream, durable)).consume({ max_messages: batch });
      const loop = (async () => {
        for await (const m of messages) {
          onMessage(m.string());
          m.ack();
        }
      })();
      return async () => {
        await messages.close();
        await loop.catch(() => undefined);
        await jsm.consumers.delete(stream, durable).catch(() => undefined);
      };
    },
    async purge() {
      await jsm.streams.purge(stream);
    },
    async close(remove) {
      if (remove) await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    },
  };
}

/** Connects to a broker on this host; creates a queue or stream unless `existing` names one. */
export function openDriver(kind: BrokerKind, existing?: string): Promise<BrokerDriver> {
  return kind === "rabbitmq" ? rabbitmq(existing) : nats(existing);
}
