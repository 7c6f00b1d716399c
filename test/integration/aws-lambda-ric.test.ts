// The official AWS Lambda Node.js runtime interface client (npm aws-lambda-ric, with its native part
// built by node-gyp) runs a handler unchanged inside a Vajra sandbox as a provided.al2023 custom
// runtime: it dials AWS_LAMBDA_RUNTIME_API over TCP, which the in-sandbox forwarder serves.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, fileDeadline, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";

let s: ServerHandle | undefined;
const dir = join(mkdtempSync(join(tmpdir(), "vajra-ric-")), "ric");
// The client reaches the Runtime API through the in-sandbox forwarder, so it needs a bubblewrap sandbox:
// without one, one line says what to install (under CI, the file fails) and nothing is built.
let skip: string | false = skipUnlessSandbox();
// Building the client takes about a minute on two cores; the install may take 8, the file 10 in all.
const INSTALL_MS = 480_000;
fileDeadline(600_000);

before(
  async () => {
    if (skip !== false) return;
    cpSync(join(FIXTURES, "provided/ric"), dir, { recursive: true });
    // Builds curl and aws-lambda-cpp from the package's sources: about a minute on two cores.
    const npm = spawnSync("npm", ["install", "--foreground-scripts", "--no-audit", "--no-fund"], {
      cwd: dir,
      encoding: "utf8",
      timeout: INSTALL_MS,
    });
    if (npm.status !== 0) {
      const why = `aws-lambda-ric did not install: ${npm.stderr.slice(-2000)}`;
      if (process.env.CI !== undefined) throw new Error(why);
      skip = why;
      return;
    }
    s = await startServer();
  },
  { timeout: INSTALL_MS + 60_000 },
);
after(async () => {
  if (s !== undefined) await stopAndClean(s);
  rmSync(join(dir, ".."), { recursive: true, force: true });
});

test("aws-lambda-ric serves a handler unchanged: result, context, log line and error", async (t) => {
  if (skip !== false || s === undefined) return t.skip(skip === false ? "the server did not start" : skip);
  const d = s.cli([
    "deploy",
    "ric",
    dir,
    "--runtime",
    "provided.al2023",
    "--handler",
    "index.handler",
    "--timeout",
    "10",
  ]);
  assert.equal(d.status, 0, d.stderr);
  const r = await invoke(s, "ric", { hello: "ric" }, { "x-vajra-log-type": "Tail" });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("x-vajra-function-error"), null, r.text);
  const out = r.json() as { event: unknown; functionName: string; awsRequestId: string; remainingMs: number };
  assert.deepEqual(out.event, { hello: "ric" });
  assert.equal(out.functionName, "ric");
  assert.equal(out.awsRequestId, r.headers.get("x-vajra-request-id"));
  assert.ok(out.remainingMs > 0 && out.remainingMs <= 10_000);
  const log = Buffer.from(r.headers.get("x-vajra-log-result") ?? "", "base64").toString();
  assert.match(log, /INFO\tric handler called for ric/);

  const failed = await invoke(s, "ric", { fail: "no thanks" });
  assert.equal(failed.headers.get("x-vajra-function-error"), "Unhandled");
  assert.equal(failed.json().errorType, "RangeError");
  assert.equal(failed.json().errorMessage, "no thanks");
});
