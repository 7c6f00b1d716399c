// Function URLs: configured through the Lambda API, called over plain HTTP with the payload format 2.0
// event and response mapping, AuthType NONE and AWS_IAM (SigV4), and CORS.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateFunctionUrlConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  ListFunctionUrlConfigsCommand,
  UpdateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { deploy, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { lambdaClientFor } from "./aws-client.js";

let s: ServerHandle;
let lambda: LambdaClient;
let credentials: { accessKeyId: string; secretAccessKey: string };

before(async () => {
  s = await startServer();
  lambda = lambdaClientFor(s);
  credentials = await lambda.config.credentials();
  await deploy(s, { name: "web", runtime: "python3.11", handler: "app.web" }, "python/toolkit");
  await deploy(s, { name: "plain", runtime: "python3.11", handler: "app.counter" }, "python/toolkit");
});
after(async () => {
  lambda.destroy();
  await stopAndClean(s);
});

test("a NONE function URL maps HTTP to the 2.0 event and the result back to HTTP", async () => {
  const cfg = await lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: "web", AuthType: "NONE" }),
  );
  assert.match(cfg.FunctionUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+\/url\/[0-9a-f]{32}\/$/);
  const r = await fetch(`${cfg.FunctionUrl ?? ""}items/7?a=1&a=2`, {
    method: "POST",
    body: "hello",
    headers: { cookie: "k=v", "content-type": "text/plain" },
  });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get("x-path"), "/items/7");
  assert.equal(r.headers.get("set-cookie"), "seen=1");
  assert.deepEqual(await r.json(), {
    method: "POST",
    query: { a: "1,2" },
    body: "hello",
    cookies: ["k=v"],
    version: "2.0",
  });
  await assert.rejects(
    lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "web", AuthType: "NONE" })),
    (e: { name: string }) => e.name === "ResourceConflictException",
  );
});

test("a result without statusCode is a 200 JSON body; function errors are 502", async () => {
  const cfg = await lambda.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: "plain", AuthType: "NONE" }),
  );
  const r = await fetch(cfg.FunctionUrl ?? "");
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/json");
  const body = (await r.json()) as {
    count: number;
    requestId: string;
    event: { requestContext: { requestId: string } };
  };
  assert.equal(body.count, 1);
  // One id: the answer's header, the event's requestContext and the handler's context.
  assert.equal(r.headers.get("x-amzn-requestid"), body.requestId);
  assert.equal(body.event.requestContext.requestId, body.requestId);
  await deploy(s, { name: "plain", handler: "app.fail" });
  assert.equal((await fetch(cfg.FunctionUrl ?? "")).status, 502);
  assert.equal((await fetch(`${s.url}/url/00000000000000000000000000000000/`)).status, 404);
});

test("AWS_IAM URLs refuse unsigned requests and accept SigV4-signed ones", async () => {
  const cfg = await lambda.send(
    new UpdateFunctionUrlConfigCommand({ FunctionName: "web", AuthType: "AWS_IAM" }),
  );
  assert.equal(cfg.AuthType, "AWS_IAM");
  const url = new URL(`${cfg.FunctionUrl ?? ""}signed`);
  assert.equal((await fetch(url)).status, 403);
  const signer = new SignatureV4({
    service: "lambda",
    region: "us-east-1",
    credentials,
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign({
    method: "GET",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host },
    query: {},
  });
  const r = await fetch(url, { headers: signed.headers });
  assert.equal(r.status, 201);
});

test("CORS: preflight and response headers follow the URL's configuration", async () => {
  await lambda.send(
    new UpdateFunctionUrlConfigCommand({
      FunctionName: "web",
      AuthType: "NONE",
      Cors: { AllowOrigins: ["https://app.example"], AllowMethods: ["GET", "POST"], MaxAge: 60 },
    }),
  );
  const cfg = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "web" }));
  assert.deepEqual(cfg.Cors?.AllowOrigins, ["https://app.example"]);
  const pre = await fetch(cfg.FunctionUrl ?? "", {
    method: "OPTIONS",
    headers: { origin: "https://app.example", "access-control-request-method": "POST" },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get("access-control-allow-origin"), "https://app.example");
  assert.equal(pre.headers.get("access-control-max-age"), "60");
  const other = await fetch(cfg.FunctionUrl ?? "", { headers: { origin: "https://evil.example" } });
  assert.equal(other.headers.get("access-control-allow-origin"), null);
  const ok = await fetch(cfg.FunctionUrl ?? "", { headers: { origin: "https://app.example" } });
  assert.equal(ok.headers.get("access-control-allow-origin"), "https://app.example");
});

test("URL configs are listed and deleted", async () => {
  assert.equal(
    (await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: "web" }))).FunctionUrlConfigs
      ?.length,
    1,
  );
  const url = (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "web" }))).FunctionUrl ?? "";
  await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: "web" }));
  await assert.rejects(
    lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "web" })),
    (e: { name: string }) => e.name === "ResourceNotFoundException",
  );
  assert.equal((await fetch(url)).status, 404);
});

test("vajra url create / show / delete", async () => {
  await deploy(s, { name: "cli-url", runtime: "python3.11", handler: "app.web" }, "python/toolkit");
  const created = s.cli(["url", "create", "cli-url", "--json"]);
  assert.equal(created.status, 0, created.stderr);
  const { url } = JSON.parse(created.stdout) as { url: string };
  assert.equal((await fetch(`${url}hi`)).status, 201);
  assert.equal(s.cli(["url", "show", "cli-url"]).stdout.trim(), url);
  assert.equal(s.cli(["url", "delete", "cli-url", "--yes"]).status, 0);
  assert.equal((await fetch(url)).status, 404);
  assert.notEqual(s.cli(["url", "create", "cli-url", "--auth", "BASIC"]).status, 0);
});
