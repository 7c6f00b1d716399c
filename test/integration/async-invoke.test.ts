// Event invocations: accepted means durable (it runs even when the server is killed with SIGKILL right
// after answering 202), failures are retried twice with backoff, and AWS clients get Lambda's answers.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionCodeSigningConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { deploy, startServer, stopAndClean, waitFor, type ServerHandle } from "./harness.js";

// Retries after 200 ms, 400 ms instead of Lambda's minutes, so the test sees all three attempts.
const FAST_RETRIES = { VAJRA_ASYNC_RETRY_BASE_MS: "200" };

let s: ServerHandle;
before(async () => {
  s = await startServer({ env: FAST_RETRIES });
});
after(async () => {
  await stopAndClean(s);
});

interface LoggedInvocation {
  requestId: string;
  status: string;
  errorType?: string;
  log: string;
}

async function invocations(server: ServerHandle, fn: string): Promise<LoggedInvocation[]> {
  const r = await server.api(`/functions/${fn}/logs?limit=50`);
  return ((await r.json()) as { invocations: LoggedInvocation[] }).invocations;
}

test("an Event invocation answers 202 at once and runs in the background", async () => {
  await deploy(
    s,
    { name: "evt", runtime: "python3.11", handler: "app.sleep", timeout: 10 },
    "python/toolkit",
  );
  const r = await s.api("/functions/evt/invoke", {
    method: "POST",
    body: '{"seconds":2}',
    headers: { "x-vajra-invocation-type": "Event" },
  });
  assert.equal(r.status, 202);
  const { requestId } = (await r.json()) as { requestId: string };
  // The 202 came while the function still sleeps: its invocation is not recorded yet.
  assert.ok(!(await invocations(s, "evt")).some((i) => i.requestId === requestId));
  assert.ok(
    await waitFor(
      async () =>
        (await invocations(s, "evt")).some((i) => i.requestId === requestId && i.status === "success"),
      10_000,
    ),
  );
});

test("a failing Event invocation is tried three times in all (two retries)", async () => {
  await deploy(s, { name: "evt-fail", runtime: "python3.11", handler: "app.fail" }, "python/toolkit");
  const r = await s.api("/functions/evt-fail/invoke", {
    method: "POST",
    body: '{"why":"async"}',
    headers: { "x-vajra-invocation-type": "Event" },
  });
  const { requestId } = (await r.json()) as { requestId: string };
  const attempts = async () => (await invocations(s, "evt-fail")).filter((i) => i.requestId === requestId);
  assert.ok(await waitFor(async () => (await attempts()).length === 3, 15_000), "three attempts recorded");
  await new Promise((res) => setTimeout(res, 1500));
  assert.equal((await attempts()).length, 3, "no fourth attempt");
  assert.ok((await attempts()).every((a) => a.status === "error" && a.errorType === "ValueError"));
});

test("AWS clients: InvocationType Event answers 202, and the legacy InvokeAsync too", async () => {
  process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING = "1";
  const lambda = new LambdaClient({
    endpoint: s.url,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: await credentialsOf(s),
  });
  const r = await lambda.send(
    new InvokeCommand({
      FunctionName: "evt",
      InvocationType: "Event",
      Payload: Buffer.from('{"seconds":0}'),
    }),
  );
  assert.equal(r.StatusCode, 202);
  const id = r.$metadata.requestId ?? "";
  assert.ok(await waitFor(async () => (await invocations(s, "evt")).some((i) => i.requestId === id), 10_000));
  await assert.rejects(
    lambda.send(new InvokeCommand({ FunctionName: "ghost", InvocationType: "Event" })),
    (e: { name: string }) => e.name === "ResourceNotFoundException",
  );
  const legacy = await s.api("/2014-11-13/functions/evt/invoke-async", { method: "POST", body: "{}" });
  assert.equal(legacy.status, 403, "the legacy API is SigV4-signed too");
  lambda.destroy();
});

test("the event invoke config limits retries; its destinations are validated and kept", async () => {
  const lambda = new LambdaClient({
    endpoint: s.url,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: await credentialsOf(s),
  });
  await deploy(s, { name: "evt-once", runtime: "python3.11", handler: "app.fail" }, "python/toolkit");
  const put = await lambda.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: "evt-once",
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:evt" } },
    }),
  );
  assert.equal(put.MaximumRetryAttempts, 0);
  assert.equal(
    put.DestinationConfig?.OnFailure?.Destination,
    "arn:aws:lambda:us-east-1:000000000000:function:evt",
  );
  const merged = await lambda.send(
    new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "evt-once", MaximumEventAgeInSeconds: 120 }),
  );
  assert.equal(merged.MaximumRetryAttempts, 0, "update merges");
  assert.equal(merged.MaximumEventAgeInSeconds, 120);
  await assert.rejects(
    lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "evt-once", MaximumRetryAttempts: 5 }),
    ),
    (e: { name: string; message: string }) =>
      e.name === "ValidationException" && /at 'maximumRetryAttempts'/.test(e.message),
  );
  await assert.rejects(
    lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "evt-once",
        DestinationConfig: { OnSuccess: { Destination: "not-an-arn" } },
      }),
    ),
    (e: { name: string; message: string }) =>
      e.name === "InvalidParameterValueException" &&
      /DestinationConfig\.OnSuccess\.Destination/.test(e.message),
  );
  assert.equal(
    (await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "evt-once" })))
      .MaximumRetryAttempts,
    0,
  );

  const r = await s.api("/functions/evt-once/invoke", {
    method: "POST",
    body: "{}",
    headers: { "x-vajra-invocation-type": "Event" },
  });
  const { requestId } = (await r.json()) as { requestId: string };
  const attempts = async () =>
    (await invocations(s, "evt-once")).filter((i) => i.requestId === requestId).length;
  assert.ok(await waitFor(async () => (await attempts()) === 1, 10_000));
  await new Promise((res) => setTimeout(res, 1200));
  assert.equal(await attempts(), 1, "no retry with MaximumRetryAttempts 0");

  await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "evt-once" }));
  await assert.rejects(
    lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "evt-once" })),
    (e: { name: string }) => e.name === "ResourceNotFoundException",
  );
  const signing = await lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: "evt-once" }));
  assert.equal(signing.FunctionName, "evt-once");
  lambda.destroy();
});

test("an Event accepted just before the server is killed with SIGKILL runs after the restart", async () => {
  const dataDir = s.dataDir;
  await deploy(
    s,
    { name: "evt-crash", runtime: "python3.11", handler: "app.sleep", timeout: 10 },
    "python/toolkit",
  );
  const r = await s.api("/functions/evt-crash/invoke", {
    method: "POST",
    body: '{"seconds":2}',
    headers: { "x-vajra-invocation-type": "Event" },
  });
  assert.equal(r.status, 202);
  const { requestId } = (await r.json()) as { requestId: string };
  await s.stop("SIGKILL");
  s = await startServer({ dataDir, env: FAST_RETRIES });
  assert.ok(
    await waitFor(
      async () =>
        (await invocations(s, "evt-crash")).some((i) => i.requestId === requestId && i.status === "success"),
      15_000,
    ),
    "the accepted event ran after the restart",
  );
});

async function credentialsOf(
  server: ServerHandle,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const { readFileSync } = await import("node:fs");
  const text = readFileSync(join(server.dataDir, "credentials"), "utf8");
  const get = (k: string): string => new RegExp(`${k} = (\\S+)`).exec(text)?.[1] ?? "";
  return { accessKeyId: get("aws_access_key_id"), secretAccessKey: get("aws_secret_access_key") };
}
