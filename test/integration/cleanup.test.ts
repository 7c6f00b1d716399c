// A test file that is killed by its timeout while its server runs leaves no process behind: the
// harness stops its servers when the file exits, and a server whose test process dies gets SIGTERM
// from the kernel (setpriv --pdeathsig) and stops its instances.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processesOfRun } from "../support/test-run.js";
import { ROOT, waitFor } from "./harness.js";

test("a test file killed by its timeout with a server and a warm instance leaves no process", async () => {
  const run = `hang${process.pid}`;
  // Without NODE_TEST_CONTEXT the child is a runner of its own, not a file of this run's runner.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      "--test-timeout=30000",
      join(ROOT, "test/fixtures/harness/hanging-server.ts"),
    ],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...env, VAJRA_TEST_RUN: run },
      timeout: 120_000,
      killSignal: "SIGKILL",
    },
  );
  const out = r.stdout + r.stderr;
  assert.match(out, /server \d+ is up/, out);
  assert.match(out, /timed out after 30000ms/, out);
  const gone = await waitFor(() => processesOfRun(run).length === 0, 20_000);
  const left = processesOfRun(run);
  for (const p of left) process.kill(p.pid, "SIGKILL");
  // The killed file could not remove its server's data directory: this test does.
  for (const d of readdirSync(tmpdir()).filter((n) => n.startsWith(`vajra-it-${run}-`)))
    rmSync(join(tmpdir(), d), { recursive: true, force: true });
  assert.ok(gone, `left behind: ${left.map((p) => `${p.pid} ${p.command}`).join("; ")}`);
});
