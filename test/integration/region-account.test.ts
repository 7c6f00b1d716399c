// Regions and the account id: ARNs name the region a client signed for and the server's configured
// account (`vajra server --account-id`), the native API and CLI use the server's --region, functions
// belong to the region they were created in (as on AWS), and `aws sts get-caller-identity` answers
// with the configured account.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import {
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListLayersCommand,
  PublishLayerVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { FIXTURES, createRoles, startServer, stopAndClean, zipBase64, type ServerHandle } from "./harness.js";
import { rejectsAws } from "./aws-client.js";
import { awsCli, awsOk, skipWithoutAwsCli } from "./aws-cli.js";

const ACCOUNT = "123456789012";
let s: ServerHandle;
let zipPath: string;

before(async () => {
  s = await startServer({ args: ["--account-id", ACCOUNT, "--region", "eu-central-1"] });
  await createRoles(s, "test");
  zipPath = join(s.dataDir, "fn.zip");
  writeFileSync(zipPath, Buffer.from(await zipBase64(join(FIXTURES, "nodejs/cjs")), "base64"));
});
after(async () => {
  await stopAndClean(s);
});

test("the credentials file the server writes names the server's region", () => {
  assert.match(readFileSync(join(s.dataDir, "credentials"), "utf8"), /^region = eu-central-1$/m);
});

test("aws sts get-caller-identity shows the configured account", (t) => {
  if (skipWithoutAwsCli(t)) return;
  const id = awsOk<{ Account: string; Arn: string; UserId: string }>(s, ["sts", "get-caller-identity"]);
  assert.deepEqual(id, { Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root`, UserId: ACCOUNT });
  const other = awsCli(s, ["sts", "get-session-token"]);
  assert.notEqual(other.status, 0);
  assert.match(other.stderr, /InvalidAction/);
});

test("STS refuses a request signed with an unknown key with STS's error code", async () => {
  const signer = new SignatureV4({
    service: "sts",
    region: "us-east-1",
    credentials: { accessKeyId: "AKIAUNKNOWN", secretAccessKey: "nope" },
    sha256: Hash.bind(null, "sha256"),
  });
  const url = new URL(s.url);
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: { host: url.host, "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  const r = await fetch(`${s.url}/`, { method: "POST", headers: signed.headers, body });
  assert.equal(r.status, 403);
  assert.match(await r.text(), /<Code>InvalidClientTokenId<\/Code>/);
});

test("a function created through eu-west-1 has eu-west-1 ARNs with the configured account", (t) => {
  if (skipWithoutAwsCli(t)) return;
  const created = awsOk<{ FunctionArn: string; Role: string }>(s, [
    "lambda",
    "create-function",
    "--region",
    "eu-west-1",
    "--function-name",
    "regional",
    "--runtime",
    "nodejs20.x",
    "--handler",
    "index.handler",
    "--zip-file",
    `fileb://${zipPath}`,
    "--role",
    `arn:aws:iam::${ACCOUNT}:role/test`,
  ]);
  assert.equal(created.FunctionArn, `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:regional`);
  const missing = awsCli(s, ["lambda", "get-function", "--region", "ap-south-1", "--function-name", "nope"]);
  assert.match(missing.stderr, new RegExp(`arn:aws:lambda:ap-south-1:${ACCOUNT}:function:nope`));
});

test("the native API and CLI name ARNs in the server's --region", async () => {
  const r = await s.api("/functions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name: "native",
      runtime: "nodejs20.x",
      handler: "index.handler",
      zipFile: await zipBase64(join(FIXTURES, "nodejs/cjs")),
    }),
  });
  assert.equal(r.status, 201, await r.text());
  const info = s.cli(["info", "native", "--json"]);
  assert.equal(info.status, 0, info.stderr);
  assert.equal(
    (JSON.parse(info.stdout) as { arn: string }).arn,
    `arn:aws:lambda:eu-central-1:${ACCOUNT}:function:native`,
  );
});

test("the JavaScript SDK configured for eu-west-1 gets eu-west-1 ARNs", async () => {
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(s.dataDir, "credentials");
  process.env.AWS_PROFILE = "vajra";
  const lambda = new LambdaClient({ endpoint: s.url, region: "eu-west-1", maxAttempts: 1 });
  try {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "sdk-regional",
        Runtime: "nodejs20.x",
        Role: `arn:aws:iam::${ACCOUNT}:role/test`,
        Handler: "index.handler",
        Code: { ZipFile: Buffer.from(await zipBase64(join(FIXTURES, "nodejs/cjs")), "base64") },
      }),
    );
    assert.equal(created.FunctionArn, `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:sdk-regional`);
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "sdk-regional" }));
    assert.equal(got.Configuration?.FunctionArn, created.FunctionArn);
    await rejectsAws(
      lambda.send(new GetFunctionCommand({ FunctionName: "absent" })),
      "ResourceNotFoundException",
      404,
      new RegExp(`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:absent`),
    );
  } finally {
    lambda.destroy();
  }
});

test("regions are apart: the same name lives in two, each lists, invokes and deletes its own, across a restart", async () => {
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(s.dataDir, "credentials");
  process.env.AWS_PROFILE = "vajra";
  const zip = Buffer.from(await zipBase64(join(FIXTURES, "nodejs/whereami")), "base64");
  const clients = {
    eu: () => new LambdaClient({ endpoint: s.url, region: "eu-west-1", maxAttempts: 1 }),
    us: () => new LambdaClient({ endpoint: s.url, region: "us-east-1", maxAttempts: 1 }),
  };
  const create = (c: LambdaClient, memory: number) =>
    c.send(
      new CreateFunctionCommand({
        FunctionName: "twin",
        Runtime: "nodejs20.x",
        Role: `arn:aws:iam::${ACCOUNT}:role/test`,
        Handler: "index.handler",
        MemorySize: memory,
        Code: { ZipFile: zip },
      }),
    );
  const where = async (c: LambdaClient) => {
    const out = await c.send(new InvokeCommand({ FunctionName: "twin" }));
    return JSON.parse(Buffer.from(out.Payload ?? []).toString()) as {
      region: string;
      arn: string;
      memoryMb: number;
    };
  };
  const names = async (c: LambdaClient) =>
    ((await c.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName).sort();

  let eu = clients.eu();
  let us = clients.us();
  try {
    await create(eu, 256);
    await create(us, 512);
    assert.deepEqual(await where(eu), {
      region: "eu-west-1",
      arn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:twin`,
      memoryMb: 256,
    });
    assert.deepEqual(await where(us), {
      region: "us-east-1",
      arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:twin`,
      memoryMb: 512,
    });
    const euNames = await names(eu);
    assert.ok(euNames.includes("twin") && euNames.includes("sdk-regional"), euNames.join(","));
    assert.ok(
      !euNames.includes("native"),
      "a function of the server's region (eu-central-1) is not in eu-west-1",
    );
    assert.deepEqual(await names(us), ["twin"]);

    // A function URL invokes its function in the function's region, whatever region the server's is.
    const url = await eu.send(new CreateFunctionUrlConfigCommand({ FunctionName: "twin", AuthType: "NONE" }));
    const path = new URL(url.FunctionUrl ?? "").pathname;
    const r = await fetch(`${s.url}${path}`);
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { region: string }).region, "eu-west-1");

    // Deleting the eu-west-1 twin leaves the us-east-1 one.
    await eu.send(new DeleteFunctionCommand({ FunctionName: "twin" }));
    await rejectsAws(
      eu.send(new GetFunctionCommand({ FunctionName: "twin" })),
      "ResourceNotFoundException",
      404,
    );
    assert.equal((await where(us)).memoryMb, 512);

    // Layers are regional too: a layer published in eu-west-1 is not listed in, nor usable from, us-east-1.
    const layer = await eu.send(
      new PublishLayerVersionCommand({ LayerName: "shared", Content: { ZipFile: zip } }),
    );
    assert.match(layer.LayerVersionArn ?? "", /^arn:aws:lambda:eu-west-1:/);
    assert.deepEqual((await us.send(new ListLayersCommand({}))).Layers, []);
    await rejectsAws(
      us.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "twin",
          Layers: [layer.LayerVersionArn ?? ""],
        }),
      ),
      "InvalidParameterValueException",
      400,
      /not in the function's region us-east-1/,
    );

    // Each region keeps its own functions across a restart.
    eu.destroy();
    us.destroy();
    await s.stop();
    s = await startServer({
      dataDir: s.dataDir,
      args: ["--account-id", ACCOUNT, "--region", "eu-central-1"],
    });
    await createRoles(s, "test");
    eu = clients.eu();
    us = clients.us();
    assert.deepEqual(await names(us), ["twin"]);
    assert.ok((await names(eu)).includes("sdk-regional"));
    assert.ok(!(await names(eu)).includes("twin"));
    assert.equal((await where(us)).region, "us-east-1");
  } finally {
    eu.destroy();
    us.destroy();
  }
});
