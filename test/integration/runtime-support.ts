// Helpers for test files that need something of the host: a runtime (a missing toolchain skips the
// file's tests locally, but fails under CI, whose machine has every toolchain .ci/run installs) or a
// bubblewrap sandbox (decided exactly as the server decides, so VAJRA_BWRAP=/nonexistent simulates a
// host without bubblewrap); and one build cache shared by the test servers of a run, so Go's standard
// library is compiled once.

import { tmpdir } from "node:os";
import { join } from "node:path";
import { sandboxMissing } from "../../src/executor/host-check.js";
import { discoverRuntimes } from "../../src/executor/runtime-discovery.js";

const found = await discoverRuntimes();

/** CI=true (any value but "" and "false"): what a test needs must be there, so it fails instead of skipping. */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI !== undefined && env.CI !== "" && env.CI !== "false";
}

/** False when the runtime is available; otherwise the reason to skip (or, under CI, an error). */
export function skipUnlessRuntime(id: string): string | false {
  const r = found.get(id);
  if (r?.available === true) return false;
  const why = `${id} is not available here: ${r?.reason ?? "unknown runtime"}`;
  if (underCi()) throw new Error(`CI must have ${id}: ${why}`);
  return why;
}

/**
 * False when functions run in a bubblewrap sandbox here; otherwise the one line to skip with, naming
 * what to install. Under CI a missing sandbox is an error at once: the file fails fast, it never waits
 * for what an unisolated function cannot do.
 */
export function skipUnlessSandbox(env: NodeJS.ProcessEnv = process.env): string | false {
  const missing = sandboxMissing(env);
  if (missing === undefined) return false;
  const why = `needs a sandbox: ${missing}`;
  if (underCi(env)) throw new Error(`CI must have a sandbox; this test ${why}`);
  return why;
}

export function sharedBuildCache(): Record<string, string> {
  return { VAJRA_BUILD_CACHE_DIR: join(tmpdir(), "vajra-test-build-cache") };
}
