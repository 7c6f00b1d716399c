// Event source mappings through the real server: the AWS CLI creates, lists and deletes mappings on a
// RabbitMQ queue and a NATS JetStream stream; published messages reach the function in batches, in
// order, with the documented event shapes; a failed item is retried alone; the source's password never
// shows; bad input is refused with AWS error shapes and changes nothing. Each test creates and removes
// its own queue or stream. A missing broker skips (fails under VAJRA_REQUIRE_SERVICES=1).

import { after, before, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import amqp from "amqplib";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import Database from "better-sqlite3";
import { join } from "node:path";
import { awsCli, awsOk, skipWithoutAwsCli } from "./aws-cli.js";
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

/** Every event the function printed, oldest first. */
async function batches(): Promise<Record<string, unknown>[]> {
  const r = await s.api(`/functions/batcher/logs?limit=500`);
  const { invocations } = (await r.json()) as { invocations: Array<{ log: string; startedAt: string }> };
  const out: Record<string, unknown>[] = [];
  for (const i of invocations.reverse().sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt)))
    for (const line of i.log.split("\n")) {
      const at = line.indexOf("BATCH ");
      if (at >= 0) out.push(JSON.parse(line.slice(at + 6)) as Record<string, unknown>);
    }
  return out;
}

interface Esm {
  UUID: string;
  State: string;
  EventSourceArn: string;
  FunctionArn: string;
  BatchSize: number;
  StateTransitionReason: string;
  LastProcessingResult: string;
}

function listMappings(): Esm[] {
  return awsOk<{ EventSourceMappings: Esm[] }>(s, ["lambda", "list-event-source-mappings"])
    .EventSourceMappings;
}

const AMQP = { protocol: "amqp", hostname: "127.0.0.1", port: 5672, username: "guest", password: "guest" };
const NATS = { servers: "127.0.0.1:4222" };

/** A broker resource made for one test; `close()` deletes it and the mapping made on it (`mapping`). */
interface Fixture {
  name: string;
  mapping?: string;
  close(): Promise<void>;
}

async function closeFixture(
  f: Fixture,
  remove: () => Promise<unknown>,
  disconnect: () => Promise<void>,
): Promise<void> {
  if (f.mapping !== undefined) s.cli(["trigger", "delete", f.mapping, "--yes"]);
  await remove().catch(() => undefined);
  await disconnect();
}

/** A fresh durable queue on the local RabbitMQ and a confirm channel to it; undefined (skipped) without RabbitMQ. */
async function rabbitQueue(t: TestContext): Promise<(Fixture & { ch: amqp.ConfirmChannel }) | undefined> {
  if (!(await reachable(t, "RabbitMQ on 127.0.0.1:5672", async () => (await amqp.connect(AMQP)).close())))
    return undefined;
  const name = `vajra-esm-${randomUUID().slice(0, 8)}`;
  const conn = await amqp.connect(AMQP);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(name, { durable: true });
  const f: Fixture & { ch: amqp.ConfirmChannel } = {
    name,
    ch,
    close: () =>
      closeFixture(
        f,
        () => ch.deleteQueue(name),
        () => conn.close(),
      ),
  };
  return f;
}

/** A stream name on the local NATS (the test creates the stream); undefined (skipped) without NATS. */
async function natsStream(
  t: TestContext,
): Promise<(Fixture & { nc: NatsConnection; jsm: JetStreamManager }) | undefined> {
  if (!(await reachable(t, "NATS on 127.0.0.1:4222", async () => (await connect(NATS)).close())))
    return undefined;
  const name = `vajra-esm-${randomUUID().slice(0, 8)}`;
  const nc = await connect(NATS);
  const jsm = await jetstreamManager(nc);
  const f: Fixture & { nc: NatsConnection; jsm: JetStreamManager } = {
    name,
    nc,
    jsm,
    close: () =>
      closeFixture(
        f,
        () => jsm.streams.delete(name),
        () => nc.close(),
      ),
  };
  return f;
}

/** The bodies the function saw from RabbitMQ queue `queue`, in order. */
async function rmqBodies(queue: string): Promise<string[]> {
  return (await batches()).flatMap(
    (e) =>
      ((e.rmqMessagesByQueue ?? {}) as Record<string, { data: string }[]>)[`${queue}::/`]?.map((m) =>
        Buffer.from(m.data, "base64").toString(),
      ) ?? [],
  );
}

/** `vajra trigger create SOURCE --function batcher …` through the CLI; returns the mapping's UUID. */
function createTrigger(source: string, extra: string[] = []): string {
  const r = s.cli(["trigger", "create", source, "--function", "batcher", ...extra, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  return String((JSON.parse(r.stdout) as { uuid: string }).uuid);
}

/**
 * Waits until a first batch is recorded (the next one, 1.5 s of work, is then under way), kills the
 * server with SIGKILL and starts it again on the same data directory.
 */
async function killMidBatch(seen: () => Promise<string[]>, total: number): Promise<void> {
  assert.ok(await waitFor(async () => (await seen()).length >= 5, 60_000), "a first batch");
  const dataDir = s.dataDir;
  const before = (await seen()).length;
  await s.stop("SIGKILL");
  assert.ok(before < total, "killed before the end");
  s = await startServer({ dataDir });
}

test("RabbitMQ: the AWS CLI creates a mapping; batches arrive in order as aws:rmq; only a failed item is retried", async (t) => {
  if (skipWithoutAwsCli(t)) return;
  const q = await rabbitQueue(t);
  if (q === undefined) return;
  const { name: queue, ch } = q;
  try {
    const created = awsOk<Esm>(s, [
      "lambda",
      "create-event-source-mapping",
      "--function-name",
      "batcher",
      "--event-source-arn",
      `amqp://guest:guest@127.0.0.1:5672/?queue=${queue}`,
      "--batch-size",
      "10",
      "--maximum-batching-window-in-seconds",
      "1",
      "--maximum-retry-attempts",
      "1",
      "--function-response-types",
      "ReportBatchItemFailures",
    ]);
    const uuid = (q.mapping = created.UUID);
    assert.equal(created.State, "Creating");
    assert.equal(created.EventSourceArn, `amqp://guest:****@127.0.0.1:5672/?queue=${queue}`);
    assert.match(created.FunctionArn, /:function:batcher$/);
    assert.ok(listMappings().some((m) => m.UUID === uuid));
    const bySource = awsOk<{ EventSourceMappings: Esm[] }>(s, [
      "lambda",
      "list-event-source-mappings",
      "--event-source-arn",
      `amqp://guest:guest@127.0.0.1:5672/?queue=${queue}`,
    ]).EventSourceMappings;
    assert.deepEqual(
      bySource.map((m) => m.UUID),
      [uuid],
    );
    const got = awsOk<Esm>(s, ["lambda", "get-event-source-mapping", "--uuid", created.UUID]);
    assert.equal(got.State, "Enabled");

    const bodies = Array.from({ length: 12 }, (_, i) => (i === 3 ? "fail-3" : `m${i}`));
    for (const [i, b] of bodies.entries()) ch.sendToQueue(queue, Buffer.from(b), { messageId: `id-${i}` });
    await ch.waitForConfirms();
    const seen = async (): Promise<string[]> =>
      (await batches()).flatMap((e) =>
        Object.values((e.rmqMessagesByQueue ?? {}) as Record<string, { data: string }[]>)
          .flat()
          .map((m) => Buffer.from(m.data, "base64").toString("utf8")),
      );
    assert.ok(await waitFor(async () => (await seen()).filter((b) => b !== "fail-3").length >= 11, 60_000));
    assert.ok(await waitFor(async () => (await seen()).filter((b) => b === "fail-3").length >= 2, 30_000));
    const events = await batches();
    const first = events[0] as { eventSource: string; eventSourceArn: string; rmqMessagesByQueue: object };
    assert.equal(first.eventSource, "aws:rmq");
    assert.equal(first.eventSourceArn, created.EventSourceArn);
    assert.deepEqual(Object.keys(first.rmqMessagesByQueue), [`${queue}::/`]);
    const all = await seen();
    assert.deepEqual(
      all.filter((b) => b !== "fail-3"),
      bodies.filter((b) => b !== "fail-3"),
      "in order, each once",
    );
    assert.equal(all.filter((b) => b === "fail-3").length, 2, "the failed item: first try and one retry");
    const retry = events.find((e) => {
      const msgs = Object.values(e.rmqMessagesByQueue as Record<string, { data: string }[]>).flat();
      return msgs.length === 1 && Buffer.from(msgs[0]?.data ?? "", "base64").toString() === "fail-3";
    });
    assert.ok(retry !== undefined, "the retry carried the failed item alone");
    assert.ok(!s.output().includes("guest:guest@"), "the password is never logged");
    // Each batch is measured: its size and its oldest message's age, per function and broker kind.
    const scrape = await (await s.api("/metrics")).text();
    const batchCount =
      /vajra_event_source_batch_size_count\{[^}]*function="batcher",source="amqp"\} (\d+)/.exec(scrape);
    assert.ok(Number(batchCount?.[1] ?? 0) >= 2, "batch sizes are in /metrics");
    assert.match(
      scrape,
      /vajra_event_source_lag_seconds_count\{[^}]*function="batcher",source="amqp"\} [1-9]/,
    );
    const deleted = awsOk<Esm>(s, ["lambda", "delete-event-source-mapping", "--uuid", created.UUID]);
    assert.equal(deleted.State, "Deleting");
    q.mapping = undefined;
    assert.ok(!listMappings().some((m) => m.UUID === created.UUID));
  } finally {
    await q.close();
  }
});

test("NATS JetStream: a mapping delivers vajra:nats Records in order and resumes after its stream reappears", async (t) => {
  if (skipWithoutAwsCli(t)) return;
  const f = await natsStream(t);
  if (f === undefined) return;
  const { name: stream, nc, jsm } = f;
  try {
    // Created before its stream: the mapping says why it is not delivering, then resumes by itself.
    const created = awsOk<Esm>(s, [
      "lambda",
      "create-event-source-mapping",
      "--function-name",
      "batcher",
      "--event-source-arn",
      `nats://127.0.0.1:4222?stream=${stream}`,
      "--batch-size",
      "5",
    ]);
    f.mapping = created.UUID;
    assert.ok(
      await waitFor(
        () =>
          awsOk<Esm>(s, [
            "lambda",
            "get-event-source-mapping",
            "--uuid",
            created.UUID,
          ]).StateTransitionReason.includes(stream),
        20_000,
      ),
      "StateTransitionReason names the missing stream",
    );
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    const js = jetstream(nc);
    for (let i = 0; i < 7; i++) await js.publish(`${stream}.orders`, `n${i}`);
    const records = async (): Promise<Record<string, unknown>[]> =>
      (await batches())
        .flatMap((e) => (e.Records ?? []) as Record<string, unknown>[])
        .filter((r) => r.stream === stream);
    assert.ok(await waitFor(async () => (await records()).length >= 7, 60_000), "7 records");
    const recs = await records();
    assert.deepEqual(
      recs.map((r) => r.body),
      ["n0", "n1", "n2", "n3", "n4", "n5", "n6"],
    );
    assert.equal(recs[0]?.eventSource, "vajra:nats");
    assert.equal(recs[0]?.subject, `${stream}.orders`);
    assert.equal(recs[0]?.messageId, "1");
    const got = awsOk<Esm>(s, ["lambda", "get-event-source-mapping", "--uuid", created.UUID]);
    assert.equal(got.StateTransitionReason, "USER_INITIATED");
    assert.equal(got.LastProcessingResult, "OK");
    awsOk(s, ["lambda", "delete-event-source-mapping", "--uuid", created.UUID]);
    f.mapping = undefined;
  } finally {
    await f.close();
  }
});

test("bad input: unknown scheme, batch size out of range, unknown function; nothing is created", (t) => {
  if (skipWithoutAwsCli(t)) return;
  const before = listMappings().length;
  const create = (fn: string, arn: string, extra: string[] = []): { status: number; stderr: string } =>
    awsCli(s, [
      "lambda",
      "create-event-source-mapping",
      "--function-name",
      fn,
      "--event-source-arn",
      arn,
      ...extra,
    ]);
  let r = create("batcher", "kafka://127.0.0.1:9092?topic=t");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /InvalidParameterValueException.*unknown source kind "kafka"/s);
  r = create("batcher", "amqp://127.0.0.1:5672/?queue=q", ["--batch-size", "20000"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /ValidationException.*batchSize/s);
  r = create("no-such-fn", "nats://127.0.0.1:4222?stream=S");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /ResourceNotFoundException/);
  r = create("batcher", "amqp://127.0.0.1:5672/");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /\?queue=NAME/);
  r = create("batcher", "nats://127.0.0.1:4222?stream=S", [
    "--filter-criteria",
    JSON.stringify({ Filters: [{ Pattern: '{"body": {"kind": "order"}}' }] }),
  ]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /InvalidParameterValueException.*must be a list or an object/s);
  r = awsCli(s, ["lambda", "get-event-source-mapping", "--uuid", randomUUID()]);
  assert.match(r.stderr, /ResourceNotFoundException/);
  assert.equal(listMappings().length, before, "nothing was created");
});

test("vajra trigger: create, list, disable, enable, show and delete, with the password masked", async (t) => {
  const q = await rabbitQueue(t);
  if (q === undefined) return;
  const queue = q.name;
  try {
    const run = (args: string[]): Record<string, unknown> => {
      const r = s.cli(["trigger", ...args, "--json"]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(!r.stdout.includes("guest:guest@"), "no password in the output");
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const created = run([
      "create",
      `amqp://guest:guest@127.0.0.1:5672/?queue=${queue}`,
      "--function",
      "batcher",
      "--batch-size",
      "3",
      "--report-failures",
    ]);
    const uuid = (q.mapping = String(created.uuid));
    assert.equal(created.source, `amqp://guest:****@127.0.0.1:5672/?queue=${queue}`);
    assert.equal(created.batchSize, 3);
    assert.equal(created.reportBatchItemFailures, true);
    const listed = s.cli(["trigger", "list"]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok(listed.stdout.includes(uuid));
    assert.equal(run(["disable", uuid]).state, "Disabled");
    assert.equal(run(["show", uuid]).state, "Disabled");
    assert.equal(run(["enable", uuid]).state, "Enabled");
    const bad = s.cli(["trigger", "update", uuid, "--batch-size", "0"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /batchSize/);
    assert.equal(run(["show", uuid]).batchSize, 3, "a refused update changes nothing");
    const del = s.cli(["trigger", "delete", uuid, "--yes"]);
    assert.equal(del.status, 0, del.stderr);
    q.mapping = undefined;
    assert.equal(s.cli(["trigger", "show", String(created.uuid)]).status, 1);
  } finally {
    await q.close();
  }
});

test("a mapping survives a restart: its password is kept apart from the record and it resumes delivering", async (t) => {
  const q = await rabbitQueue(t);
  if (q === undefined) return;
  const { name: queue, ch } = q;
  try {
    const uuid = (q.mapping = createTrigger(`amqp://guest:guest@127.0.0.1:5672/?queue=${queue}`));
    const dataDir = s.dataDir;
    await s.stop();
    const db = new Database(join(dataDir, "vajra.db"), { readonly: true });
    try {
      const row = db.prepare("SELECT record, secret FROM event_source_mappings WHERE uuid = ?").get(uuid) as {
        record: string;
        secret: string;
      };
      assert.ok(!row.record.includes("guest:guest"), "the record holds no password");
      assert.equal(row.secret, "guest");
    } finally {
      db.close();
    }
    // Published while the server is down: delivered after the restart.
    for (let i = 0; i < 5; i++) ch.sendToQueue(queue, Buffer.from(`r${i}`), { messageId: `r${i}` });
    await ch.waitForConfirms();
    s = await startServer({ dataDir });
    const seen = (): Promise<string[]> => rmqBodies(queue);
    assert.ok(await waitFor(async () => (await seen()).length >= 5, 60_000), "5 messages after the restart");
    assert.deepEqual(await seen(), ["r0", "r1", "r2", "r3", "r4"]);
  } finally {
    await q.close();
  }
});

test("SIGKILL in the middle of a batch: after the restart every published message was processed at least once", async (t) => {
  const q = await rabbitQueue(t);
  if (q === undefined) return;
  const { name: queue, ch } = q;
  const bodies = Array.from({ length: 30 }, (_, i) => `slow-${i}`);
  const seen = (): Promise<string[]> => rmqBodies(queue);
  try {
    q.mapping = createTrigger(`amqp://guest:guest@127.0.0.1:5672/?queue=${queue}`, ["--batch-size", "5"]);
    for (const b of bodies) ch.sendToQueue(queue, Buffer.from(b), { messageId: b, persistent: true });
    await ch.waitForConfirms();
    await killMidBatch(seen, bodies.length);
    assert.ok(
      await waitFor(async () => new Set(await seen()).size >= bodies.length, 120_000),
      "every message processed after the restart",
    );
    const after = await seen();
    for (const b of bodies) assert.ok(after.includes(b), `${b} processed at least once`);
    const counts = new Map<string, number>();
    for (const b of after) counts.set(b, (counts.get(b) ?? 0) + 1);
    t.diagnostic(
      `${after.length} deliveries of ${bodies.length} messages (repeats: ${after.length - bodies.length})`,
    );
    const redelivered = (await batches()).some((e) =>
      ((e.rmqMessagesByQueue ?? {}) as Record<string, { redelivered: boolean }[]>)[`${queue}::/`]?.some(
        (m) => m.redelivered,
      ),
    );
    assert.ok(redelivered, "what the killed server held unacknowledged came back redelivered");
    assert.equal((await ch.checkQueue(queue)).messageCount, 0, "nothing left on the queue");
  } finally {
    await q.close();
  }
});

test("SIGKILL in the middle of a batch on a NATS stream: after the restart every message was processed at least once", async (t) => {
  const f = await natsStream(t);
  if (f === undefined) return;
  const { name: stream, nc, jsm } = f;
  const bodies = Array.from({ length: 30 }, (_, i) => `slow-${i}`);
  const records = async (): Promise<Record<string, unknown>[]> =>
    (await batches())
      .flatMap((e) => (e.Records ?? []) as Record<string, unknown>[])
      .filter((r) => r.stream === stream);
  const seen = async (): Promise<string[]> => (await records()).map((r) => String(r.body));
  try {
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    f.mapping = createTrigger(`nats://127.0.0.1:4222?stream=${stream}`, ["--batch-size", "5"]);
    const js = jetstream(nc);
    for (const b of bodies) await js.publish(`${stream}.work`, b);
    await killMidBatch(seen, bodies.length);
    // What the killed server held unacknowledged comes back after the consumer's ack wait (30 s).
    assert.ok(
      await waitFor(async () => new Set(await seen()).size >= bodies.length, 150_000),
      "every message processed after the restart",
    );
    const after = await seen();
    for (const b of bodies) assert.ok(after.includes(b), `${b} processed at least once`);
    t.diagnostic(
      `${after.length} deliveries of ${bodies.length} messages (repeats: ${after.length - bodies.length})`,
    );
    const info = await jsm.consumers.list(stream).next();
    assert.equal(info[0]?.num_ack_pending ?? 0, 0, "nothing left unacknowledged");
  } finally {
    await f.close();
  }
});
