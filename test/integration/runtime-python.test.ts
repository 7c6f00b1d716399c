// Python 3.8 to 3.13: every version this host has passes the runtime contract; python3.12 is the one
// the CLI picks by itself, the others are named with --runtime.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { RUNTIMES } from "../../src/core/runtimes.js";
import { FIXTURES, deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { runtimeContract } from "./runtime-contract.js";
import { skipUnlessRuntime } from "./runtime-support.js";

let s: ServerHandle;
before(async () => {
  s = await startServer();
});
after(async () => {
  await stopAndClean(s);
});

for (const spec of RUNTIMES.filter((r) => r.family === "python")) {
  const detected = spec.id === "python3.12";
  runtimeContract(() => s, {
    name: `py-${spec.id.replace(".", "")}`,
    dir: join(FIXTURES, "python/actions"),
    runtime: spec.id,
    ...(detected ? {} : { deployArgs: ["--runtime", spec.id] }),
    builds: false,
    hello: { action: "hello" },
    fail: { action: "fail" },
    sleep: (ms) => ({ action: "sleep", ms }),
    errorType: "ValueError",
    errorMessage: /asked to fail/,
    logLine: /toolkit action hello/,
    skip: skipUnlessRuntime(spec.id),
  });
}

test(
  "an exception class named with non-ASCII letters is reported with its name, and the instance lives on",
  { skip: skipUnlessRuntime("python3.12") },
  async () => {
    const d = await deploy(
      s,
      { name: "py-unicode", runtime: "python3.12", handler: "app.unicode_fail" },
      "python/toolkit",
    );
    assert.equal(d.status, 201, JSON.stringify(d.json));
    for (let i = 0; i < 2; i++) {
      const r = await invoke(s, "py-unicode", {});
      assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled", r.text);
      assert.equal(r.json().errorType, "ÜberFehler");
      assert.equal(r.json().errorMessage, "gescheitert: ünïcödé ✓");
      if (i === 1) assert.equal(r.headers.get("x-vajra-init-duration-ms"), null, "the second call is warm");
    }
    const logs = (await (await s.api("/functions/py-unicode/logs")).json()) as {
      invocations: Array<{ errorType?: string }>;
    };
    assert.deepEqual(
      logs.invocations.map((r) => r.errorType),
      ["ÜberFehler", "ÜberFehler"],
    );
  },
);
