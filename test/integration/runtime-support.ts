// Helpers for the per-runtime test files: whether this host has a runtime (a missing toolchain skips
// the file's tests locally, but fails under CI, whose machine has every toolchain .ci/run installs),
// and one build cache shared by the test servers of a run, so Go's standard library is compiled once.

import { tmpdir } from "node:os";
import { join } from "node:path";
import { discoverRuntimes } from "../../src/executor/runtime-discovery.js";

const found = await discoverRuntimes();

/** False when the runtime is available; otherwise the reason to skip (or, under CI, an error). */
export function skipUnlessRuntime(id: string): string | false {
  const r = found.get(id);
  if (r?.available === true) return false;
  const why = `${id} is not available here: ${r?.reason ?? "unknown runtime"}`;
  if (process.env.CI !== undefined) throw new Error(`CI must have ${id}: ${why}`);
  return why;
}

export function sharedBuildCache(): Record<string, string> {
  return { VAJRA_BUILD_CACHE_DIR: join(tmpdir(), "vajra-test-build-cache") };
}
