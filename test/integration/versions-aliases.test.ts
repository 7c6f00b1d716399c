// Versions and aliases through unmodified AWS clients: immutable snapshots, invoking NAME:N, weighted
// alias routing (a canary split over 200 invocations), and the native API's equivalents.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import {
  FIXTURES,
  invoke,
  createRoles,
  startServer,
  stopAndClean,
  zipBase64,
  type ServerHandle,
} from "./harness.js";
import { lambdaClientFor } from "./aws-client.js";

let s: ServerHandle;
let lambda: LambdaClient;

before(async () => {
  s = await startServer();
  await createRoles(s, "r");
  lambda = lambdaClientFor(s);
  const zip = Buffer.from(await zipBase64(join(FIXTURES, "python/toolkit")), "base64");
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "ver",
      Runtime: "python3.11",
      Role: "arn:aws:iam::000000000000:role/r",
      Handler: "app.counter",
      Code: { ZipFile: zip },
      Environment: { Variables: { MODE: "blue" } },
    }),
  );
});
after(async () => {
  lambda.destroy();
  await stopAndClean(s);
});

async function mode(FunctionName: string, Qualifier?: string): Promise<{ mode: string; version: string }> {
  const r = await lambda.send(
    new InvokeCommand({ FunctionName, ...(Qualifier === undefined ? {} : { Qualifier }) }),
  );
  const out = JSON.parse(Buffer.from(r.Payload ?? new Uint8Array()).toString()) as {
    env: Record<string, string>;
  };
  return { mode: out.env.MODE ?? "", version: r.ExecutedVersion ?? "" };
}

test("publishing snapshots code and configuration; an unchanged publish returns the same version", async () => {
  const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: "ver", Description: "first" }));
  assert.equal(v1.Version, "1");
  assert.equal(v1.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:ver:1");
  assert.equal((await lambda.send(new PublishVersionCommand({ FunctionName: "ver" }))).Version, "1");
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "ver",
      Environment: { Variables: { MODE: "green" } },
    }),
  );
  assert.equal((await lambda.send(new PublishVersionCommand({ FunctionName: "ver" }))).Version, "2");
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "ver",
      Environment: { Variables: { MODE: "latest" } },
    }),
  );

  assert.deepEqual(await mode("ver", "1"), { mode: "blue", version: "1" });
  assert.deepEqual(await mode("ver:2"), { mode: "green", version: "2" });
  assert.deepEqual(await mode("ver"), { mode: "latest", version: "$LATEST" });
  const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "ver" }));
  assert.deepEqual(
    versions.Versions?.map((v) => v.Version),
    ["$LATEST", "1", "2"],
  );
  assert.equal(versions.Versions?.[1]?.Description, "first");
  const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "ver", Qualifier: "1" }));
  assert.deepEqual(cfg.Environment?.Variables, { MODE: "blue" });
  await assert.rejects(
    lambda.send(new InvokeCommand({ FunctionName: "ver", Qualifier: "9" })),
    (e: { name: string }) => e.name === "ResourceNotFoundException",
  );
});

test("an alias with routing weights splits traffic between two versions", async () => {
  const created = await lambda.send(
    new CreateAliasCommand({
      FunctionName: "ver",
      Name: "live",
      FunctionVersion: "1",
      RoutingConfig: { AdditionalVersionWeights: { "2": 0.3 } },
    }),
  );
  assert.equal(created.AliasArn, "arn:aws:lambda:us-east-1:000000000000:function:ver:live");
  const counts: Record<string, number> = {};
  for (let i = 0; i < 200; i++) {
    const { version } = await mode("ver", "live");
    counts[version] = (counts[version] ?? 0) + 1;
  }
  const share = (counts["2"] ?? 0) / 200;
  assert.ok(
    Math.abs(share - 0.3) <= 0.1,
    `version 2 got ${share * 100}% of 200 invocations, expected 30% ± 10 points`,
  );
  assert.equal((counts["1"] ?? 0) + (counts["2"] ?? 0), 200);

  const updated = await lambda.send(
    new UpdateAliasCommand({
      FunctionName: "ver",
      Name: "live",
      FunctionVersion: "2",
      RoutingConfig: { AdditionalVersionWeights: {} },
    }),
  );
  assert.equal(updated.RoutingConfig, undefined);
  assert.deepEqual(await mode("ver:live"), { mode: "green", version: "2" });
  assert.equal(
    (await lambda.send(new GetAliasCommand({ FunctionName: "ver", Name: "live" }))).FunctionVersion,
    "2",
  );
  assert.deepEqual(
    (await lambda.send(new ListAliasesCommand({ FunctionName: "ver" }))).Aliases?.map((a) => a.Name),
    ["live"],
  );
  await assert.rejects(
    lambda.send(new CreateAliasCommand({ FunctionName: "ver", Name: "live", FunctionVersion: "1" })),
    (e: { name: string }) => e.name === "ResourceConflictException",
  );
  await assert.rejects(
    lambda.send(
      new CreateAliasCommand({
        FunctionName: "ver",
        Name: "bad",
        FunctionVersion: "1",
        RoutingConfig: { AdditionalVersionWeights: { "2": 1.5 } },
      }),
    ),
    (e: { name: string; message: string }) =>
      e.name === "ValidationException" &&
      /at 'routingConfig\.additionalVersionWeights\.2' failed to satisfy constraint: Member must have value less than or equal to 1\.0/.test(
        e.message,
      ),
  );
});

test("a version an alias uses cannot be deleted; others can", async () => {
  await assert.rejects(
    lambda.send(new DeleteFunctionCommand({ FunctionName: "ver", Qualifier: "2" })),
    (e: { name: string }) => e.name === "ResourceConflictException",
  );
  await lambda.send(new DeleteFunctionCommand({ FunctionName: "ver", Qualifier: "1" }));
  await assert.rejects(
    lambda.send(new InvokeCommand({ FunctionName: "ver:1" })),
    (e: { name: string }) => e.name === "ResourceNotFoundException",
  );
  await lambda.send(new DeleteAliasCommand({ FunctionName: "ver", Name: "live" }));
  await lambda.send(new DeleteFunctionCommand({ FunctionName: "ver", Qualifier: "2" }));
  assert.deepEqual(
    (await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "ver" }))).Versions?.map(
      (v) => v.Version,
    ),
    ["$LATEST"],
  );
});

test("Publish: true on CreateFunction and UpdateFunctionCode publishes a version at once", async () => {
  const zip = Buffer.from(await zipBase64(join(FIXTURES, "python/toolkit")), "base64");
  const created = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "pub",
      Runtime: "python3.11",
      Role: "arn:aws:iam::000000000000:role/r",
      Handler: "app.counter",
      Code: { ZipFile: zip },
      Publish: true,
    }),
  );
  assert.equal(created.Version, "1");
  const nodeZip = Buffer.from(await zipBase64(join(FIXTURES, "nodejs/cjs")), "base64");
  const updated = await lambda.send(
    new UpdateFunctionCodeCommand({ FunctionName: "pub", ZipFile: nodeZip, Publish: true }),
  );
  assert.equal(updated.Version, "2");
  assert.notEqual(updated.CodeSha256, created.CodeSha256);
});

test("the native API publishes versions, manages aliases and invokes with a qualifier", async () => {
  const pub = await s.api("/functions/ver/versions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(pub.status, 201);
  const { version } = (await pub.json()) as { version: string };
  assert.equal(version, "3", "version numbers are never reused");
  const again = await s.api("/functions/ver/versions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(again.status, 200);
  const alias = await s.api("/functions/ver/aliases", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "prod", functionVersion: "3" }),
  });
  assert.equal(alias.status, 201);
  const r = await invoke(s, "ver", {}, {});
  assert.equal(r.headers.get("x-vajra-executed-version"), "$LATEST");
  const q = await s.api("/functions/ver/invoke?qualifier=prod", { method: "POST", body: "{}" });
  assert.equal(q.headers.get("x-vajra-executed-version"), "3");
  const list = (await (await s.api("/functions/ver/versions")).json()) as {
    versions: Array<{ version: string }>;
  };
  assert.deepEqual(
    list.versions.map((v) => v.version),
    ["$LATEST", "3"],
  );
  assert.equal((await s.api("/functions/ver/aliases/prod", { method: "DELETE" })).status, 204);
});
