// Runs the console's vitest suite (console/src/**/*.test.ts[x]) from the node:test run, bounded in time.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { ROOT } from "./integration/harness.js";

test("the console's unit tests pass (vitest)", () => {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--config", "console/vite.config.ts"],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 180_000,
      killSignal: "SIGKILL",
      env: { ...process.env, NO_COLOR: "1", CI: "true" },
    },
  );
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.error, undefined, `vitest did not finish: ${String(r.error)}\n${out}`);
  assert.equal(r.status, 0, `vitest failed:\n${out}`);
  assert.match(out, /Tests\s+\d+ passed/);
});
