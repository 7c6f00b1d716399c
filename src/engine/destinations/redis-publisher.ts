// Publishes destination records to a Redis stream (`redis://host:6379?stream=S`) with XADD; the record
// is the entry's `body` field. Offline queueing is off so a Redis that is down fails the attempt (the
// outbox retries it) instead of holding it in memory.

import { Redis } from "ioredis";
import { ConnectionCache, withTimeout, type DestinationPublisher } from "./publisher.js";

export class RedisPublisher implements DestinationPublisher {
  readonly kind = "redis";
  private readonly connections = new ConnectionCache<Redis>(async (r) => {
    r.disconnect();
    return Promise.resolve();
  });

  async publish(uri: string, body: Buffer): Promise<void> {
    const url = new URL(uri);
    const key = `${url.username}@${url.host}${url.pathname}`;
    try {
      const redis = await withTimeout(
        uri,
        this.connections.get(key, async () => {
          const db = Number(url.pathname.replace(/^\//, "") || "0");
          const r = new Redis({
            host: url.hostname,
            port: url.port === "" ? 6379 : Number(url.port),
            db: Number.isInteger(db) ? db : 0,
            lazyConnect: true,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
            ...(url.username === "" ? {} : { username: decodeURIComponent(url.username) }),
            ...(url.password === "" ? {} : { password: decodeURIComponent(url.password) }),
          });
          r.on("error", () => undefined); // surfaced by the command that fails
          await r.connect();
          return r;
        }),
      );
      await withTimeout(uri, redis.xadd(url.searchParams.get("stream") ?? "", "*", "body", body));
    } catch (err) {
      await this.connections.drop(key);
      throw err;
    }
  }

  close(): Promise<void> {
    return this.connections.closeAll();
  }
}
