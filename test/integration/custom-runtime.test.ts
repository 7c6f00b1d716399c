// Custom runtimes (provided.*): the package's own executable `bootstrap` speaks the Runtime API over TCP
// at AWS_LAMBDA_RUNTIME_API — here a sh + curl loop — through the in-sandbox forwarder.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";

let s: ServerHandle;
// Needs a bubblewrap sandbox: without one, one line says what to install (under CI, the file fails).
const skip = skipUnlessSandbox();

before(async () => {
  s = await startServer();
});
after(async () => {
  await stopAndClean(s);
});

test(
  "a sh + curl bootstrap runs as provided.al2023, answering and failing like a Lambda custom runtime",
  { skip },
  async () => {
    const d = await deploy(
      s,
      { name: "custom", runtime: "provided.al2023", handler: "function.handler" },
      "provided/echo",
    );
    assert.equal(d.status, 201, JSON.stringify(d.json));
    const r = await invoke(s, "custom", { hello: "sh" }, { "x-vajra-log-type": "Tail" });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-vajra-function-error"), null, r.text);
    const out = r.json() as { echo: unknown; requestId: string; user: string };
    assert.deepEqual(out.echo, { hello: "sh" });
    assert.equal(out.requestId, r.headers.get("x-vajra-request-id"));
    assert.notEqual(out.user, "0");
    const log = Buffer.from(r.headers.get("x-vajra-log-result") ?? "", "base64").toString();
    assert.match(log, /custom runtime started, handler function\.handler/);
    assert.match(log, /handling /);

    const failed = await invoke(s, "custom", { fail: true });
    assert.equal(failed.headers.get("x-vajra-function-error"), "Unhandled");
    assert.equal(failed.json().errorType, "Custom.Failure");
    assert.equal((await invoke(s, "custom", { again: 1 })).status, 200, "the same instance keeps serving");
    // The forwarder relays the Lambda endpoint too; unsigned, the call is refused.
    assert.deepEqual((await invoke(s, "custom", { endpoint: true })).json(), { endpointStatus: 403 });
  },
);

test("the CLI deploys a custom runtime with no handler (it defaults to 'bootstrap')", { skip }, () => {
  const d = s.cli([
    "deploy",
    "custom-cli",
    join(FIXTURES, "provided/echo"),
    "--runtime",
    "provided.al2023",
    "--json",
  ]);
  assert.equal(d.status, 0, d.stderr);
  assert.equal((JSON.parse(d.stdout) as { handler: string }).handler, "bootstrap");
  const r = s.cli(["invoke", "custom-cli", "--payload", '{"n":1}', "--json"]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual((JSON.parse(r.stdout) as { payload: { echo: unknown } }).payload.echo, { n: 1 });
});

test("a custom runtime package without a bootstrap is refused at deploy", async () => {
  const d = await deploy(s, { name: "no-bootstrap", runtime: "provided.al2", handler: "x.y" }, "nodejs/esm");
  assert.equal(d.status, 400);
  assert.match(JSON.stringify(d.json), /executable file named 'bootstrap'/);
});

test("a runtime AWS has deprecated still deploys and runs, with a warning", async () => {
  const d = await deploy(s, { name: "old-provided", runtime: "provided" }, "provided/echo");
  assert.equal(d.status, 201, JSON.stringify(d.json));
  assert.match(JSON.stringify(d.json.warnings), /runtime provided is deprecated by AWS; it still runs here/);
  assert.equal((await invoke(s, "old-provided", { a: 1 })).status, 200);
  const cli = s.cli(["deploy", "old-provided", join(FIXTURES, "provided/echo"), "--runtime", "provided"]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stderr, /warning: runtime provided is deprecated by AWS/);
});
