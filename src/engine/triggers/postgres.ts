// The PostgreSQL LISTEN/NOTIFY adapter for event source mappings: one connection per mapping LISTENing
// on its channel. NOTIFY keeps nothing and has no acknowledgement: a notification sent while no mapping
// listens is lost (PostgreSQL's semantics), so this source is at-most-once across restarts; the runner's
// retries still hold for a running server. The event is SQS-like: `Records` with
// `eventSource: "vajra:postgres"`.

import pg from "pg";
import type { SourceUri } from "../../core/event-source-mapping.js";
import { MessageBuffer, type BrokerAdapter, type BrokerConsumer, type BrokerMessage } from "./broker.js";

export interface PgNotification {
  /** Numbered per connection, from 1: what `batchItemFailures` names. */
  seq: number;
  channel: string;
  payload: string;
  processId: number;
  receivedAt: number;
}
type Msg = BrokerMessage<PgNotification>;

export function pgConfig(s: SourceUri, uuid?: string): pg.ClientConfig {
  return {
    host: s.host,
    port: s.port,
    ...(s.vhost === "/" ? {} : { database: s.vhost }),
    ...(s.username === undefined ? {} : { user: s.username }),
    ...(s.password === undefined ? {} : { password: s.password }),
    connectionTimeoutMillis: 5000,
    // Names the session in pg_stat_activity, so an operator sees which mapping listens.
    ...(uuid === undefined ? {} : { application_name: `vajra-${uuid}` }),
  };
}

class PgConsumer implements BrokerConsumer<PgNotification> {
  readonly lost: Promise<Error>;
  private readonly buffer = new MessageBuffer<Msg>();
  private closing = false;
  private seq = 0;
  private setLost: (err: Error) => void = () => undefined;

  constructor(private readonly client: pg.Client) {
    this.lost = new Promise((resolve) => {
      this.setLost = (err) => {
        if (this.closing) return;
        this.buffer.end();
        resolve(err);
      };
    });
    client.on("notification", (n) =>
      this.buffer.push({
        raw: {
          seq: ++this.seq,
          channel: n.channel,
          payload: n.payload ?? "",
          processId: n.processId,
          receivedAt: Date.now(),
        },
      }),
    );
    client.on("error", (err) => this.setLost(err));
    client.on("end", () => this.setLost(new Error("the PostgreSQL connection closed")));
  }

  next(max: number, windowMs: number, signal: AbortSignal): Promise<Msg[]> {
    return this.buffer.take(max, windowMs, signal);
  }

  /** NOTIFY has no acknowledgement: done is done. */
  ack(): Promise<void> {
    return Promise.resolve();
  }
  reject(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.buffer.end();
    await this.client.end().catch(() => undefined);
  }
}

function bodyView(n: PgNotification): unknown {
  try {
    return JSON.parse(n.payload) as unknown;
  } catch {
    return n.payload; // not JSON: patterns see the text
  }
}

export const postgresAdapter: BrokerAdapter<PgNotification> = {
  kind: "postgres",

  async open(source, opts) {
    const client = new pg.Client(pgConfig(source, opts.uuid));
    const consumer = new PgConsumer(client);
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(source.target)}`);
      return consumer;
    } catch (err) {
      await consumer.close();
      throw err;
    }
  },

  event(sourceArn, _source, batch) {
    return {
      Records: batch.map((m) => ({
        eventSource: "vajra:postgres",
        eventSourceArn: sourceArn,
        messageId: String(m.raw.seq),
        channel: m.raw.channel,
        body: m.raw.payload, // NOTIFY payloads are text
        attributes: { processId: m.raw.processId, receivedAt: new Date(m.raw.receivedAt).toISOString() },
      })),
    };
  },

  filterView(m) {
    return { messageId: String(m.raw.seq), channel: m.raw.channel, body: bodyView(m.raw) };
  },

  itemId(m) {
    return String(m.raw.seq);
  },

  /** Nothing stays on the server: the LISTEN ended with its connection. */
  dispose() {
    return Promise.resolve();
  },
};
