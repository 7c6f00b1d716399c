// The MQTT adapter for event source mappings: a persistent session (clean=false, client id
// `vajra-<uuid>`) subscribed at QoS 1 to the mapping's topic filter, so what was published while the
// server was down, and what was delivered but not acknowledged before a crash, comes (again) after it.
// The PUBACK is sent only once the function succeeded. The event is SQS-like: `Records` with
// `eventSource: "vajra:mqtt"`.

import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
import type { SourceUri } from "../../core/event-source-mapping.js";
import { MessageBuffer, type BrokerAdapter, type BrokerConsumer, type BrokerMessage } from "./broker.js";

export interface MqttRaw {
  topic: string;
  payload: Buffer;
  packet: IPublishPacket;
}
type Msg = BrokerMessage<MqttRaw>;

/**
 * What mqtt.js keeps private but a deferred acknowledgement needs: its own PUBACK goes out only when
 * `handleMessage` calls back, and packets are handled one at a time, so holding that callback until
 * the function is done would stall the connection (no batches, no keepalive). The adapter lets mqtt.js
 * skip its PUBACK and sends it itself through the client's packet writer.
 */
interface PacketWriter {
  _sendPacket(packet: { cmd: "puback"; messageId: number }, cb: (err?: Error) => void): void;
}

/** Stable per mapping: the broker keeps the session (subscription, unacknowledged messages) under it. */
export function clientIdOf(uuid: string): string {
  return `vajra-${uuid}`;
}

export function mqttOptions(s: SourceUri, clientId: string, clean: boolean): IClientOptions {
  return {
    host: s.host,
    port: s.port,
    protocol: "mqtt",
    protocolVersion: 4, // 3.1.1: a clean=false session outlives the connection without an expiry to set
    clientId,
    clean,
    reconnectPeriod: 0, // the runner reconnects, with backoff, and reports the broker's absence
    connectTimeout: 5000,
    ...(s.username === undefined ? {} : { username: s.username }),
    ...(s.password === undefined ? {} : { password: s.password }),
  };
}

/** The marker an overridden handleMessage passes so mqtt.js sends no PUBACK of its own. */
class Deferred extends Error {}

class MqttConsumer implements BrokerConsumer<MqttRaw> {
  readonly lost: Promise<Error>;
  private readonly buffer = new MessageBuffer<Msg>();
  private closing = false;
  private setLost: (err: Error) => void = () => undefined;

  constructor(private readonly client: MqttClient) {
    this.lost = new Promise((resolve) => {
      this.setLost = (err) => {
        if (this.closing) return;
        this.buffer.end();
        resolve(err);
      };
    });
    client.handleMessage = (packet, callback) => {
      const p = packet;
      if (p.qos === 0) {
        // Not acknowledged by MQTT at all (a publisher's choice): delivered like the rest, once.
        this.buffer.push({ raw: { topic: p.topic, payload: toBuffer(p.payload), packet: p } });
        callback();
        return;
      }
      this.buffer.push({ raw: { topic: p.topic, payload: toBuffer(p.payload), packet: p } });
      callback(new Deferred("acknowledged later"));
    };
    client.on("close", () => this.setLost(new Error("the MQTT connection closed")));
    client.on("error", (err) => this.setLost(err));
  }

  next(max: number, windowMs: number, signal: AbortSignal): Promise<Msg[]> {
    return this.buffer.take(max, windowMs, signal);
  }

  ack(m: Msg): Promise<void> {
    const id = m.raw.packet.messageId;
    if (m.raw.packet.qos === 0 || id === undefined) return Promise.resolve();
    if (!this.client.connected) return Promise.reject(new Error("the MQTT connection is closed"));
    return new Promise((resolve, reject) => {
      (this.client as unknown as PacketWriter)._sendPacket({ cmd: "puback", messageId: id }, (err) =>
        err === undefined || err === null ? resolve() : reject(err),
      );
    });
  }

  /** MQTT has no negative acknowledgement: a given-up message is acknowledged (it was recorded). */
  reject(m: Msg): Promise<void> {
    return this.ack(m);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.buffer.end();
    // Not forced: PUBACKs just written are flushed before the DISCONNECT (the session stays on the broker).
    await this.client.endAsync().catch(() => undefined);
  }
}

function toBuffer(p: Buffer | string): Buffer {
  return typeof p === "string" ? Buffer.from(p) : p;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The body as text when it is UTF-8, else base64 (and says which). */
export function bodyOf(b: Buffer): { body: string; bodyEncoding: "utf8" | "base64" } {
  try {
    return { body: utf8.decode(b), bodyEncoding: "utf8" };
  } catch {
    return { body: b.toString("base64"), bodyEncoding: "base64" };
  }
}

function messageId(m: Msg): string {
  // The packet identifier: unique among the session's unacknowledged messages (QoS 0 ones have none).
  return String(m.raw.packet.messageId ?? 0);
}

async function connect(opts: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(opts);
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("error", reject);
    client.once("close", () => reject(new Error(`cannot connect to MQTT at ${opts.host}:${opts.port}`)));
  });
  return client;
}

export const mqttAdapter: BrokerAdapter<MqttRaw> = {
  kind: "mqtt",

  async open(source, opts) {
    const client = mqtt.connect(mqttOptions(source, clientIdOf(opts.uuid), false));
    // Installed before the session resumes: messages held for it arrive right after CONNACK.
    const consumer = new MqttConsumer(client);
    try {
      await new Promise<void>((resolve, reject) => {
        client.once("connect", () => resolve());
        void consumer.lost.then(reject);
      });
      const granted = await client.subscribeAsync(source.target, { qos: 1 });
      if (granted.some((g) => g.qos !== 1))
        throw new Error(`the MQTT broker refused a QoS 1 subscription to ${JSON.stringify(source.target)}`);
      return consumer;
    } catch (err) {
      await consumer.close();
      throw err;
    }
  },

  event(sourceArn, _source, batch) {
    return {
      Records: batch.map((m) => ({
        eventSource: "vajra:mqtt",
        eventSourceArn: sourceArn,
        messageId: messageId(m),
        topic: m.raw.topic,
        ...bodyOf(m.raw.payload),
        attributes: { qos: m.raw.packet.qos, retain: m.raw.packet.retain, dup: m.raw.packet.dup },
      })),
    };
  },

  filterView(m) {
    const { body: text, bodyEncoding } = bodyOf(m.raw.payload);
    let body: unknown = text;
    if (bodyEncoding === "utf8")
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: patterns see the text
      }
    return { messageId: messageId(m), topic: m.raw.topic, body };
  },

  itemId(m) {
    return messageId(m);
  },

  async dispose(source, uuid) {
    // Connecting clean under the mapping's client id drops its session (subscription and queue).
    const client = await connect(mqttOptions(source, clientIdOf(uuid), true));
    await client.endAsync().catch(() => undefined);
  },
};
