// Publishes destination records to a NATS subject (`nats://host:4222?subject=S`). A core publish
// followed by a flush: the flush returns once the server has the message, so a subject captured by a
// JetStream stream keeps it durably.

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ConnectionCache, withTimeout, type DestinationPublisher } from "./publisher.js";

function options(url: URL): Parameters<typeof connect>[0] {
  const host = url.hostname.includes(":") ? `[${url.hostname}]` : url.hostname;
  return {
    servers: `${host}:${url.port === "" ? 4222 : url.port}`,
    reconnect: false,
    ...(url.username === "" ? {} : { user: decodeURIComponent(url.username) }),
    ...(url.password === "" ? {} : { pass: decodeURIComponent(url.password) }),
  };
}

export class NatsPublisher implements DestinationPublisher {
  readonly kind = "nats";
  private readonly connections = new ConnectionCache<NatsConnection>((nc) => nc.close());

  async publish(uri: string, body: Buffer): Promise<void> {
    const url = new URL(uri);
    const key = `${url.username}@${url.host}`;
    try {
      const nc = await withTimeout(
        uri,
        this.connections.get(key, () => connect(options(url))),
      );
      nc.publish(url.searchParams.get("subject") ?? "", body);
      await withTimeout(uri, nc.flush());
    } catch (err) {
      await this.connections.drop(key);
      throw err;
    }
  }

  close(): Promise<void> {
    return this.connections.closeAll();
  }
}
