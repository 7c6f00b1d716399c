// The leftover check of `npm test` (test/support/test-run.ts) finds a live process of its own run by
// either mark, and never one of another run on the same machine.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUN_ID, processesOfRun } from "./support/test-run.js";

function sleeper(opts: { env?: Record<string, string>; cwd?: string }): ChildProcess {
  const env = { ...process.env };
  delete env.VAJRA_TEST_RUN;
  return spawn("sleep", ["60"], { stdio: "ignore", env: { ...env, ...opts.env }, cwd: opts.cwd });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGKILL");
  await exited;
}

test("this file's run id names the test runner, and this process is never its own leftover", () => {
  assert.match(RUN_ID, /^[A-Za-z0-9]+$/);
  assert.equal(process.env.VAJRA_TEST_RUN, RUN_ID);
  assert.ok(!processesOfRun().some((p) => p.pid === process.pid));
});

test("a process carrying a run's mark in its environment or working directory belongs to that run only", async () => {
  const run = `leftovertest${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), `vajra-it-${run}-`));
  const byEnv = sleeper({ env: { VAJRA_TEST_RUN: run } });
  const byCwd = sleeper({ cwd: dir });
  const other = sleeper({ env: { VAJRA_TEST_RUN: `${run}other` } });
  try {
    const found = processesOfRun(run);
    assert.deepEqual(found.map((p) => p.pid).sort(), [byEnv.pid, byCwd.pid].sort());
    assert.match(found.find((p) => p.pid === byEnv.pid)?.mark ?? "", /VAJRA_TEST_RUN/);
    assert.match(found.find((p) => p.pid === byCwd.pid)?.mark ?? "", /working directory/);
    assert.ok(found.every((p) => p.command.startsWith("sleep 60")));
    assert.deepEqual(
      processesOfRun(`${run}other`).map((p) => p.pid),
      [other.pid],
    );
  } finally {
    await Promise.all([stop(byEnv), stop(byCwd), stop(other)]);
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(processesOfRun(run), []);
});
