// Publishes destination records over AMQP 0-9-1 (RabbitMQ): to an exchange with a routing key
// (`amqp://user:pass@host:5672/vhost?exchange=E&routingKey=K`) or straight to a queue (`?queue=Q`), as
// persistent messages on a confirm channel, so a publish resolves only once the broker took it. The
// exchange or queue must exist (checked on connect): a record is never published into nowhere.

import amqp, { type ChannelModel, type ConfirmChannel } from "amqplib";
import { ConnectionCache, withTimeout, type DestinationPublisher } from "./publisher.js";

interface Open {
  conn: ChannelModel;
  ch: ConfirmChannel;
}

async function openChannel(url: URL): Promise<Open> {
  const conn = await amqp.connect({
    protocol: "amqp",
    hostname: url.hostname,
    port: url.port === "" ? 5672 : Number(url.port),
    username: url.username === "" ? "guest" : decodeURIComponent(url.username),
    password: url.password === "" ? "guest" : decodeURIComponent(url.password),
    vhost: url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : "/",
    heartbeat: 10,
  });
  conn.on("error", () => undefined); // a lost connection surfaces as the next publish's error
  try {
    const ch = await conn.createConfirmChannel();
    ch.on("error", () => undefined);
    const queue = url.searchParams.get("queue");
    if (queue !== null) await ch.checkQueue(queue);
    else await ch.checkExchange(url.searchParams.get("exchange") ?? "");
    return { conn, ch };
  } catch (err) {
    await conn.close().catch(() => undefined);
    throw err;
  }
}

export class AmqpPublisher implements DestinationPublisher {
  readonly kind = "amqp";
  private readonly connections = new ConnectionCache<Open>((o) => o.conn.close());

  async publish(uri: string, body: Buffer): Promise<void> {
    const url = new URL(uri);
    try {
      const { ch } = await withTimeout(
        uri,
        this.connections.get(uri, () => openChannel(url)),
      );
      const props = { persistent: true, contentType: "application/json" };
      const queue = url.searchParams.get("queue");
      if (queue !== null) ch.sendToQueue(queue, body, props);
      else
        ch.publish(
          url.searchParams.get("exchange") ?? "",
          url.searchParams.get("routingKey") ?? "",
          body,
          props,
        );
      await withTimeout(uri, ch.waitForConfirms());
    } catch (err) {
      await this.connections.drop(uri);
      throw err;
    }
  }

  close(): Promise<void> {
    return this.connections.closeAll();
  }
}
