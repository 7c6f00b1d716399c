// Destinations of Event invocations: OnSuccess / OnFailure records in AWS's shape arrive at another
// function and at a NATS subject, a webhook that is down at first gets its record once it is up, a
// dead-letter target gets the original event, and bad destinations are refused naming the field.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import {
  GetFunctionConfigurationCommand,
  type LambdaClient,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { connect } from "@nats-io/transport-node";
import { deploy, freePort, startServer, stopAndClean, waitFor, type ServerHandle } from "./harness.js";
import { lambdaClientFor } from "./aws-client.js";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
let s: ServerHandle;
let lambda: LambdaClient;

before(async () => {
  s = await startServer({
    env: { VAJRA_ASYNC_RETRY_BASE_MS: "100", VAJRA_DESTINATION_RETRY_BASE_MS: "200" },
  });
  lambda = lambdaClientFor(s);
  for (const [name, handler] of [
    ["work", "app.work"],
    ["sink", "app.record"],
  ] as const)
    assert.equal(
      (await deploy(s, { name, runtime: "python3.11", handler }, "python/destinations")).status,
      201,
    );
});
after(async () => {
  lambda.destroy();
  await stopAndClean(s);
});

interface Rec {
  version?: string;
  timestamp?: string;
  requestContext?: {
    requestId: string;
    functionArn: string;
    condition: string;
    approximateInvokeCount: number;
  };
  requestPayload?: { id?: string };
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
  id?: string;
}

/** The records the sink function printed. */
async function sinkRecords(): Promise<Rec[]> {
  const r = await s.api("/functions/sink/logs?limit=100");
  const { invocations } = (await r.json()) as { invocations: { log: string }[] };
  return invocations.flatMap((i) =>
    i.log
      .split("\n")
      .filter((l) => l.startsWith("RECORD "))
      .map((l) => JSON.parse(l.slice(7)) as Rec),
  );
}

async function invokeEvent(fn: string, event: unknown): Promise<string> {
  const r = await s.api(`/functions/${fn}/invoke`, {
    method: "POST",
    body: JSON.stringify(event),
    headers: { "x-vajra-invocation-type": "Event" },
  });
  assert.equal(r.status, 202);
  return ((await r.json()) as { requestId: string }).requestId;
}

async function putConfig(fn: string, onSuccess?: string, onFailure?: string): Promise<void> {
  await lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: fn,
      MaximumRetryAttempts: 1,
      DestinationConfig: {
        ...(onSuccess === undefined ? {} : { OnSuccess: { Destination: onSuccess } }),
        ...(onFailure === undefined ? {} : { OnFailure: { Destination: onFailure } }),
      },
    }),
  );
}

function checkRecord(rec: Rec | undefined, requestId: string, condition: string): void {
  assert.ok(rec !== undefined, `a ${condition} record arrived`);
  assert.equal(rec.version, "1.0");
  assert.ok(!Number.isNaN(Date.parse(rec.timestamp ?? "")));
  assert.deepEqual(rec.requestContext, {
    requestId,
    functionArn: `${ARN}:work:$LATEST`,
    condition,
    approximateInvokeCount: condition === "Success" ? 1 : 2,
  });
  assert.equal(rec.responseContext?.statusCode, 200);
  assert.equal(rec.responseContext?.executedVersion, "$LATEST");
}

test("success and failure records arrive at a function destination in AWS's shape", async () => {
  await putConfig("work", `${ARN}:sink`, `${ARN}:sink`);
  const okId = await invokeEvent("work", { id: "fn-ok" });
  const badId = await invokeEvent("work", { id: "fn-bad", fail: true });
  const find = async (id: string): Promise<Rec | undefined> =>
    (await sinkRecords()).find((r) => r.requestContext?.requestId === id);
  assert.ok(
    await waitFor(async () => (await find(okId)) !== undefined && (await find(badId)) !== undefined, 30_000),
  );
  const ok = await find(okId);
  checkRecord(ok, okId, "Success");
  assert.deepEqual(ok?.requestPayload, { id: "fn-ok" });
  assert.deepEqual(ok?.responsePayload, { done: "fn-ok" });
  assert.equal(ok?.responseContext?.functionError, undefined);
  const bad = await find(badId);
  checkRecord(bad, badId, "RetriesExhausted");
  assert.equal(bad?.responseContext?.functionError, "Unhandled");
  assert.match(JSON.stringify(bad?.responsePayload), /asked to fail: fn-bad/);
});

test("success and failure records arrive at a NATS subject", async (t) => {
  let nc;
  try {
    nc = await connect({ servers: "127.0.0.1:4222", reconnect: false });
  } catch (err) {
    if (process.env.CI === "true" || process.env.VAJRA_REQUIRE_SERVICES === "1") throw err;
    t.skip("NATS is not running on 127.0.0.1:4222");
    return;
  }
  const subject = `vajra.test.dest.${process.pid}.${Date.now()}`;
  const got: Rec[] = [];
  const sub = nc.subscribe(subject);
  void (async () => {
    for await (const m of sub) got.push(JSON.parse(m.string()) as Rec);
  })();
  await nc.flush();
  try {
    await putConfig(
      "work",
      `nats://127.0.0.1:4222?subject=${subject}`,
      `nats://127.0.0.1:4222?subject=${subject}`,
    );
    const okId = await invokeEvent("work", { id: "nats-ok" });
    const badId = await invokeEvent("work", { id: "nats-bad", fail: true });
    assert.ok(await waitFor(() => got.length >= 2, 30_000), `two records on ${subject}`);
    checkRecord(
      got.find((r) => r.requestContext?.requestId === okId),
      okId,
      "Success",
    );
    checkRecord(
      got.find((r) => r.requestContext?.requestId === badId),
      badId,
      "RetriesExhausted",
    );
  } finally {
    sub.unsubscribe();
    await nc.close();
  }
});

test("a webhook destination that is down at first receives the record once it is up", async () => {
  const port = await freePort();
  await putConfig("work", `http://hook:secret@127.0.0.1:${port}/hook`);
  const id = await invokeEvent("work", { id: "hook" });
  // Let a few deliveries fail against the closed port before the webhook starts.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const bodies: { auth: string | undefined; body: Rec }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push({
        auth: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString()) as Rec,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  try {
    assert.ok(await waitFor(() => bodies.some((b) => b.body.requestContext?.requestId === id), 30_000));
    const b = bodies.find((x) => x.body.requestContext?.requestId === id);
    assert.equal(b?.auth, `Basic ${Buffer.from("hook:secret").toString("base64")}`);
    assert.equal(b?.body.requestContext?.condition, "Success");
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test("a record waiting for its destination survives SIGKILL and is delivered after the restart", async () => {
  const port = await freePort();
  await putConfig("work", `http://127.0.0.1:${port}/after-crash`);
  const id = await invokeEvent("work", { id: "crash" });
  const ran = async (): Promise<boolean> => {
    const r = await s.api("/functions/work/logs?limit=100");
    const { invocations } = (await r.json()) as { invocations: { requestId: string; status: string }[] };
    return invocations.some((i) => i.requestId === id && i.status === "success");
  };
  assert.ok(await waitFor(ran, 30_000), "the invocation ran");
  // Its record is in the outbox (written with the dequeue); the webhook is still down.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const dataDir = s.dataDir;
  await s.stop("SIGKILL");
  s = await startServer({
    dataDir,
    env: { VAJRA_ASYNC_RETRY_BASE_MS: "100", VAJRA_DESTINATION_RETRY_BASE_MS: "200" },
  });
  lambda.destroy();
  lambda = lambdaClientFor(s);
  const got: Rec[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      got.push(JSON.parse(Buffer.concat(chunks).toString()) as Rec);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  try {
    assert.ok(await waitFor(() => got.some((r) => r.requestContext?.requestId === id), 30_000));
    assert.equal(got.find((r) => r.requestContext?.requestId === id)?.requestContext?.condition, "Success");
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test("a dead-letter target receives the original event of a failed Event invocation", async () => {
  await putConfig("work");
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "work",
      DeadLetterConfig: { TargetArn: `${ARN}:sink` },
    }),
  );
  const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "work" }));
  assert.equal(cfg.DeadLetterConfig?.TargetArn, `${ARN}:sink`);
  await invokeEvent("work", { id: "dlq-1", fail: true });
  assert.ok(await waitFor(async () => (await sinkRecords()).some((r) => r.id === "dlq-1"), 30_000));
  const dlq = (await sinkRecords()).find((r) => r.id === "dlq-1");
  assert.deepEqual(dlq, { id: "dlq-1", fail: true }, "the event itself, nothing about the response");
  await lambda.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: "work", DeadLetterConfig: { TargetArn: "" } }),
  );
  const cleared = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "work" }));
  assert.equal(cleared.DeadLetterConfig, undefined);
});

test("bad destinations are refused naming the field, and change nothing", async () => {
  await putConfig("work", "nats://127.0.0.1:4222?subject=keep");
  const refused = async (send: Promise<unknown>, field: RegExp): Promise<void> => {
    await assert.rejects(send, (e: { name: string; message: string }) => {
      assert.equal(e.name, "InvalidParameterValueException");
      assert.match(e.message, field);
      return true;
    });
  };
  const put = (dest: string): Promise<unknown> =>
    lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "work",
        DestinationConfig: { OnFailure: { Destination: dest } },
      }),
    );
  await refused(put(`${ARN}:ghost`), /DestinationConfig\.OnFailure\.Destination.*does not exist/);
  await refused(put("arn:aws:sqs:us-east-1:000000000000:q"), /DestinationConfig\.OnFailure\.Destination/);
  await refused(put("kafka://127.0.0.1:9092?topic=t"), /unknown destination kind "kafka"/);
  await refused(put("nats://127.0.0.1:4222"), /needs \?subject=/);
  await refused(put("arn:aws:lambda:eu-west-1:000000000000:function:sink"), /this region and account/);
  await refused(
    lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "work",
        DeadLetterConfig: { TargetArn: "redis://127.0.0.1" },
      }),
    ),
    /DeadLetterConfig\.TargetArn: a redis:\/\/ destination needs \?stream=/,
  );
  const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "work" }));
  assert.equal(cfg.DeadLetterConfig, undefined, "nothing changed");
});

test("destination passwords are masked in every output, and a masked value read back keeps the real one", async () => {
  const dest = "amqp://guest:guest@127.0.0.1:5672/?exchange=amq.topic&routingKey=vajra.masked";
  const put = await lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "work",
      DestinationConfig: { OnSuccess: { Destination: dest } },
    }),
  );
  const shown = put.DestinationConfig?.OnSuccess?.Destination ?? "";
  assert.equal(shown, "amqp://guest:****@127.0.0.1:5672/?exchange=amq.topic&routingKey=vajra.masked");
  const again = await lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "work",
      DestinationConfig: { OnSuccess: { Destination: shown } },
    }),
  );
  assert.equal(again.DestinationConfig?.OnSuccess?.Destination, shown);
});
