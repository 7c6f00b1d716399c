// Publishes destination records to an MQTT topic (`mqtt://host:1883?topic=T`) at QoS 1: the publish
// resolves when the broker's PUBACK arrives.

import mqtt, { type MqttClient } from "mqtt";
import { ConnectionCache, withTimeout, type DestinationPublisher } from "./publisher.js";

export class MqttPublisher implements DestinationPublisher {
  readonly kind = "mqtt";
  private readonly connections = new ConnectionCache<MqttClient>((c) => c.endAsync());

  async publish(uri: string, body: Buffer): Promise<void> {
    const url = new URL(uri);
    const key = `${url.username}@${url.host}`;
    try {
      const client = await withTimeout(
        uri,
        this.connections.get(key, () =>
          mqtt.connectAsync({
            host: url.hostname,
            port: url.port === "" ? 1883 : Number(url.port),
            protocol: "mqtt",
            clean: true,
            reconnectPeriod: 0, // the outbox retries; a dead client is dropped and made again
            connectTimeout: 5000,
            ...(url.username === "" ? {} : { username: decodeURIComponent(url.username) }),
            ...(url.password === "" ? {} : { password: decodeURIComponent(url.password) }),
          }),
        ),
      );
      if (!client.connected) throw new Error("the MQTT connection is closed");
      await withTimeout(uri, client.publishAsync(url.searchParams.get("topic") ?? "", body, { qos: 1 }));
    } catch (err) {
      await this.connections.drop(key);
      throw err;
    }
  }

  close(): Promise<void> {
    return this.connections.closeAll();
  }
}
