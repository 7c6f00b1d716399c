// The Redis streams adapter for event source mappings: a consumer group on the mapping's stream (made,
// with the stream, when missing) read with XREADGROUP BLOCK by a consumer named after the mapping, and
// XACK after success. On start the consumer first reads its own pending entries (delivered before a
// crash, never acknowledged), so nothing is lost. The event is SQS-like: `Records` with
// `eventSource: "vajra:redis"`.

import { Redis } from "ioredis";
import type { SourceUri } from "../../core/event-source-mapping.js";
import { MessageBuffer, type BrokerAdapter, type BrokerConsumer, type BrokerMessage } from "./broker.js";
import { bodyOf } from "./mqtt.js";

export interface RedisEntry {
  id: string;
  /** The entry's field/value pairs, in order. */
  fields: [string, Buffer][];
}
type Msg = BrokerMessage<RedisEntry>;

/** How long one XREADGROUP blocks: bounds how late close() and backpressure are noticed. */
const BLOCK_MS = 1000;

export function groupOf(s: SourceUri, uuid: string): string {
  return s.group ?? `vajra-${uuid}`;
}
export function consumerOf(uuid: string): string {
  return `vajra-${uuid}`;
}

export function redisClient(s: SourceUri): Redis {
  const r = new Redis({
    host: s.host,
    port: s.port,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null, // the runner reconnects, with backoff, and reports the broker's absence
    connectTimeout: 5000,
    ...(s.username === undefined ? {} : { username: s.username }),
    ...(s.password === undefined ? {} : { password: s.password }),
  });
  r.on("error", () => undefined); // surfaced by the command that fails, and by `end`
  return r;
}

type ReadReply = [Buffer, [Buffer, Buffer[] | null][]][] | null;

class RedisConsumer implements BrokerConsumer<RedisEntry> {
  readonly lost: Promise<Error>;
  private readonly buffer = new MessageBuffer<Msg>();
  private closing = false;
  private setLost: (err: Error) => void = () => undefined;

  constructor(
    /** Blocking reads only; acknowledgements go through `cmd` so they never wait behind a BLOCK. */
    private readonly reader: Redis,
    private readonly cmd: Redis,
    private readonly stream: string,
    private readonly group: string,
    private readonly consumer: string,
    private readonly batchSize: number,
  ) {
    this.lost = new Promise((resolve) => {
      this.setLost = (err) => {
        if (this.closing) return;
        this.buffer.end();
        resolve(err);
      };
    });
    for (const r of [reader, cmd]) r.on("end", () => this.setLost(new Error("the Redis connection closed")));
    void this.loop().catch((err: unknown) =>
      this.setLost(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private async loop(): Promise<void> {
    // "0": this consumer's pending entries first (the re-claim after a crash), then ">" for new ones.
    let from = "0";
    let pending = true;
    while (!this.closing) {
      if (this.buffer.size >= this.batchSize * 2) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const reply = (await this.reader.callBuffer(
        "XREADGROUP",
        "GROUP",
        this.group,
        this.consumer,
        "COUNT",
        this.batchSize,
        "BLOCK",
        BLOCK_MS,
        "STREAMS",
        this.stream,
        from,
      )) as ReadReply;
      const entries = reply?.[0]?.[1] ?? [];
      if (pending && entries.length === 0) {
        pending = false;
        from = ">";
        continue;
      }
      for (const [idBuf, flat] of entries) {
        const id = idBuf.toString();
        if (pending) from = id; // the next page of pending entries starts after this one
        if (flat === null) {
          // Pending but trimmed from the stream: nothing to deliver, so let the group forget it.
          await this.cmd.xack(this.stream, this.group, id);
          continue;
        }
        const fields: [string, Buffer][] = [];
        for (let i = 0; i + 1 < flat.length; i += 2)
          fields.push([(flat[i] as Buffer).toString(), flat[i + 1] as Buffer]);
        this.buffer.push({ raw: { id, fields } });
      }
    }
  }

  next(max: number, windowMs: number, signal: AbortSignal): Promise<Msg[]> {
    return this.buffer.take(max, windowMs, signal);
  }

  async ack(m: Msg): Promise<void> {
    await this.cmd.xack(this.stream, this.group, m.raw.id);
  }

  /** Streams have no dead-letter: a given-up entry is acknowledged (it was recorded). */
  reject(m: Msg): Promise<void> {
    return this.ack(m);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.buffer.end();
    this.reader.disconnect();
    await this.cmd.quit().catch(() => undefined);
  }
}

/** The entry's body: its `body` field when it has one (what XADD publishers and Vajra's destinations use). */
function bodyField(e: RedisEntry): Buffer {
  return (e.fields.find(([k]) => k === "body") ?? e.fields[0])?.[1] ?? Buffer.alloc(0);
}

function fieldsOf(e: RedisEntry): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of e.fields) if (k !== "body") out[k] = bodyOf(v).body;
  return out;
}

export const redisAdapter: BrokerAdapter<RedisEntry> = {
  kind: "redis",

  async open(source, opts) {
    const reader = redisClient(source);
    const cmd = redisClient(source);
    try {
      await Promise.all([reader.connect(), cmd.connect()]);
      const group = groupOf(source, opts.uuid);
      const start = opts.startingPosition === "LATEST" ? "$" : "0";
      try {
        await cmd.xgroup("CREATE", source.target, group, start, "MKSTREAM");
      } catch (err) {
        if (!String(err).includes("BUSYGROUP")) throw err; // the group is there already: resume it
      }
      return new RedisConsumer(reader, cmd, source.target, group, consumerOf(opts.uuid), opts.batchSize);
    } catch (err) {
      reader.disconnect();
      cmd.disconnect();
      throw err;
    }
  },

  event(sourceArn, source, batch) {
    return {
      Records: batch.map((m) => ({
        eventSource: "vajra:redis",
        eventSourceArn: sourceArn,
        messageId: m.raw.id,
        stream: source.target,
        ...bodyOf(bodyField(m.raw)),
        attributes: { fields: fieldsOf(m.raw), timestamp: new Date(idTime(m.raw.id)).toISOString() },
      })),
    };
  },

  filterView(m) {
    const { body: text, bodyEncoding } = bodyOf(bodyField(m.raw));
    let body: unknown = text;
    if (bodyEncoding === "utf8")
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: patterns see the text
      }
    return { messageId: m.raw.id, fields: fieldsOf(m.raw), body };
  },

  arrivedAt(m) {
    return idTime(m.raw.id);
  },

  itemId(m) {
    return m.raw.id;
  },

  async dispose(source, uuid) {
    const r = redisClient(source);
    try {
      await r.connect();
      // A named group may be shared with other readers: only this mapping's consumer goes.
      if (source.group === undefined) await r.xgroup("DESTROY", source.target, groupOf(source, uuid));
      else await r.xgroup("DELCONSUMER", source.target, source.group, consumerOf(uuid));
    } finally {
      r.disconnect();
    }
  },
};

/** A stream id is `<ms>-<seq>`: the time Redis added the entry. */
function idTime(id: string): number {
  return Number(id.split("-")[0]);
}
