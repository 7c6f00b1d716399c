// Helpers for test files that need something of the host: a runtime (a missing toolchain skips the
// file's tests locally, but fails under CI, whose machine has every toolchain .ci/run installs) or a
// bubblewrap sandbox (decided exactly as the server decides, so VAJRA_BWRAP=/nonexistent simulates a
// host without bubblewrap); and one build cache shared by the test servers of a run, so Go's standard
// library is compiled once.

import { readdirSync } from "node:fs";
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

/** Debian's packaged crates the Rust runtime builds against (lambda_runtime's dependencies). */
const RUST_CRATES: Record<string, string> = {
  "tokio-": "librust-tokio-dev",
  "tokio-macros-": "librust-tokio-macros-dev",
  "serde_json-": "librust-serde-json-dev",
  "serde_derive-": "librust-serde-derive-dev",
  "tracing-": "librust-tracing-dev",
};

/** Like skipUnlessRuntime, for Debian's crates in /usr/share/cargo/registry. */
export function skipUnlessRustCrates(): string | false {
  const have = safeReaddirNames("/usr/share/cargo/registry");
  const missing = Object.entries(RUST_CRATES)
    .filter(([prefix]) => !have.some((d) => d.startsWith(prefix) && /^\d/.test(d.slice(prefix.length))))
    .map(([, pkg]) => pkg);
  if (missing.length === 0) return false;
  const why = `Debian's Rust crates are missing: apt-get install ${missing.join(" ")}`;
  if (process.env.CI !== undefined) throw new Error(`CI must have them: ${why}`);
  return why;
}

function safeReaddirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
