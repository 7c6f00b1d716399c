// Helpers for the per-runtime test files: whether this host has a runtime (a missing toolchain skips
// the file's tests locally, but fails under CI, whose machine has every toolchain .ci/run installs),
// and one build cache shared by the test servers of a run, so Go's standard library is compiled once.

import { readdirSync } from "node:fs";
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
