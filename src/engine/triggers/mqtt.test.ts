// Runs the broker contract against the local Mosquitto (127.0.0.1:1883), and checks that a message
// delivered but not acknowledged before the consumer went away is delivered again to its session.

import assert from "node:assert/strict";
import mqtt, { type MqttClient } from "mqtt";
import { brokerContract } from "./broker-contract.js";
import { redeliveryCase } from "./redelivery-case.js";
import { mqttAdapter } from "./mqtt.js";

const uri = (name: string): string => `mqtt://127.0.0.1:1883?topic=${name}/%23`;

async function withClient<T>(fn: (c: MqttClient) => Promise<T>): Promise<T> {
  const c = await mqtt.connectAsync({
    host: "127.0.0.1",
    port: 1883,
    reconnectPeriod: 0,
    connectTimeout: 3000,
  });
  try {
    return await fn(c);
  } finally {
    await c.endAsync().catch(() => undefined);
  }
}
const available = (): Promise<boolean> => withClient(() => Promise.resolve(true)).catch(() => false);

async function publish(name: string, bodies: (string | Buffer)[]): Promise<void> {
  await withClient(async (c) => {
    for (const b of bodies) await c.publishAsync(`${name}/orders`, b, { qos: 1 });
  });
}

brokerContract("MQTT", {
  adapter: mqttAdapter,
  bodyField: "body",
  uri,
  available,
  create: () => Promise.resolve(),
  remove: () => Promise.resolve(),
  publish,
  noMissingTarget: "MQTT topics need no creating: there is no missing topic to report",
  read: (event, name) => {
    const e = event as { Records: Record<string, unknown>[] };
    return e.Records.map((r) => {
      assert.equal(r.eventSource, "vajra:mqtt");
      assert.equal(r.eventSourceArn, `mqtt://127.0.0.1:1883?topic=${name}%2F%23`);
      assert.equal(r.topic, `${name}/orders`);
      assert.equal(r.bodyEncoding, "utf8");
      assert.deepEqual(r.attributes, { qos: 1, retain: false, dup: (r.attributes as { dup: boolean }).dup });
      assert.match(String(r.messageId), /^\d+$/);
      return { body: String(r.body), id: String(r.messageId) };
    });
  },
});

redeliveryCase("MQTT", { adapter: mqttAdapter, uri, available, remove: () => Promise.resolve(), publish });
