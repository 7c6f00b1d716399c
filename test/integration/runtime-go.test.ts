// Go (go1.19 here: Debian's golang-1.19): sources built offline with vajra.dev/lambda, run as a bootstrap.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  FIXTURES,
  ROOT,
  deploy,
  invoke,
  createRoles,
  startServer,
  stopAndClean,
  type ServerHandle,
} from "./harness.js";
import {
  CreateFunctionCommand,
  InvokeCommand,
  UpdateFunctionCodeCommand,
  type Runtime,
} from "@aws-sdk/client-lambda";
import { createHash } from "node:crypto";
import { zipDirectory } from "../../src/blobs/zip-dir.js";
import { rawZip } from "../support/raw-zip.js";
import { lambdaClientFor, rejectsAws } from "./aws-client.js";
import { runtimeContract } from "./runtime-contract.js";
import { sharedBuildCache, skipUnlessRuntime } from "./runtime-support.js";

let s: ServerHandle;
const skip = skipUnlessRuntime("go1.19");

before(async () => {
  if (skip === false) {
    s = await startServer({ env: sharedBuildCache() });
    await createRoles(s, "lambda");
  }
});
after(async () => {
  if (skip === false) await stopAndClean(s);
});

runtimeContract(() => s, {
  name: "go-toolkit",
  dir: join(FIXTURES, "go/toolkit"),
  runtime: "go1.19",
  builds: true,
  hello: { action: "hello" },
  fail: { action: "fail" },
  sleep: (ms) => ({ action: "sleep", ms }),
  errorType: "errorString",
  errorMessage: /asked to fail/,
  logLine: /toolkit action hello/,
  endpoint: { action: "endpoint" },
  skip,
});

test("go1.19: the example in examples/go/hello deploys and greets", { skip }, async () => {
  const d = s.cli(["deploy", "go-hello", join(ROOT, "examples/go/hello")]);
  assert.equal(d.status, 0, d.stderr);
  const r = await invoke(s, "go-hello", { name: "Ada" });
  assert.equal(r.json().message, "Hello, Ada!");
});

test(
  "go1.19: a compile error fails the deploy with the build log and changes nothing",
  { skip },
  async () => {
    const before = (await (await s.api("/functions/go-toolkit")).json()) as { codeSha256: string };
    const bad = await deploy(s, {
      name: "go-toolkit",
      zipFile: rawZip([
        { name: "main.go", data: "package main\n\nfunc main() { undefinedThing() }\n" },
      ]).toString("base64"),
    });
    assert.equal(bad.status, 400);
    const err = bad.json.error as { code: string; message: string };
    assert.equal(err.code, "BuildFailed");
    assert.match(err.message, /undefined: undefinedThing/);
    const now = (await (await s.api("/functions/go-toolkit")).json()) as { codeSha256: string };
    assert.equal(now.codeSha256, before.codeSha256);
  },
);

test(
  "go1.19: a prebuilt bootstrap (no .go files) is deployed as it is, without a build",
  { skip },
  async () => {
    const built = (await (await s.api("/functions/go-toolkit")).json()) as { codeSha256: string };
    const dir = mkdtempSync(join(tmpdir(), "vajra-go-prebuilt-"));
    try {
      copyFileSync(join(s.dataDir, "code", built.codeSha256, "bootstrap"), join(dir, "bootstrap"));
      chmodSync(join(dir, "bootstrap"), 0o755);
      const d = s.cli(["deploy", "go-prebuilt", dir, "--runtime", "go1.19"]);
      assert.equal(d.status, 0, d.stderr);
      assert.doesNotMatch(d.stderr, /Building with/);
      const r = await invoke(s, "go-prebuilt", { action: "hello" });
      assert.equal(r.json().functionName, "go-prebuilt", r.text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "go1.19: the AWS SDK creates a function from Go sources; CodeSha256 is the uploaded zip's, a build error is InvalidParameterValueException",
  { skip },
  async () => {
    const lambda = lambdaClientFor(s);
    const zip = await zipDirectory(join(FIXTURES, "go/toolkit"));
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "go-sdk",
        Runtime: "go1.19" as Runtime,
        Handler: "bootstrap",
        Role: "arn:aws:iam::000000000000:role/lambda",
        Code: { ZipFile: zip },
      }),
    );
    assert.equal(created.CodeSha256, createHash("sha256").update(zip).digest("base64"));
    assert.equal(created.CodeSize, zip.length);
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: "go-sdk", Payload: Buffer.from('{"action":"hello"}') }),
    );
    assert.equal(
      (JSON.parse(Buffer.from(out.Payload ?? []).toString()) as { functionName: string }).functionName,
      "go-sdk",
    );
    await rejectsAws(
      lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: "go-sdk",
          ZipFile: rawZip([{ name: "main.go", data: "package main\nfunc main() { nope() }\n" }]),
        }),
      ),
      "InvalidParameterValueException",
      400,
      /undefined: nope/,
    );
  },
);
