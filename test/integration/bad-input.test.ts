// Bad input gets a clear error naming the problem and changes nothing: the function keeps its code
// and configuration, and no new function appears.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { rawZip } from "../support/raw-zip.js";
import {
  deploy,
  invoke,
  startServer,
  stopAndClean,
  zipBase64,
  FIXTURES,
  type ServerHandle,
} from "./harness.js";
import { join } from "node:path";

let s: ServerHandle;
let original: Record<string, unknown>;
let goodZip: string;
before(async () => {
  s = await startServer();
  goodZip = await zipBase64(join(FIXTURES, "python/toolkit"));
  const d = await deploy(
    s,
    { name: "stable", runtime: "python3.11", handler: "app.counter" },
    "python/toolkit",
  );
  original = d.json;
});
after(async () => {
  await stopAndClean(s);
});

async function expectRejected(
  body: Record<string, unknown>,
  status: number,
  code: string,
  message: RegExp,
): Promise<void> {
  const r = await s.api("/functions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await r.json()) as { error: { code: string; message: string } };
  assert.equal(r.status, status, JSON.stringify(json));
  assert.equal(json.error.code, code);
  assert.match(json.error.message, message);
}

async function assertUnchanged(): Promise<void> {
  const now = (await (await s.api("/functions/stable")).json()) as Record<string, unknown>;
  assert.equal(now.revisionId, original.revisionId);
  assert.equal(now.codeSha256, original.codeSha256);
  assert.equal(now.memorySize, original.memorySize);
  const names = (
    (await (await s.api("/functions")).json()) as { functions: Array<{ name: string }> }
  ).functions.map((f) => f.name);
  assert.deepEqual(names, ["stable"]);
  assert.equal((await invoke(s, "stable")).status, 200);
}

const base = (extra: Record<string, unknown> = {}) => ({
  name: "stable",
  runtime: "python3.11",
  handler: "app.counter",
  zipFile: goodZip,
  ...extra,
});

test("invalid function name", async () => {
  await expectRejected(
    base({ name: "bad name!" }),
    400,
    "InvalidParameter",
    /invalid function name 'bad name!'/,
  );
  await expectRejected(base({ name: "x".repeat(65) }), 400, "InvalidParameter", /invalid function name/);
  await assertUnchanged();
});

test("unknown runtime", async () => {
  await expectRejected(
    base({ runtime: "cobol85" }),
    400,
    "UnknownRuntime",
    /unknown runtime 'cobol85'; supported runtimes: .*python3\.11/,
  );
  await assertUnchanged();
});

test("memory and timeout out of range", async () => {
  await expectRejected(
    base({ memorySize: 64 }),
    400,
    "InvalidParameter",
    /memorySize must be an integer from 128 to 32768 MB; got 64/,
  );
  await expectRejected(base({ memorySize: 40000 }), 400, "InvalidParameter", /memorySize/);
  await expectRejected(
    base({ timeout: 0 }),
    400,
    "InvalidParameter",
    /timeout must be an integer from 1 to 3600/,
  );
  await assertUnchanged();
});

test("handler module missing from the package", async () => {
  await expectRejected(
    base({ handler: "nomodule.handler" }),
    400,
    "HandlerNotFound",
    /module 'nomodule' is not in the code package/,
  );
  await assertUnchanged();
});

test("handler function missing from the module fails at invoke with Runtime.HandlerNotFound", async () => {
  const d = await deploy(
    s,
    { name: "nofn", runtime: "python3.11", handler: "app.does_not_exist" },
    "python/toolkit",
  );
  assert.equal(d.status, 201);
  const r = await invoke(s, "nofn");
  assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled");
  assert.equal(r.json().errorType, "Runtime.HandlerNotFound");
  assert.match(String(r.json().errorMessage), /does_not_exist/);
  await s.api("/functions/nofn", { method: "DELETE" });
});

test("corrupt zip", async () => {
  await expectRejected(
    base({ zipFile: Buffer.from("this is not a zip file at all").toString("base64") }),
    400,
    "InvalidCodePackage",
    /not a valid zip/,
  );
  await assertUnchanged();
});

test("zip-slip entry", async () => {
  const evil = rawZip([
    { name: "app.py", data: "def counter(e, c):\n  return 1\n" },
    { name: "../../evil.py", data: "x" },
  ]);
  await expectRejected(
    base({ zipFile: evil.toString("base64") }),
    400,
    "InvalidCodePackage",
    /'\.\.\/\.\.\/evil\.py' escapes the package/,
  );
  await assertUnchanged();
});

test("payload over 6 MB", async () => {
  const big = Buffer.alloc(6 * 1024 * 1024 + 10, 0x61);
  const r = await s.api("/functions/stable/invoke", { method: "POST", body: big });
  assert.equal(r.status, 413);
  const json = (await r.json()) as { error: { code: string; message: string } };
  assert.equal(json.error.code, "PayloadTooLarge");
  assert.match(json.error.message, /6291456-byte limit/);
  await assertUnchanged();
});

test("unknown function and unauthenticated requests", async () => {
  const r = await s.api("/functions/ghost/invoke", { method: "POST", body: "{}" });
  assert.equal(r.status, 404);
  assert.match(
    ((await r.json()) as { error: { message: string } }).error.message,
    /Function not found: arn:aws:lambda:.*:function:ghost/,
  );
  const anon = await fetch(`${s.url}/functions`);
  assert.equal(anon.status, 401);
  const wrong = await fetch(`${s.url}/functions`, { headers: { authorization: "Bearer nope" } });
  assert.equal(wrong.status, 401);
});

test("the CLI reports a bad deploy clearly and exits non-zero", () => {
  const r = s.cli([
    "deploy",
    "stable",
    join(FIXTURES, "python/toolkit"),
    "--runtime",
    "python3.11",
    "--handler",
    "app.counter",
    "--memory",
    "64",
  ]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /memorySize must be an integer from 128 to 32768/);
});
