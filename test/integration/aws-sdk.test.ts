// Unmodified AWS clients against a real Vajra server: @aws-sdk/client-lambda signs with SigV4 using the
// credentials file Vajra wrote, manages functions and invokes them through the Lambda API.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  CreateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { FIXTURES, createRoles, startServer, stopAndClean, zipBase64, type ServerHandle } from "./harness.js";
import { lambdaClientFor, rejectsAws } from "./aws-client.js";

let s: ServerHandle;
let lambda: LambdaClient;
let toolkit: Uint8Array;
let nodeCjs: Uint8Array;
const ROLE = "arn:aws:iam::000000000000:role/test";

before(async () => {
  s = await startServer();
  await createRoles(s, "test");
  lambda = lambdaClientFor(s);
  toolkit = Buffer.from(await zipBase64(join(FIXTURES, "python/toolkit")), "base64");
  nodeCjs = Buffer.from(await zipBase64(join(FIXTURES, "nodejs/cjs")), "base64");
});
after(async () => {
  lambda.destroy();
  await stopAndClean(s);
});

const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString("utf8");

test("create, wait until active, invoke with Tail and ClientContext", async () => {
  const created = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "sdk-py",
      Runtime: "python3.11",
      Role: ROLE,
      Handler: "app.counter",
      Code: { ZipFile: toolkit },
      MemorySize: 256,
      Timeout: 10,
    }),
  );
  assert.equal(created.FunctionName, "sdk-py");
  assert.equal(created.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:sdk-py");
  assert.match(created.CodeSha256 ?? "", /^[A-Za-z0-9+/]{43}=$/, "CodeSha256 is base64 of the digest");
  assert.match(created.LastModified ?? "", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: "sdk-py" });

  const ctx = Buffer.from(JSON.stringify({ custom: { who: "sdk" } })).toString("base64");
  const r = await lambda.send(
    new InvokeCommand({
      FunctionName: "sdk-py",
      Payload: Buffer.from('{"k":"v"}'),
      LogType: "Tail",
      ClientContext: ctx,
    }),
  );
  assert.equal(r.StatusCode, 200);
  assert.equal(r.ExecutedVersion, "$LATEST");
  assert.equal(r.FunctionError, undefined);
  const out = JSON.parse(text(r.Payload)) as Record<string, unknown>;
  assert.deepEqual(out.event, { k: "v" });
  assert.equal(out.memory, "256");
  const log = Buffer.from(r.LogResult ?? "", "base64").toString();
  assert.match(log, /START RequestId: .* Version: \$LATEST/);
  assert.match(log, /REPORT RequestId: .*Memory Size: 256 MB/);
  // The id the client gets back is the invocation's: in REPORT and in the handler's context.
  const id = r.$metadata.requestId ?? "";
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(out.requestId, id);
  assert.match(log, new RegExp(`REPORT RequestId: ${id}\t`));

  const byArn = await lambda.send(
    new InvokeCommand({
      FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:sdk-py",
      Qualifier: "$LATEST",
    }),
  );
  assert.equal(byArn.StatusCode, 200);
  const dry = await lambda.send(new InvokeCommand({ FunctionName: "sdk-py", InvocationType: "DryRun" }));
  assert.equal(dry.StatusCode, 204);
});

test("a function error answers 200 with X-Amz-Function-Error", async () => {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "sdk-fail",
      Runtime: "nodejs20.x",
      Role: ROLE,
      Handler: "index.fail",
      Code: { ZipFile: nodeCjs },
    }),
  );
  const r = await lambda.send(new InvokeCommand({ FunctionName: "sdk-fail" }));
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, "Unhandled");
  const body = JSON.parse(text(r.Payload)) as Record<string, unknown>;
  assert.equal(body.errorType, "TypeError");
  assert.equal(body.errorMessage, "node boom");
});

test("update configuration and code, honouring RevisionId", async () => {
  const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "sdk-py" }));
  const updated = await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "sdk-py",
      MemorySize: 512,
      Timeout: 20,
      Environment: { Variables: { MODE: "blue" } },
      Description: "d",
      RevisionId: before.RevisionId,
    }),
  );
  assert.equal(updated.MemorySize, 512);
  assert.notEqual(updated.RevisionId, before.RevisionId);
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: "sdk-py" });
  await rejectsAws(
    lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "sdk-py",
        MemorySize: 1024,
        RevisionId: before.RevisionId,
      }),
    ),
    "PreconditionFailedException",
    412,
  );
  const env = JSON.parse(
    text((await lambda.send(new InvokeCommand({ FunctionName: "sdk-py" }))).Payload),
  ) as { env: Record<string, string> };
  assert.equal(env.env.MODE, "blue");

  const code = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "sdk-py", ZipFile: nodeCjs }));
  assert.notEqual(code.CodeSha256, updated.CodeSha256);
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "sdk-py",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
    }),
  );
  const res = JSON.parse(
    text(
      (await lambda.send(new InvokeCommand({ FunctionName: "sdk-py", Payload: Buffer.from("{}") }))).Payload,
    ),
  ) as Record<string, unknown>;
  assert.equal(res.functionName, "sdk-py");
  const got = await lambda.send(new GetFunctionCommand({ FunctionName: "sdk-py" }));
  assert.equal(got.Configuration?.Runtime, "nodejs20.x");
  assert.equal(got.Code?.RepositoryType, "S3");
});

test("list with pagination and account settings", async () => {
  const page1 = await lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
  assert.equal(page1.Functions?.length, 1);
  assert.ok(page1.NextMarker);
  const page2 = await lambda.send(new ListFunctionsCommand({ MaxItems: 1, Marker: page1.NextMarker }));
  assert.equal(page2.Functions?.length, 1);
  assert.notEqual(page2.Functions?.[0]?.FunctionName, page1.Functions?.[0]?.FunctionName);
  const settings = await lambda.send(new GetAccountSettingsCommand({}));
  assert.equal(settings.AccountUsage?.FunctionCount, 2);
  assert.equal(settings.AccountLimit?.ConcurrentExecutions, 1000);
});

test("AWS error shapes: duplicate, missing, invalid parameters, oversized payload, unimplemented operation", async () => {
  await rejectsAws(
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: "sdk-fail",
        Runtime: "nodejs20.x",
        Role: ROLE,
        Handler: "index.fail",
        Code: { ZipFile: nodeCjs },
      }),
    ),
    "ResourceConflictException",
    409,
    /Function already exist: sdk-fail/,
  );
  await rejectsAws(
    lambda.send(new GetFunctionCommand({ FunctionName: "ghost" })),
    "ResourceNotFoundException",
    404,
    /Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost/,
  );
  await rejectsAws(
    lambda.send(new InvokeCommand({ FunctionName: "ghost" })),
    "ResourceNotFoundException",
    404,
  );
  const bad = (over: Record<string, unknown>) =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: "sdk-bad",
        Runtime: "python3.11",
        Role: ROLE,
        Handler: "app.counter",
        Code: { ZipFile: toolkit },
        ...over,
      }),
    );
  await rejectsAws(
    bad({ Runtime: "cobol85" }),
    "InvalidParameterValueException",
    400,
    /unknown runtime 'cobol85'/,
  );
  await rejectsAws(
    bad({ MemorySize: 64 }),
    "ValidationException",
    400,
    /Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128/,
  );
  await rejectsAws(
    bad({ Timeout: 0 }),
    "ValidationException",
    400,
    /Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1/,
  );
  await rejectsAws(
    bad({ Code: { ZipFile: Buffer.from("not a zip") } }),
    "InvalidParameterValueException",
    400,
    /not a valid zip/,
  );
  await rejectsAws(
    lambda.send(
      new InvokeCommand({ FunctionName: "sdk-fail", Payload: Buffer.alloc(6 * 1024 * 1024 + 1, 0x61) }),
    ),
    "RequestTooLargeException",
    413,
  );
  await rejectsAws(
    lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: "sdk-fail",
        EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q",
      }),
    ),
    "InvalidParameterValueException",
    400,
    /broker URIs/,
  );
  const names = ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map(
    (f) => f.FunctionName,
  );
  assert.ok(!names.includes("sdk-bad"), "a rejected create changes nothing");
});

test("bad credentials and unsigned requests are refused with AWS error types", async () => {
  const wrongKey = new LambdaClient({
    endpoint: s.url,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: { accessKeyId: "AKIANOTAKEY000000000", secretAccessKey: "x" },
  });
  await rejectsAws(wrongKey.send(new ListFunctionsCommand({})), "UnrecognizedClientException", 403);
  wrongKey.destroy();
  const creds = await lambda.config.credentials();
  const wrongSecret = new LambdaClient({
    endpoint: s.url,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: "wrong-secret" },
  });
  await rejectsAws(wrongSecret.send(new ListFunctionsCommand({})), "InvalidSignatureException", 403);
  wrongSecret.destroy();
  const unsigned = await fetch(`${s.url}/2015-03-31/functions/sdk-py/invocations`, {
    method: "POST",
    body: "{}",
  });
  assert.equal(unsigned.status, 403);
  assert.equal(unsigned.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
});

test("reserved concurrency: 0 throttles with Lambda's error, removing it lets calls through", async () => {
  const put = await lambda.send(
    new PutFunctionConcurrencyCommand({ FunctionName: "sdk-fail", ReservedConcurrentExecutions: 0 }),
  );
  assert.equal(put.ReservedConcurrentExecutions, 0);
  assert.equal(
    (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "sdk-fail" })))
      .ReservedConcurrentExecutions,
    0,
  );
  await assert.rejects(
    lambda.send(new InvokeCommand({ FunctionName: "sdk-fail" })),
    (e: { name: string; Reason?: string; $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, "TooManyRequestsException");
      assert.equal(e.Reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
      assert.equal(e.$metadata?.httpStatusCode, 429);
      return true;
    },
  );
  await rejectsAws(
    lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: "sdk-fail", ReservedConcurrentExecutions: 950 }),
    ),
    "InvalidParameterValueException",
    400,
    /unreserved/,
  );
  await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "sdk-fail" }));
  assert.equal(
    (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "sdk-fail" })))
      .ReservedConcurrentExecutions,
    undefined,
  );
  assert.equal((await lambda.send(new InvokeCommand({ FunctionName: "sdk-fail" }))).StatusCode, 200);
});

test("tags: set at create, added, listed, removed, and shown by GetFunction", async () => {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "sdk-tags",
      Runtime: "nodejs20.x",
      Role: ROLE,
      Handler: "index.handler",
      Code: { ZipFile: nodeCjs },
      Tags: { team: "a" },
    }),
  );
  const arn = "arn:aws:lambda:us-east-1:000000000000:function:sdk-tags";
  await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { env: "prod", cost: "7" } }));
  assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, {
    team: "a",
    env: "prod",
    cost: "7",
  });
  await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ["cost", "team"] }));
  assert.deepEqual((await lambda.send(new GetFunctionCommand({ FunctionName: "sdk-tags" }))).Tags, {
    env: "prod",
  });
  await rejectsAws(
    lambda.send(new TagResourceCommand({ Resource: arn, Tags: { "aws:x": "1" } })),
    "InvalidParameterValueException",
    400,
  );
  await lambda.send(new DeleteFunctionCommand({ FunctionName: "sdk-tags" }));
});

test("delete, then not found", async () => {
  await lambda.send(new DeleteFunctionCommand({ FunctionName: "sdk-py" }));
  await rejectsAws(
    lambda.send(new GetFunctionCommand({ FunctionName: "sdk-py" })),
    "ResourceNotFoundException",
    404,
  );
});

test("the AWS CLI works with the credentials file and nothing else configured", (t) => {
  const aws = ["/usr/bin/aws", "/usr/local/bin/aws"].find((p) => existsSync(p));
  if (aws === undefined) {
    if (process.env.VAJRA_REQUIRE_SERVICES === "1")
      assert.fail("the AWS CLI is required in CI (apt-get install -y awscli)");
    t.skip("the AWS CLI is not installed (apt-get install -y awscli)");
    return;
  }
  const r = spawnSync(aws, ["lambda", "list-functions", "--endpoint-url", s.url], {
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      HOME: s.dataDir,
      AWS_SHARED_CREDENTIALS_FILE: join(s.dataDir, "credentials"),
      AWS_PROFILE: "vajra",
    },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(
    (JSON.parse(r.stdout) as { Functions: Array<{ FunctionName: string }> }).Functions.some(
      (f) => f.FunctionName === "sdk-fail",
    ),
  );
});
