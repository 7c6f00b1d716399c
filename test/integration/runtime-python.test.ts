// Python 3.8 to 3.13: every version this host has passes the runtime contract; python3.12 is the one
// the CLI picks by itself, the others are named with --runtime.

import { after, before } from "node:test";
import { join } from "node:path";
import { RUNTIMES } from "../../src/core/runtimes.js";
import { FIXTURES, startServer, stopAndClean, type ServerHandle } from "./harness.js";
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
