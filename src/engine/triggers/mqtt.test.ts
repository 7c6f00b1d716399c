// Runs the broker contract against the local Mosquitto (127.0.0.1:1883), and checks that a message
// delivered but not acknowledged before the consumer went away is delivered again to its session.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { parseSourceUri } from "../../core/event-source-mapping.js";
import { brokerContract } from "./broker-contract.js";
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

test("MQTT: unacknowledged messages are redelivered to the mapping's session; binary bodies are base64", async (t) => {
  if (!(await available())) {
    if (process.env.VAJRA_REQUIRE_SERVICES === "1") assert.fail("Mosquitto is not reachable");
    return void t.skip("Mosquitto is not reachable on 127.0.0.1:1883");
  }
  const name = `vajra-redeliver-${randomUUID().slice(0, 8)}`;
  const source = parseSourceUri(uri(name));
  const uuid = randomUUID();
  const ac = new AbortController();
  let c = await mqttAdapter.open(source, { uuid, batchSize: 10 });
  try {
    await publish(name, ["one", Buffer.from([0xff, 0xfe])]);
    const first = await c.next(2, 2000, ac.signal);
    assert.equal(first.length, 2);
    await c.ack(first[0]!);
    await c.close(); // the second is left unacknowledged
    await publish(name, ["while away"]);
    c = await mqttAdapter.open(source, { uuid, batchSize: 10 });
    const again = await c.next(2, 3000, ac.signal);
    const e = mqttAdapter.event("arn", source, again) as {
      Records: { body: string; bodyEncoding: string }[];
    };
    assert.deepEqual(
      e.Records.map((r) => [r.body, r.bodyEncoding]),
      [
        [Buffer.from([0xff, 0xfe]).toString("base64"), "base64"],
        ["while away", "utf8"],
      ],
    );
    await Promise.all(again.map((m) => c.ack(m)));
  } finally {
    await c.close();
    await mqttAdapter.dispose(source, uuid);
  }
});
