// An event source mapping's on-failure destination through the real server and the Lambda API: a
// poison message on a RabbitMQ queue is retried, then its record (AWS's on-failure shape, with the
// batch and the failed messages' event) lands on another RabbitMQ queue, and the source queue is left
// empty (acknowledged). Bad destinations are refused naming the field. Each test makes its own queues.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import amqp from "amqplib";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from "@aws-sdk/client-lambda";
import { deploy, startServer, stopAndClean, waitFor, type ServerHandle } from "./harness.js";

const AMQP = { protocol: "amqp", hostname: "127.0.0.1", port: 5672, username: "guest", password: "guest" };
let s: ServerHandle;
let lambda: LambdaClient;

before(async () => {
  s = await startServer();
  const text = readFileSync(join(s.dataDir, "credentials"), "utf8");
  const get = (k: string): string => new RegExp(`${k} = (\\S+)`).exec(text)?.[1] ?? "";
  lambda = new LambdaClient({
    endpoint: s.url,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: { accessKeyId: get("aws_access_key_id"), secretAccessKey: get("aws_secret_access_key") },
  });
  const r = await deploy(
    s,
    { name: "mapped", runtime: "python3.11", handler: "app.mapped" },
    "python/destinations",
  );
  assert.equal(r.status, 201, JSON.stringify(r.json));
});
after(async () => {
  lambda.destroy();
  await stopAndClean(s);
});

test("a poison message ends in the mapping's on-failure destination after its retries and is acknowledged", async (t) => {
  let conn;
  try {
    conn = await amqp.connect(AMQP);
  } catch (err) {
    if (process.env.CI === "true" || process.env.VAJRA_REQUIRE_SERVICES === "1") throw err;
    t.skip("RabbitMQ is not running on 127.0.0.1:5672");
    return;
  }
  const src = `vajra-dest-src-${randomUUID().slice(0, 8)}`;
  const dst = `vajra-dest-dst-${randomUUID().slice(0, 8)}`;
  let uuid: string | undefined;
  const ch = await conn.createConfirmChannel();
  try {
    await ch.assertQueue(src, { durable: true });
    await ch.assertQueue(dst, { durable: true });
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "mapped",
        EventSourceArn: `amqp://guest:guest@127.0.0.1:5672/?queue=${src}`,
        BatchSize: 2,
        MaximumBatchingWindowInSeconds: 1,
        MaximumRetryAttempts: 1,
        BisectBatchOnFunctionError: true,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: `amqp://guest:guest@127.0.0.1:5672/?queue=${dst}` } },
      }),
    );
    uuid = created.UUID;
    assert.equal(
      created.DestinationConfig?.OnFailure?.Destination,
      `amqp://guest:****@127.0.0.1:5672/?queue=${dst}`,
    );
    assert.equal(created.BisectBatchOnFunctionError, true);
    assert.equal(created.MaximumRecordAgeInSeconds, 3600);

    ch.sendToQueue(src, Buffer.from("poison"), { messageId: "p-1" });
    ch.sendToQueue(src, Buffer.from("fine"), { messageId: "f-1" });
    await ch.waitForConfirms();

    let record: Record<string, unknown> | undefined;
    const take = async (): Promise<boolean> => {
      const m = await ch.get(dst, { noAck: true });
      if (m !== false) record = JSON.parse(m.content.toString()) as Record<string, unknown>;
      return record !== undefined;
    };
    assert.ok(await waitFor(take, 60_000), "the on-failure record arrived on the destination queue");
    const r = record as {
      version: string;
      requestContext: { condition: string; approximateInvokeCount: number; functionArn: string };
      responseContext: { functionError?: string };
      BrokerBatchInfo: { batchSize: number; messageIds: string[]; eventSourceArn: string };
      payload: { rmqMessagesByQueue: Record<string, { data: string }[]> };
    };
    assert.equal(r.version, "1.0");
    assert.equal(r.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(r.requestContext.approximateInvokeCount, 2);
    assert.match(r.requestContext.functionArn, /:function:mapped:\$LATEST$/);
    assert.equal(r.responseContext.functionError, "Unhandled");
    assert.equal(r.BrokerBatchInfo.batchSize, 1, "bisection isolated the poison message");
    assert.equal(r.BrokerBatchInfo.eventSourceArn, `amqp://guest:****@127.0.0.1:5672/?queue=${src}`);
    const bodies = Object.values(r.payload.rmqMessagesByQueue)
      .flat()
      .map((m) => Buffer.from(m.data, "base64").toString());
    assert.deepEqual(bodies, ["poison"]);
    assert.ok(!s.output().includes("guest:guest@"), "the password is never logged");

    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
    uuid = undefined;
    // With its consumer gone, anything not acknowledged would be back in the queue.
    assert.ok(
      await waitFor(
        async () =>
          (await ch.checkQueue(src)).messageCount === 0 && (await ch.checkQueue(src)).consumerCount === 0,
        10_000,
      ),
      "the poison message was acknowledged",
    );
  } finally {
    if (uuid !== undefined)
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid })).catch(() => undefined);
    await ch.deleteQueue(src).catch(() => undefined);
    await ch.deleteQueue(dst).catch(() => undefined);
    await conn.close();
  }
});

test("a mapping's bad failure handling input is refused naming the field, and nothing is created", async () => {
  const count = async (): Promise<number> =>
    (await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings?.length ?? 0;
  const before = await count();
  const create = (over: Record<string, unknown>): Promise<unknown> =>
    lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "mapped",
        EventSourceArn: "amqp://guest:guest@127.0.0.1:5672/?queue=never-made",
        Enabled: false,
        ...over,
      }),
    );
  const refused = async (p: Promise<unknown>, re: RegExp): Promise<void> => {
    await assert.rejects(p, (e: { name: string; message: string }) => {
      assert.equal(e.name, "InvalidParameterValueException", e.message);
      assert.match(e.message, re);
      return true;
    });
  };
  await refused(
    create({
      DestinationConfig: {
        OnFailure: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:ghost" },
      },
    }),
    /DestinationConfig\.OnFailure\.Destination.*does not exist/,
  );
  await refused(
    create({ DestinationConfig: { OnFailure: { Destination: "ftp://127.0.0.1/x" } } }),
    /DestinationConfig\.OnFailure\.Destination: unknown destination kind "ftp"/,
  );
  await refused(create({ MaximumRecordAgeInSeconds: 10 }), /maximumRecordAgeInSeconds: 10/);
  assert.equal(await count(), before, "nothing was created");
  const ok = await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: "mapped",
      EventSourceArn: "amqp://guest:guest@127.0.0.1:5672/?queue=never-made",
      Enabled: false,
      ScalingConfig: { MaximumConcurrency: 5 },
    }),
  );
  const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: ok.UUID }));
  assert.equal(got.ScalingConfig?.MaximumConcurrency, 5);
  await lambda.send(new DeleteEventSourceMappingCommand({ UUID: ok.UUID }));
});

test("vajra trigger sets and shows the failure handling, the destination's password masked", () => {
  const run = (args: string[]): Record<string, unknown> => {
    const r = s.cli(["trigger", ...args, "--json"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes("guest:guest@"), "no password in the output");
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const created = run([
    "create",
    "amqp://guest:guest@127.0.0.1:5672/?queue=never-made-cli",
    "--function",
    "mapped",
    "--disabled",
    "--on-failure",
    "amqp://guest:guest@127.0.0.1:5672/?queue=dlq",
    "--bisect",
    "--max-record-age",
    "600",
    "--concurrency",
    "4",
  ]);
  const uuid = String(created.uuid);
  try {
    assert.equal(created.onFailure, "amqp://guest:****@127.0.0.1:5672/?queue=dlq");
    assert.equal(created.bisectBatchOnFunctionError, true);
    assert.equal(created.maximumRecordAgeInSeconds, 600);
    assert.equal(created.maximumConcurrency, 4);
    const bad = s.cli(["trigger", "update", uuid, "--on-failure", "ftp://x"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /DestinationConfig\.OnFailure\.Destination/);
    const cleared = run(["update", uuid, "--on-failure", ""]);
    assert.equal(cleared.onFailure, undefined);
  } finally {
    s.cli(["trigger", "delete", uuid, "--yes"]);
  }
});
