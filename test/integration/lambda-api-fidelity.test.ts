// What real AWS clients see: one request id per invocation on every path, request bodies validated
// against the AWS model before anything changes, and every FunctionName form AWS accepts. Driven with
// the AWS SDK, and with raw SigV4-signed requests where the SDK would refuse the input itself.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { join } from "node:path";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetPolicyCommand,
  InvokeCommand,
  ListFunctionsCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import {
  FIXTURES,
  createRoles,
  startServer,
  stopAndClean,
  waitFor,
  zipBase64,
  type ServerHandle,
} from "./harness.js";
import { lambdaClientFor, rejectsAws } from "./aws-client.js";
import { skipUnlessRuntime } from "./runtime-support.js";

const skip = skipUnlessRuntime("python3.11");
const ROLE = "arn:aws:iam::000000000000:role/test";
const ARN = "arn:aws:lambda:us-east-1:000000000000:function:refs";

let s: ServerHandle;
let lambda: LambdaClient;
let zip: string;
let signer: SignatureV4;

before(async () => {
  if (skip !== false) return;
  s = await startServer();
  await createRoles(s, "test");
  lambda = lambdaClientFor(s);
  signer = new SignatureV4({
    service: "lambda",
    region: "us-east-1",
    credentials: await lambda.config.credentials(),
    sha256: Hash.bind(null, "sha256"),
  });
  zip = await zipBase64(join(FIXTURES, "python/toolkit"));
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "refs",
      Runtime: "python3.11",
      Role: ROLE,
      Handler: "app.whoami",
      Code: { ZipFile: Buffer.from(zip, "base64") },
    }),
  );
  await lambda.send(new PublishVersionCommand({ FunctionName: "refs" }));
  await lambda.send(new CreateAliasCommand({ FunctionName: "refs", Name: "live", FunctionVersion: "1" }));
});
after(async () => {
  if (skip !== false) return;
  lambda.destroy();
  await stopAndClean(s);
});

/** A SigV4-signed Lambda API request the SDK would not send (it validates or types its input). */
async function signed(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; type: string | null; json: Record<string, unknown> }> {
  const url = new URL(s.url);
  const text = body === undefined ? "" : JSON.stringify(body);
  const req = await signer.sign({
    method,
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path,
    headers: { host: url.host, "content-type": "application/json" },
    body: text,
  });
  const r = await fetch(`${s.url}${path}`, {
    method,
    headers: req.headers,
    ...(body === undefined ? {} : { body: text }),
  });
  const raw = await r.text();
  return {
    status: r.status,
    type: r.headers.get("x-amzn-errortype"),
    json: raw === "" ? {} : (JSON.parse(raw) as Record<string, unknown>),
  };
}

const names = async (): Promise<string[]> =>
  ((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName ?? "");

test("a synchronous invoke answers with the invocation's own request id", { skip }, async () => {
  const r = await lambda.send(new InvokeCommand({ FunctionName: "refs", LogType: "Tail" }));
  const seen = (JSON.parse(Buffer.from(r.Payload ?? []).toString()) as { requestId: string }).requestId;
  const log = Buffer.from(r.LogResult ?? "", "base64").toString();
  assert.equal(r.$metadata.requestId, seen, "x-amzn-RequestId is the handler's context.aws_request_id");
  assert.match(log, new RegExp(`REPORT RequestId: ${seen}\\b`), log);
  assert.match(log, new RegExp(`START RequestId: ${seen} `), log);
  assert.match(log, new RegExp(`handler saw ${seen}`), log);
});

test("an Event invocation's 202 carries the id its execution runs with", { skip }, async () => {
  const r = await lambda.send(new InvokeCommand({ FunctionName: "refs", InvocationType: "Event" }));
  assert.equal(r.StatusCode, 202);
  const id = r.$metadata.requestId ?? "";
  assert.match(id, /^[0-9a-f-]{36}$/);
  const ran = async (): Promise<boolean> => {
    const res = await s.api("/functions/refs/logs?limit=50");
    const list = ((await res.json()) as { invocations: Array<{ requestId: string; log: string }> })
      .invocations;
    return list.some((i) => i.requestId === id && i.log.includes(`handler saw ${id}`));
  };
  assert.ok(await waitFor(ran, 20_000), "the handler saw the id the 202 answered with");
});

test("a function URL answers with the invocation's request id", { skip }, async () => {
  const cfg = await lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: "refs", AuthType: "NONE" }),
  );
  const r = await fetch(cfg.FunctionUrl ?? "");
  assert.equal(r.status, 200);
  const body = (await r.json()) as { requestId: string };
  assert.equal(r.headers.get("x-amzn-requestid"), body.requestId);
});

test("CreateFunction with a malformed member answers AWS's error and creates nothing", { skip }, async () => {
  const before = await names();
  const base = {
    FunctionName: "bad-create",
    Runtime: "python3.11",
    Role: ROLE,
    Handler: "app.whoami",
    Code: { ZipFile: zip },
  };
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ Environment: "x" }, "SerializationException", /Environment must be a JSON object/],
    [{ Timeout: "3" }, "SerializationException", /Timeout must be an integer/],
    [
      { Description: "d".repeat(257) },
      "ValidationException",
      /^1 validation error detected: Value 'd+' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256$/,
    ],
    [
      { MemorySize: 100000 },
      "ValidationException",
      /Value '100000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 32768/,
    ],
    [
      { Architectures: ["sparc"] },
      "ValidationException",
      /Value 'sparc' at 'architectures.1.member' failed to satisfy constraint: Member must satisfy enum value set: \[x86_64, arm64\]/,
    ],
    [{ Role: undefined }, "ValidationException", /Value null at 'role' failed to satisfy constraint/],
    [
      { MemorySize: 1, Timeout: 0 },
      "ValidationException",
      /^2 validation errors detected: .*'timeout'.*; .*'memorySize'|^2 validation errors detected: .*'memorySize'.*; .*'timeout'/,
    ],
    [{ Runtime: "cobol85" }, "InvalidParameterValueException", /runtime 'cobol85'/],
  ];
  for (const [over, type, message] of cases) {
    const r = await signed("POST", "/2015-03-31/functions", { ...base, ...over });
    assert.equal(r.status, 400, JSON.stringify(over));
    assert.equal(r.type, type, JSON.stringify(over));
    assert.match(String(r.json.message ?? r.json.Message), message, JSON.stringify(over));
  }
  const qualified = await signed("POST", "/2015-03-31/functions", { ...base, FunctionName: "bad-create:1" });
  assert.equal(qualified.type, "InvalidParameterValueException", "a new function has no version 1");
  // Explicit nulls read as absent members, as on AWS.
  const ok = await signed("POST", "/2015-03-31/functions", { ...base, Environment: null, Layers: null });
  assert.equal(ok.status, 201, JSON.stringify(ok.json));
  assert.deepEqual((await names()).sort(), [...before, "bad-create"].sort());
  const upd = await signed("PUT", "/2015-03-31/functions/bad-create/configuration", {
    Environment: { Variables: { "1bad": "v" } },
  });
  assert.equal(upd.type, "ValidationException");
  assert.match(
    String(upd.json.message),
    /^1 validation error detected: Value at 'environment\.variables\.key'/,
  );
  const cfg = await lambda.send(new GetFunctionCommand({ FunctionName: "bad-create" }));
  assert.equal(cfg.Configuration?.Environment, undefined, "the refused update changed nothing");
});

test("header and query members are validated too", { skip }, async () => {
  await rejectsAws(
    lambda.send(new InvokeCommand({ FunctionName: "refs", InvocationType: "Sometimes" as "Event" })),
    "ValidationException",
    400,
    /Value 'Sometimes' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: \[Event, RequestResponse, DryRun\]/,
  );
  await rejectsAws(
    lambda.send(new ListFunctionsCommand({ MaxItems: 0 })),
    "ValidationException",
    400,
    /Value '0' at 'maxItems'/,
  );
});

test("every FunctionName form AWS accepts names the same function", { skip }, async () => {
  const forms = [
    ["refs", "$LATEST"],
    ["refs:1", "1"],
    ["refs:live", "1"],
    ["000000000000:function:refs", "$LATEST"],
    ["000000000000:function:refs:1", "1"],
    [ARN, "$LATEST"],
    [`${ARN}:live`, "1"],
    [`${ARN}:$LATEST`, "$LATEST"],
  ];
  for (const [name, version] of forms) {
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    assert.equal(got.Configuration?.Version, version, name);
    const inv = await lambda.send(new InvokeCommand({ FunctionName: name }));
    assert.equal(inv.ExecutedVersion, version, name);
  }
  // Invoke also takes NamespacedFunctionName's REGION:ACCOUNT:function:NAME.
  const ns = await lambda.send(new InvokeCommand({ FunctionName: "us-east-1:000000000000:function:refs:1" }));
  assert.equal(ns.ExecutedVersion, "1");
  // The same qualifier twice is fine; two different ones are refused.
  const same = await lambda.send(new GetFunctionCommand({ FunctionName: `${ARN}:1`, Qualifier: "1" }));
  assert.equal(same.Configuration?.Version, "1");
  await rejectsAws(
    lambda.send(new InvokeCommand({ FunctionName: `${ARN}:live`, Qualifier: "1" })),
    "InvalidParameterValueException",
    400,
    /The derived qualifier from the function name does not match the specified qualifier/,
  );
});

test("GetAlias takes the alias's own ARN; GetPolicy takes ARNs", { skip }, async () => {
  for (const fn of ["refs", ARN, `${ARN}:live`, "000000000000:function:refs:live", "refs:live"]) {
    const a = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: "live" }));
    assert.equal(a.AliasArn, `${ARN}:live`, fn);
  }
  await rejectsAws(
    lambda.send(new GetAliasCommand({ FunctionName: `${ARN}:1`, Name: "live" })),
    "InvalidParameterValueException",
    400,
  );
  await lambda.send(
    new AddPermissionCommand({
      FunctionName: ARN,
      StatementId: "s1",
      Action: "lambda:InvokeFunction",
      Principal: "123456789012",
    }),
  );
  for (const fn of ["refs", ARN, "000000000000:function:refs", `${ARN}:$LATEST`]) {
    const p = await lambda.send(new GetPolicyCommand({ FunctionName: fn }));
    assert.match(p.Policy ?? "", /"Sid":"s1"/, fn);
  }
});

test("forms AWS refuses are refused, naming the member", { skip }, async () => {
  await rejectsAws(
    lambda.send(new GetFunctionCommand({ FunctionName: "bad name" })),
    "ValidationException",
    400,
    /at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
  );
  // GetAlias takes FunctionName, not NamespacedFunctionName: no REGION:ACCOUNT form without `arn:`.
  await rejectsAws(
    lambda.send(new GetAliasCommand({ FunctionName: "refs.v2", Name: "live" })),
    "ValidationException",
    400,
    /at 'functionName'/,
  );
  // A configuration change applies to $LATEST: a version in the name is refused, nothing changes.
  await rejectsAws(
    lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "refs:1", Description: "x" })),
    "InvalidParameterValueException",
    400,
    /\$LATEST/,
  );
  const got = await lambda.send(new GetFunctionCommand({ FunctionName: "refs" }));
  assert.equal(got.Configuration?.Description, "");
});
