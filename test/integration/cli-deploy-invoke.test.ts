// Deploy and invoke Python and Node.js functions through the real CLI against a real server.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";

let s: ServerHandle;
// Needs a bubblewrap sandbox: without one, one line says what to install (under CI, the file fails).
const skip = skipUnlessSandbox();

/** The function's response from `vajra invoke --json` (which also reports timing). */
function payloadOf(r: { stdout: string }): Record<string, unknown> {
  return (JSON.parse(r.stdout) as { payload: Record<string, unknown> }).payload;
}
before(async () => {
  s = await startServer();
});
after(async () => {
  await stopAndClean(s);
});

test("deploys and invokes a Python function with the CLI, reusing the warm instance", () => {
  const d = s.cli([
    "deploy",
    "pyfn",
    join(FIXTURES, "python/toolkit"),
    "--runtime",
    "python3.11",
    "--handler",
    "app.counter",
    "--memory",
    "256",
    "--timeout",
    "10",
    "--json",
  ]);
  assert.equal(d.status, 0, d.stderr);
  const cfg = JSON.parse(d.stdout) as Record<string, unknown>;
  assert.equal(cfg.runtime, "python3.11");
  assert.equal(cfg.memorySize, 256);

  const first = s.cli(["invoke", "pyfn", "--payload", '{"name":"world"}', "--json"]);
  assert.equal(first.status, 0, first.stderr);
  const out1 = payloadOf(first);
  assert.equal(out1.count, 1);
  assert.deepEqual(out1.event, { name: "world" });
  assert.equal(out1.functionName, "pyfn");
  assert.equal(String(out1.memory), "256");
  assert.match(String(out1.requestId), /^[0-9a-f-]{36}$/);
  assert.ok(Number(out1.remaining) > 8000 && Number(out1.remaining) <= 10000);
  // Only a sandbox runs the function as an unprivileged uid.
  if (skip === false) assert.notEqual(out1.uid, 0);

  // A module-level counter increases on the second call: the same warm instance served it.
  const second = s.cli(["invoke", "pyfn", "--payload", "{}", "--json"]);
  assert.equal(payloadOf(second).count, 2);
});

test("invoke --log prints the invocation's log with START, output, END and REPORT", () => {
  const r = s.cli(["invoke", "pyfn", "--payload", "{}", "--log"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /START RequestId: [0-9a-f-]+ Version: \$LATEST/);
  assert.match(r.stderr, /invocation \d+/);
  assert.match(r.stderr, /END RequestId:/);
  assert.match(
    r.stderr,
    /REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB/,
  );
});

test("the Lambda environment holds exactly the Lambda variables plus the user's", { skip }, () => {
  s.cli([
    "deploy",
    "envfn",
    join(FIXTURES, "python/toolkit"),
    "--runtime",
    "python3.11",
    "--handler",
    "app.counter",
    "--env",
    "GREETING=hi",
  ]);
  const r = s.cli(["invoke", "envfn", "--json"]);
  const env = (payloadOf(r) as { env: Record<string, string> }).env;
  assert.equal(env.GREETING, "hi");
  assert.equal(env._HANDLER, "app.counter");
  assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, "envfn");
  assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, "$LATEST");
  assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "128");
  assert.equal(env.AWS_EXECUTION_ENV, "AWS_Lambda_python3.11");
  assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, "/aws/lambda/envfn");
  assert.match(env.AWS_LAMBDA_LOG_STREAM_NAME ?? "", /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.equal(env.LAMBDA_TASK_ROOT, "/var/task");
  assert.equal(env.TZ, ":UTC");
  assert.ok(env.AWS_LAMBDA_RUNTIME_API);
  for (const k of Object.keys(env)) {
    assert.doesNotMatch(
      k,
      /^(VAJRA_|HOME$|USER$|NODE_OPTIONS$)/,
      `server variable ${k} leaked into the function`,
    );
  }
});

test("deploys and invokes Node.js CommonJS, ESM and callback handlers", () => {
  for (const [name, dir] of [
    ["nodecjs", "cjs"],
    ["nodeesm", "esm"],
    ["nodecb", "callback"],
  ] as const) {
    const d = s.cli([
      "deploy",
      name,
      join(FIXTURES, "nodejs", dir),
      "--runtime",
      "nodejs20.x",
      "--handler",
      "index.handler",
    ]);
    assert.equal(d.status, 0, d.stderr);
  }
  const cjs = payloadOf(s.cli(["invoke", "nodecjs", "--payload", '{"x":1}', "--json"]));
  assert.equal(cjs.count, 1);
  assert.deepEqual(cjs.event, { x: 1 });
  assert.equal(cjs.functionName, "nodecjs");
  assert.equal(String(cjs.memory), "128");
  assert.ok(Number(cjs.remaining) > 0);
  assert.equal(payloadOf(s.cli(["invoke", "nodecjs", "--json"])).count, 2);
  assert.deepEqual(payloadOf(s.cli(["invoke", "nodeesm", "--payload", '{"a":2}', "--json"])), {
    esm: true,
    echo: { a: 2 },
  });
  assert.deepEqual(payloadOf(s.cli(["invoke", "nodecb", "--payload", '{"name":"cb"}', "--json"])), {
    callback: true,
    name: "cb",
  });
});

test("a Python handler error returns Lambda's error body and a non-zero CLI exit", () => {
  s.cli([
    "deploy",
    "pyfail",
    join(FIXTURES, "python/toolkit"),
    "--runtime",
    "python3.11",
    "--handler",
    "app.fail",
  ]);
  const r = s.cli(["invoke", "pyfail", "--payload", '{"why":"testing"}', "--json"]);
  assert.notEqual(r.status, 0);
  const body = payloadOf(r);
  assert.equal(body.errorType, "ValueError");
  assert.equal(body.errorMessage, "boom: testing");
  assert.match(String(body.requestId), /^[0-9a-f-]{36}$/);
  assert.ok(Array.isArray(body.stackTrace) && body.stackTrace.length > 0);
});

test("a Node.js handler error returns errorType, errorMessage and trace", () => {
  s.cli([
    "deploy",
    "nodefail",
    join(FIXTURES, "nodejs/cjs"),
    "--runtime",
    "nodejs20.x",
    "--handler",
    "index.fail",
  ]);
  const r = s.cli(["invoke", "nodefail", "--json"]);
  assert.notEqual(r.status, 0);
  const body = payloadOf(r);
  assert.equal(body.errorType, "TypeError");
  assert.equal(body.errorMessage, "node boom");
  assert.ok(Array.isArray(body.trace));
});

test("list, info, logs and delete work end to end", () => {
  const list = JSON.parse(s.cli(["list", "--json"]).stdout) as
    Array<{ name: string }> | { functions: Array<{ name: string }> };
  const names = (Array.isArray(list) ? list : list.functions).map((f) => f.name);
  assert.ok(names.includes("pyfn"));
  const info = JSON.parse(s.cli(["info", "pyfn", "--json"]).stdout) as Record<string, unknown>;
  assert.equal(info.handler, "app.counter");
  const logs = s.cli(["logs", "pyfn", "--limit", "2"]);
  assert.equal(logs.status, 0, logs.stderr);
  assert.match(logs.stdout, /REPORT RequestId:/);
  const refuse = s.cli(["delete", "pyfn"]);
  assert.notEqual(refuse.status, 0, "delete without --yes and without a TTY must refuse");
  assert.equal(s.cli(["delete", "pyfn", "--yes"]).status, 0);
  const gone = s.cli(["info", "pyfn", "--json"]);
  assert.notEqual(gone.status, 0);
  assert.match(gone.stderr, /not found/i);
});

test("invoke --test runs a cold then warm invocations and prints the profile", () => {
  const r = s.cli(["invoke", "nodecjs", "--test", "--runs", "3", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    runs: Array<Record<string, unknown>>;
    summary: Record<string, unknown>;
  };
  assert.equal(out.runs.length, 4);
  assert.ok(out.summary);
});
