// The run's last test file (its name sorts last in `npm test`): every process the run started — servers,
// sandboxes, runtimes, builds, CLIs — must be gone once the other files have finished. A leftover fails
// the run, named with its command line, and is then killed so it cannot disturb the next run.
// Processes of other runs on the same machine carry another run id and are ignored (test/support/test-run.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { RUN_ID, processesOfRun, type RunProcess } from "./support/test-run.js";

/** Leftovers still alive after a grace period (a server stopped by an exiting file may need a moment). */
async function leftovers(graceMs: number): Promise<RunProcess[]> {
  const deadline = Date.now() + graceMs;
  let found = processesOfRun();
  while (found.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    found = processesOfRun();
  }
  return found;
}

test("no process started by this test run is still alive when it ends", async () => {
  const found = await leftovers(15_000);
  for (const p of found) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  assert.deepEqual(
    found.map((p) => `pid ${p.pid}: ${p.command.slice(0, 200)} (${p.mark})`),
    [],
    `processes of test run ${RUN_ID} outlived their test files (now killed)`,
  );
});
