// The RabbitMQ (AMQP 0-9-1) adapter for event source mappings: one connection and channel per mapping,
// a consumer with manual acknowledgement and a prefetch of twice the batch size, and the event shape
// of Amazon MQ's `aws:rmq` source (rmqMessagesByQueue, base64 data) so handlers written for it run as is.

import amqp, { type ChannelModel, type ConsumeMessage } from "amqplib";
import type { SourceUri } from "../../core/event-source-mapping.js";
import { MessageBuffer, type BrokerAdapter, type BrokerConsumer, type BrokerMessage } from "./broker.js";

type Msg = BrokerMessage<ConsumeMessage>;

/** AMQP connection options for a source (exported for tests and the contract suite). */
export function amqpOptions(s: SourceUri): amqp.Options.Connect {
  return {
    protocol: "amqp",
    hostname: s.host,
    port: s.port,
    username: s.username ?? "guest",
    password: s.password ?? "guest",
    vhost: s.vhost,
    heartbeat: 10,
  };
}

/** Amazon MQ shows AMQP long strings as their bytes. */
function headerValue(v: unknown): unknown {
  if (typeof v === "string") return { bytes: [...Buffer.from(v, "utf8")] };
  if (Buffer.isBuffer(v)) return { bytes: [...v] };
  if (Array.isArray(v)) return v.map(headerValue);
  return v ?? null;
}

/** The Java date format Amazon MQ's events carry ("Jan 1, 1970, 12:33:41 AM"), in UTC. */
function amqTimestamp(seconds: unknown): string | null {
  if (typeof seconds !== "number") return null;
  return new Date(seconds * 1000)
    .toLocaleString("en-US", {
      timeZone: "UTC",
      month: "short",
      day: "numeric",
      year: "numeric",
      hour: "numeric",
      minute: "2-digit",
      second: "2-digit",
    })
    .replace(/[\u202f\u00a0]/g, " ");
}

function basicProperties(m: ConsumeMessage): Record<string, unknown> {
  const p = m.properties;
  const headers: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p.headers ?? {})) headers[k] = headerValue(v);
  const str = (v: unknown): string | null =>
    typeof v === "string" || typeof v === "number" ? String(v) : null;
  return {
    contentType: str(p.contentType),
    contentEncoding: str(p.contentEncoding),
    headers,
    deliveryMode: (p.deliveryMode as number | undefined) ?? null,
    priority: (p.priority as number | undefined) ?? null,
    correlationId: str(p.correlationId),
    replyTo: str(p.replyTo),
    expiration: str(p.expiration),
    messageId: str(p.messageId),
    timestamp: amqTimestamp(p.timestamp),
    type: str(p.type),
    userId: str(p.userId),
    appId: str(p.appId),
    clusterId: str(p.clusterId),
    bodySize: m.content.length,
  };
}

class RabbitConsumer implements BrokerConsumer<ConsumeMessage> {
  readonly lost: Promise<Error>;
  private readonly buffer = new MessageBuffer<Msg>();
  private setLost: (err: Error) => void = () => undefined;
  private closing = false;

  constructor(
    private readonly conn: ChannelModel,
    private readonly channel: amqp.Channel,
  ) {
    this.lost = new Promise((resolve) => {
      this.setLost = (err) => {
        if (this.closing) return;
        this.buffer.end();
        resolve(err);
      };
    });
    conn.on("error", () => undefined); // "close" follows with the reason
    conn.on("close", (err?: Error) => this.setLost(err ?? new Error("the broker closed the connection")));
    channel.on("error", () => undefined);
    channel.on("close", () => this.setLost(new Error("the broker closed the channel")));
  }

  deliver(m: ConsumeMessage | null): void {
    if (m === null) this.setLost(new Error("the broker cancelled the consumer (queue deleted?)"));
    else this.buffer.push({ raw: m });
  }

  next(max: number, windowMs: number, signal: AbortSignal): Promise<Msg[]> {
    return this.buffer.take(max, windowMs, signal);
  }

  ack(m: Msg): Promise<void> {
    this.channel.ack(m.raw);
    return Promise.resolve();
  }

  reject(m: Msg): Promise<void> {
    this.channel.nack(m.raw, false, false);
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.buffer.end();
    await this.conn.close().catch(() => undefined);
  }
}

export const rabbitmqAdapter: BrokerAdapter<ConsumeMessage> = {
  kind: "amqp",

  async open(source, opts) {
    const conn = await amqp.connect(amqpOptions(source));
    // Errors also arrive as "close" events (handled by the consumer); unhandled "error" would crash.
    conn.on("error", () => undefined);
    try {
      const channel = await conn.createChannel();
      channel.on("error", () => undefined);
      // A missing queue is a clear error (and closes the channel) rather than an idle consumer.
      try {
        await channel.checkQueue(source.target);
      } catch {
        throw new Error(
          `queue ${JSON.stringify(source.target)} does not exist in vhost ${JSON.stringify(source.vhost)}`,
        );
      }
      await channel.prefetch(Math.min(65535, Math.max(10, opts.batchSize * 2)));
      const consumer = new RabbitConsumer(conn, channel);
      await channel.consume(source.target, (m) => consumer.deliver(m), { noAck: false });
      return consumer;
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
  },

  event(sourceArn, source, batch) {
    return {
      eventSource: "aws:rmq",
      eventSourceArn: sourceArn,
      rmqMessagesByQueue: {
        [`${source.target}::${source.vhost}`]: batch.map((m) => ({
          basicProperties: basicProperties(m.raw),
          redelivered: m.raw.fields.redelivered,
          data: m.raw.content.toString("base64"),
        })),
      },
    };
  },

  filterView(m) {
    const text = m.raw.content.toString("utf8");
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {
      // not JSON: patterns see the text
    }
    return { basicProperties: basicProperties(m.raw), redelivered: m.raw.fields.redelivered, data };
  },

  arrivedAt(m) {
    // AMQP's timestamp property (seconds) is optional; without it the runner's receipt time counts.
    const t: unknown = m.raw.properties.timestamp;
    return typeof t === "number" ? t * 1000 : undefined;
  },
  itemId(m, index) {
    const id: unknown = m.raw.properties.messageId;
    return typeof id === "string" || typeof id === "number" ? String(id) : String(index);
  },

  dispose() {
    return Promise.resolve();
  },
};
