// Provisioned concurrency: instances of a version or alias are started ahead of traffic, reported
// IN_PROGRESS then READY, serve invocations without a cold start, and are never reaped while configured.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import {
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  ListProvisionedConcurrencyConfigsCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
} from "@aws-sdk/client-lambda";
import { deploy, startServer, stopAndClean, waitFor, type ServerHandle } from "./harness.js";
import { lambdaClientFor } from "./aws-client.js";

let s: ServerHandle;
let lambda: LambdaClient;

before(async () => {
  // A 1-second keep-alive: ordinary idle instances vanish quickly, provisioned ones must stay.
  s = await startServer({ args: ["--keep-alive", "1"] });
  lambda = lambdaClientFor(s);
  await deploy(s, { name: "warm", runtime: "python3.11", handler: "app.counter" }, "python/toolkit");
  await lambda.send(new PublishVersionCommand({ FunctionName: "warm" }));
});
after(async () => {
  lambda.destroy();
  await stopAndClean(s);
});

const idle = async (): Promise<number> =>
  ((await (await s.api("/functions/warm")).json()) as { instances: { idle: number } }).instances.idle;

test("a provisioned version becomes READY, serves warm invocations and is not reaped", async () => {
  await assert.rejects(
    lambda.send(
      new PutProvisionedConcurrencyConfigCommand({
        FunctionName: "warm",
        Qualifier: "$LATEST",
        ProvisionedConcurrentExecutions: 1,
      }),
    ),
    (e: { name: string }) => e.name === "InvalidParameterValueException",
  );
  const put = await lambda.send(
    new PutProvisionedConcurrencyConfigCommand({
      FunctionName: "warm",
      Qualifier: "1",
      ProvisionedConcurrentExecutions: 2,
    }),
  );
  assert.equal(put.RequestedProvisionedConcurrentExecutions, 2);
  assert.ok(put.Status === "IN_PROGRESS" || put.Status === "READY");
  assert.ok(
    await waitFor(
      async () =>
        (
          await lambda.send(
            new GetProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1" }),
          )
        ).Status === "READY",
      15_000,
    ),
    "provisioned instances become READY",
  );
  const r = await s.api("/functions/warm/invoke?qualifier=1", { method: "POST", body: "{}" });
  assert.equal(r.headers.get("x-vajra-init-duration-ms"), null, "no cold start on a provisioned version");
  const out = (await r.json()) as { env: Record<string, string> };
  assert.equal(out.env.AWS_LAMBDA_INITIALIZATION_TYPE, "provisioned-concurrency");
  await new Promise((res) => setTimeout(res, 2500));
  assert.equal(await idle(), 2, "provisioned instances outlive the keep-alive");
  const list = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "warm" }));
  assert.equal(
    list.ProvisionedConcurrencyConfigs?.[0]?.FunctionArn,
    "arn:aws:lambda:us-east-1:000000000000:function:warm:1",
  );
  await lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "warm", Qualifier: "1" }));
  assert.ok(
    await waitFor(async () => (await idle()) === 0, 5000),
    "without the config they are reaped like any other",
  );
});

test("vajra scale sets min (provisioned) and max (reserved) instances", async () => {
  const r = s.cli(["scale", "warm", "--min", "1", "--max", "5", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    reservedConcurrency: number;
    provisioned: Array<{ qualifier: string; requested: number }>;
  };
  assert.equal(out.reservedConcurrency, 5);
  assert.deepEqual(
    out.provisioned.map((p) => [p.qualifier, p.requested]),
    [["1", 1]],
  );
  assert.ok(await waitFor(async () => (await idle()) === 1, 10_000));
  const over = s.cli(["scale", "warm", "--min", "6"]);
  assert.notEqual(over.status, 0, "min may not exceed the reserved concurrency");
  assert.equal(s.cli(["scale", "warm", "--min", "0", "--max", "none"]).status, 0);
  assert.equal(
    (JSON.parse(s.cli(["info", "warm", "--json"]).stdout) as { reservedConcurrency: number | null })
      .reservedConcurrency,
    null,
  );
});
