// Event source mappings on MQTT, Redis streams and PostgreSQL LISTEN through the real server: a mapping
// made with the native /triggers API delivers published messages in order as vajra:* Records with
// the password masked, and a server killed (SIGKILL) in the middle of a batch processes every message at
// least once after its restart. Each test uses its own topic or stream and removes it.
// A missing broker skips (fails under VAJRA_REQUIRE_SERVICES=1).

import { after, before, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { Redis } from "ioredis";
import pg from "pg";
import { deploy, startServer, stopAndClean, waitFor, type ServerHandle } from "./harness.js";
import { reachable } from "../support/services.js";

let s: ServerHandle;
before(async () => {
  s = await startServer();
  const r = await deploy(
    s,
    { name: "batcher", runtime: "python3.11", handler: "app.handler" },
    "python/batches",
  );
  assert.equal(r.status, 201, JSON.stringify(r.json));
});
after(async () => {
  await stopAndClean(s);
});

/** Every Record the function printed for `source` (a topic or stream), oldest first. */
async function records(match: (r: Record<string, unknown>) => boolean): Promise<Record<string, unknown>[]> {
  const r = await s.api(`/functions/batcher/logs?limit=500`);
  const { invocations } = (await r.json()) as { invocations: Array<{ log: string; startedAt: string }> };
  const out: Record<string, unknown>[] = [];
  for (const i of invocations.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)))
    for (const line of i.log.split("\n")) {
      const at = line.indexOf("BATCH ");
      if (at < 0) continue;
      const e = JSON.parse(line.slice(at + 6)) as { Records?: Record<string, unknown>[] };
      out.push(...(e.Records ?? []).filter(match));
    }
  return out;
}

/**
 * An MQTT subscription is made after the mapping says it is enabled, and what is published before it
 * is not kept: publishes `probe` until a record of it reaches the function (bounded).
 */
async function untilDelivered(
  probe: () => Promise<void>,
  match: (r: Record<string, unknown>) => boolean,
): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await probe();
    if (await waitFor(async () => (await records(match)).some((r) => r.body === "probe"), 1000)) return;
  }
  assert.fail("the probe message never reached the function");
}

async function createTrigger(source: string, batchSize: number): Promise<Record<string, unknown>> {
  const r = await s.api("/triggers", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ source, function: "batcher", batchSize }),
  });
  const body = (await r.json()) as Record<string, unknown>;
  assert.equal(r.status, 201, JSON.stringify(body));
  return body;
}
async function deleteTrigger(uuid: string): Promise<void> {
  await s.api(`/triggers/${uuid}`, { method: "DELETE" });
}
async function enabled(uuid: string): Promise<boolean> {
  const t = (await (await s.api(`/triggers/${uuid}`)).json()) as Record<string, unknown>;
  return t.state === "Enabled" && t.stateTransitionReason === "USER_INITIATED";
}

const mqttConnect = (): Promise<MqttClient> =>
  mqtt.connectAsync({ host: "127.0.0.1", port: 1883, reconnectPeriod: 0, connectTimeout: 3000 });
function redis(): Redis {
  const r = new Redis({
    host: "127.0.0.1",
    port: 6379,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  r.on("error", () => undefined);
  return r;
}

test("MQTT: a /triggers mapping on a wildcard topic delivers vajra:mqtt Records in order, password masked", async (t) => {
  if (!(await reachable(t, "Mosquitto on 127.0.0.1:1883", async () => (await mqttConnect()).endAsync())))
    return;
  const topic = `vajra-esm-${randomUUID().slice(0, 8)}`;
  const client = await mqttConnect();
  let uuid: string | undefined;
  try {
    // Mosquitto allows anonymous clients here: the credentials are only there to be masked.
    const created = await createTrigger(`mqtt://who:s3cret@127.0.0.1:1883?topic=${topic}/%2B/temp`, 5);
    uuid = String(created.uuid);
    assert.equal(created.source, `mqtt://who:****@127.0.0.1:1883?topic=${topic}%2F%2B%2Ftemp`);
    assert.ok(await waitFor(() => enabled(uuid as string), 20_000), "the mapping is consuming");
    await untilDelivered(
      async () => void (await client.publishAsync(`${topic}/probe/temp`, "probe", { qos: 1 })),
      (r) => r.topic === `${topic}/probe/temp`,
    );
    for (let i = 0; i < 7; i++) await client.publishAsync(`${topic}/${i % 2}/temp`, `n${i}`, { qos: 1 });
    await client.publishAsync(`${topic}/0/humidity`, "not matched", { qos: 1 });
    const mine = (): Promise<Record<string, unknown>[]> =>
      records((r) => String(r.topic).startsWith(`${topic}/`) && r.body !== "probe");
    assert.ok(await waitFor(async () => (await mine()).length >= 7, 60_000), "7 records");
    const recs = await mine();
    assert.deepEqual(
      recs.map((r) => r.body),
      ["n0", "n1", "n2", "n3", "n4", "n5", "n6"],
    );
    assert.equal(recs[0]?.eventSource, "vajra:mqtt");
    assert.equal(recs[0]?.topic, `${topic}/0/temp`);
    assert.ok(!JSON.stringify(recs).includes("s3cret"), "the password never reaches the function");
    const shown = await (await s.api(`/triggers/${uuid}`)).text();
    assert.ok(!shown.includes("s3cret"));
  } finally {
    if (uuid !== undefined) await deleteTrigger(uuid);
    await client.endAsync().catch(() => undefined);
  }
});

test("Redis streams: a /triggers mapping delivers vajra:redis Records in order and acknowledges them", async (t) => {
  if (!(await reachable(t, "Redis on 127.0.0.1:6379", redisUp))) return;
  const stream = `vajra-esm-${randomUUID().slice(0, 8)}`;
  const r = redis();
  await r.connect();
  let uuid: string | undefined;
  try {
    const created = await createTrigger(`redis://127.0.0.1:6379?stream=${stream}&group=g1`, 5);
    uuid = String(created.uuid);
    assert.ok(await waitFor(() => enabled(uuid as string), 20_000), "the mapping is consuming");
    for (let i = 0; i < 7; i++) await r.xadd(stream, "*", "body", `n${i}`, "source", "test");
    const mine = (): Promise<Record<string, unknown>[]> => records((x) => x.stream === stream);
    assert.ok(await waitFor(async () => (await mine()).length >= 7, 60_000), "7 records");
    const recs = await mine();
    assert.deepEqual(
      recs.map((x) => x.body),
      ["n0", "n1", "n2", "n3", "n4", "n5", "n6"],
    );
    assert.equal(recs[0]?.eventSource, "vajra:redis");
    assert.deepEqual((recs[0]?.attributes as { fields: unknown }).fields, { source: "test" });
    assert.ok(
      await waitFor(async () => {
        const p = (await r.xpending(stream, "g1")) as [number, ...unknown[]];
        return p[0] === 0;
      }, 10_000),
      "nothing left pending in the group",
    );
  } finally {
    if (uuid !== undefined) await deleteTrigger(uuid);
    await r.del(stream).catch(() => undefined);
    r.disconnect();
  }
});

test("PostgreSQL LISTEN: a /triggers mapping delivers vajra:postgres Records in order", async (t) => {
  const client = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" });
  client.on("error", () => undefined);
  if (!(await reachable(t, "PostgreSQL on 127.0.0.1:5432", () => client.connect()))) return;
  const channel = `vajra-esm-${randomUUID().slice(0, 8)}`;
  let uuid: string | undefined;
  try {
    const created = await createTrigger(
      `postgres://postgres:pw@127.0.0.1:5432/postgres?channel=${channel}`,
      5,
    );
    uuid = String(created.uuid);
    assert.equal(created.source, `postgres://postgres:****@127.0.0.1:5432/postgres?channel=${channel}`);
    // NOTIFY keeps nothing: publish only once the mapping's session LISTENs.
    const listening = async (): Promise<boolean> => {
      const r = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND query = $2",
        [`vajra-${uuid}`, `LISTEN "${channel}"`],
      );
      return Number(r.rows[0]?.n ?? 0) > 0;
    };
    assert.ok(await waitFor(listening, 20_000), "the mapping LISTENs");
    for (let i = 0; i < 7; i++) await client.query("SELECT pg_notify($1, $2)", [channel, `n${i}`]);
    const mine = (): Promise<Record<string, unknown>[]> => records((x) => x.channel === channel);
    assert.ok(await waitFor(async () => (await mine()).length >= 7, 60_000), "7 records");
    const recs = await mine();
    assert.deepEqual(
      recs.map((x) => x.body),
      ["n0", "n1", "n2", "n3", "n4", "n5", "n6"],
    );
    assert.equal(recs[0]?.eventSource, "vajra:postgres");
  } finally {
    if (uuid !== undefined) await deleteTrigger(uuid);
    await client.end().catch(() => undefined);
  }
});

async function redisUp(): Promise<boolean> {
  const r = redis();
  try {
    await r.connect();
    if ((await r.ping()) !== "PONG") throw new Error("Redis did not answer PING");
    return true;
  } finally {
    r.disconnect();
  }
}

/** Publishes 30 slow messages, kills the server after the first batch, restarts it, counts. */
async function killMidBatch(
  t: TestContext,
  source: string,
  publish: (bodies: string[]) => Promise<void>,
  match: (r: Record<string, unknown>) => boolean,
  probe?: () => Promise<void>,
): Promise<void> {
  const bodies = Array.from({ length: 30 }, (_, i) => `slow-${i}`);
  const seen = async (): Promise<string[]> =>
    (await records(match)).map((r) => String(r.body)).filter((b) => b !== "probe");
  let uuid: string | undefined;
  try {
    uuid = String((await createTrigger(source, 5)).uuid);
    assert.ok(await waitFor(() => enabled(uuid as string), 20_000), "the mapping is consuming");
    if (probe !== undefined) await untilDelivered(probe, match);
    await publish(bodies);
    // The first batch's record is written: the next batch (1.5 s of work) is under way. Kill now.
    assert.ok(await waitFor(async () => (await seen()).length >= 5, 60_000), "a first batch");
    const dataDir = s.dataDir;
    const before = (await seen()).length;
    await s.stop("SIGKILL");
    assert.ok(before < bodies.length, "killed before the end");
    s = await startServer({ dataDir });
    assert.ok(
      await waitFor(async () => new Set(await seen()).size >= bodies.length, 120_000),
      "every message processed after the restart",
    );
    const got = await seen();
    for (const b of bodies) assert.ok(got.includes(b), `${b} processed at least once`);
    t.diagnostic(
      `${got.length} deliveries of ${bodies.length} messages (repeats: ${got.length - bodies.length})`,
    );
  } finally {
    if (uuid !== undefined) await deleteTrigger(uuid);
  }
}

test("SIGKILL mid-batch on a Redis stream: after the restart every message was processed at least once", async (t) => {
  if (!(await reachable(t, "Redis on 127.0.0.1:6379", redisUp))) return;
  const stream = `vajra-kill-${randomUUID().slice(0, 8)}`;
  const r = redis();
  await r.connect();
  try {
    await killMidBatch(
      t,
      `redis://127.0.0.1:6379?stream=${stream}`,
      async (bodies) => {
        for (const b of bodies) await r.xadd(stream, "*", "body", b);
      },
      (x) => x.stream === stream,
    );
  } finally {
    await r.del(stream).catch(() => undefined);
    r.disconnect();
  }
});

test("SIGKILL mid-batch on an MQTT topic: after the restart every message was processed at least once", async (t) => {
  if (!(await reachable(t, "Mosquitto on 127.0.0.1:1883", async () => (await mqttConnect()).endAsync())))
    return;
  const topic = `vajra-kill-${randomUUID().slice(0, 8)}`;
  const client = await mqttConnect();
  try {
    await killMidBatch(
      t,
      `mqtt://127.0.0.1:1883?topic=${topic}`,
      async (bodies) => {
        for (const b of bodies) await client.publishAsync(topic, b, { qos: 1 });
      },
      (x) => x.topic === topic,
      async () => void (await client.publishAsync(topic, "probe", { qos: 1 })),
    );
  } finally {
    await client.endAsync().catch(() => undefined);
  }
});
