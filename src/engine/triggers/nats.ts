// The NATS JetStream adapter for event source mappings: a durable pull consumer per mapping
// (`vajra-<uuid>`, explicit acks) on the mapping's stream, so what was not acknowledged before a crash
// is delivered again after it. Held messages are kept alive with in-progress acks while the function
// works on them. The event is SQS-like: `Records` with `eventSource: "vajra:nats"`.

import { connect, nanos, type NatsConnection } from "@nats-io/transport-node";
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
} from "@nats-io/jetstream";
import type { SourceUri } from "../../core/event-source-mapping.js";
import { MessageBuffer, type BrokerAdapter, type BrokerConsumer, type BrokerMessage } from "./broker.js";

type Msg = BrokerMessage<JsMsg>;

/** How long JetStream waits for an ack before redelivering; held messages are refreshed well within it. */
const ACK_WAIT_MS = 30_000;
const KEEPALIVE_MS = 10_000;

export function durableName(uuid: string): string {
  return `vajra-${uuid}`;
}

export function natsOptions(s: SourceUri): Parameters<typeof connect>[0] {
  return {
    servers: `${s.host.includes(":") ? `[${s.host}]` : s.host}:${s.port}`,
    reconnect: false, // the runner reconnects, with backoff, and reports the broker's absence
    ...(s.username === undefined ? {} : { user: s.username }),
    ...(s.password === undefined ? {} : { pass: s.password }),
  };
}

class NatsConsumer implements BrokerConsumer<JsMsg> {
  readonly lost: Promise<Error>;
  private readonly buffer = new MessageBuffer<Msg>();
  private readonly held = new Set<JsMsg>();
  private readonly keepalive: NodeJS.Timeout;
  private closing = false;
  private setLost: (err: Error) => void = () => undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly messages: ConsumerMessages,
  ) {
    this.lost = new Promise((resolve) => {
      this.setLost = (err) => {
        if (this.closing) return;
        this.buffer.end();
        resolve(err);
      };
    });
    void nc.closed().then((err) => this.setLost(err ?? new Error("the NATS connection closed")));
    void (async () => {
      try {
        for await (const m of messages) {
          this.held.add(m);
          this.buffer.push({ raw: m });
        }
        this.setLost(new Error("the JetStream consumer stopped (stream or consumer deleted?)"));
      } catch (err) {
        this.setLost(err instanceof Error ? err : new Error(String(err)));
      }
    })();
    this.keepalive = setInterval(() => {
      for (const m of this.held) m.working();
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  next(max: number, windowMs: number, signal: AbortSignal): Promise<Msg[]> {
    return this.buffer.take(max, windowMs, signal);
  }

  async ack(m: Msg): Promise<void> {
    // Confirmed, so a message is never counted done while its ack is lost on the way.
    await m.raw.ackAck({ timeout: 5000 });
    this.held.delete(m.raw);
  }

  reject(m: Msg): Promise<void> {
    m.raw.term("vajra: retries exhausted");
    this.held.delete(m.raw);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.keepalive);
    this.buffer.end();
    this.held.clear();
    await this.messages.close().catch(() => undefined);
    await this.nc.close().catch(() => undefined);
  }
}

function headersOf(m: JsMsg): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (m.headers === undefined) return out;
  for (const k of m.headers.keys()) out[k] = m.headers.values(k);
  return out;
}

export const natsAdapter: BrokerAdapter<JsMsg> = {
  kind: "nats",

  async open(source, opts) {
    const nc = await connect(natsOptions(source));
    try {
      const jsm = await jetstreamManager(nc);
      try {
        await jsm.streams.info(source.target);
      } catch {
        throw new Error(`JetStream stream ${JSON.stringify(source.target)} does not exist`);
      }
      const durable = durableName(opts.uuid);
      const existing = await jsm.consumers.info(source.target, durable).catch(() => undefined);
      if (existing === undefined) {
        await jsm.consumers.add(source.target, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          ack_wait: nanos(ACK_WAIT_MS),
          deliver_policy: opts.startingPosition === "LATEST" ? DeliverPolicy.New : DeliverPolicy.All,
        });
      }
      const consumer = await jetstream(nc).consumers.get(source.target, durable);
      const messages = await consumer.consume({ max_messages: Math.max(10, opts.batchSize * 2) });
      return new NatsConsumer(nc, messages);
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
  },

  event(sourceArn, source, batch) {
    return {
      Records: batch.map((m) => ({
        eventSource: "vajra:nats",
        eventSourceArn: sourceArn,
        messageId: String(m.raw.seq),
        stream: source.target,
        subject: m.raw.subject,
        headers: headersOf(m.raw),
        body: m.raw.string(),
        attributes: {
          redelivered: m.raw.redelivered,
          deliveryCount: m.raw.info.deliveryCount,
          timestamp: m.raw.time.toISOString(),
        },
      })),
    };
  },

  filterView(m) {
    const text = m.raw.string();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: patterns see the text
    }
    return { messageId: String(m.raw.seq), subject: m.raw.subject, headers: headersOf(m.raw), body };
  },

  arrivedAt(m) {
    return m.raw.time.getTime();
  },
  itemId(m) {
    return String(m.raw.seq);
  },

  async dispose(source, uuid) {
    const nc = await connect(natsOptions(source));
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.consumers.delete(source.target, durableName(uuid)).catch(() => undefined);
    } finally {
      await nc.close().catch(() => undefined);
    }
  },
};
