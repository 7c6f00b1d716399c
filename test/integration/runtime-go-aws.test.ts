// Go functions written for AWS Lambda (github.com/aws/aws-lambda-go imports, go.mod and go.sum as AWS's
// documentation lays them out) deploy from source unchanged: Vajra's build swaps in its bundled
// aws-lambda-go v1.x, which also talks to the instance's UNIX socket directly.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { rawZip } from "../support/raw-zip.js";
import { sharedBuildCache, skipUnlessRuntime } from "./runtime-support.js";

let s: ServerHandle;
const skip = skipUnlessRuntime("go1.19");

before(async () => {
  if (skip === false) s = await startServer({ env: sharedBuildCache() });
});
after(async () => {
  if (skip === false) await stopAndClean(s);
});

const AWS_MAIN = readFileSync(join(FIXTURES, "go/aws-style/main.go"), "utf8");

/** Deploys main.go with this go.mod through the API and returns the BuildFailed message. */
async function buildFailure(name: string, goMod: string, main = AWS_MAIN): Promise<string> {
  const r = await deploy(s, {
    name,
    runtime: "go1.19",
    handler: "bootstrap",
    zipFile: rawZip([
      { name: "go.mod", data: goMod },
      { name: "main.go", data: main },
    ]).toString("base64"),
  });
  assert.equal(r.status, 400, JSON.stringify(r.json));
  const err = r.json.error as { code: string; message: string };
  assert.equal(err.code, "BuildFailed");
  return err.message;
}

test(
  "go1.19: a function in AWS's documented style (aws-lambda-go v1.47.0 in go.mod, go.sum) deploys from source and answers",
  { skip },
  async () => {
    const d = s.cli(["deploy", "go-aws", join(FIXTURES, "go/aws-style")]);
    assert.equal(d.status, 0, d.stderr);
    const r = await invoke(s, "go-aws", { name: "Ada" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("x-vajra-function-error"), null, r.text);
    const message = r.json() as unknown as string;
    assert.match(message, /^Hello Ada! I am go-aws, request [0-9a-f-]{36}$/);

    // Linked with Vajra's module, the bootstrap knows the instance's socket (no TCP forwarder).
    const fn = (await (await s.api("/functions/go-aws")).json()) as { codeSha256: string };
    const bootstrap = readFileSync(join(s.dataDir, "code", fn.codeSha256, "bootstrap"));
    assert.ok(bootstrap.includes("VAJRA_RUNTIME_SOCKET"));
  },
);

test(
  "go1.19: an error returned by an aws-lambda-go handler gives Lambda's error body",
  { skip },
  async () => {
    const r = await invoke(s, "go-aws", { name: "Ada", fail: true });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled");
    assert.deepEqual(r.json(), { errorMessage: "asked to fail", errorType: "errorString", stackTrace: [] });
  },
);

test("go1.19: an events.APIGatewayV2HTTPRequest handler decodes an HTTP API event", { skip }, async () => {
  const d = s.cli(["deploy", "go-aws-http", join(FIXTURES, "go/aws-events")]);
  assert.equal(d.status, 0, d.stderr);
  const r = await invoke(s, "go-aws-http", {
    version: "2.0",
    routeKey: "POST /items/{id}",
    rawPath: "/items/7",
    rawQueryString: "q=x",
    headers: { "content-type": "text/plain" },
    queryStringParameters: { q: "x" },
    pathParameters: { id: "7" },
    requestContext: {
      http: {
        method: "POST",
        path: "/items/7",
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.9",
        userAgent: "t",
      },
      requestId: "r1",
      routeKey: "POST /items/{id}",
      stage: "$default",
      timeEpoch: 1700000000000,
    },
    body: "<b>&</b>",
    isBase64Encoded: false,
  });
  assert.equal(r.status, 200, r.text);
  const out = r.json() as { statusCode: number; headers: Record<string, string>; body: string };
  assert.equal(out.statusCode, 200);
  assert.equal(out.headers["Content-Type"], "application/json");
  assert.deepEqual(JSON.parse(out.body), {
    method: "POST",
    path: "/items/7",
    id: "7",
    q: "x",
    ip: "203.0.113.9",
    body: "<b>&</b>",
  });
});

test(
  "go1.19: a go.mod requiring aws-lambda-go v2.0.0 fails the build, naming it and the supported versions",
  { skip },
  async () => {
    const message = await buildFailure(
      "go-aws-v2",
      "module example.com/fn\n\ngo 1.19\n\nrequire github.com/aws/aws-lambda-go v2.0.0\n",
    );
    assert.match(message, /github\.com\/aws\/aws-lambda-go v2\.0\.0, which Vajra does not provide/);
    assert.match(message, /v1\.x/);
    assert.equal((await s.api("/functions/go-aws-v2")).status, 404);
  },
);

test(
  "go1.19: a module that is not available offline fails the build, naming the module",
  { skip },
  async () => {
    const main = AWS_MAIN.replace('"errors"', '"errors"\n\n\t"github.com/google/uuid"').replace(
      "lc, _ :=",
      "_ = uuid.New\n\tlc, _ :=",
    );
    const message = await buildFailure(
      "go-aws-uuid",
      "module example.com/fn\n\ngo 1.19\n\nrequire (\n\tgithub.com/aws/aws-lambda-go v1.47.0\n\tgithub.com/google/uuid v1.6.0\n)\n",
      main,
    );
    assert.match(message, /not available offline: github\.com\/google\/uuid v1\.6\.0\./);
    assert.match(message, /provides github\.com\/aws\/aws-lambda-go v1\.x/);
  },
);

test(
  "go1.19: a go.mod asking for a newer Go than the toolchain fails the build with what to change",
  { skip },
  async () => {
    const message = await buildFailure(
      "go-aws-new",
      "module example.com/fn\n\ngo 1.22\n\ntoolchain go1.22.4\n\nrequire github.com/aws/aws-lambda-go v1.47.0\n",
    );
    assert.match(message, /go\.mod requires go 1\.22, but this runtime's toolchain is go1\.19/);
  },
);
