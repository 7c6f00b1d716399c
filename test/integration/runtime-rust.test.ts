// Rust (rust1.70 = any toolchain ≥ 1.70): a crate built with `cargo build --release --offline` against
// Vajra's std-only vajra_lambda crate, run as a bootstrap.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, ROOT, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { runtimeContract } from "./runtime-contract.js";
import { sharedBuildCache, skipUnlessRuntime } from "./runtime-support.js";

let s: ServerHandle;
const skip = skipUnlessRuntime("rust1.70");

before(async () => {
  if (skip === false) s = await startServer({ env: sharedBuildCache() });
});
after(async () => {
  if (skip === false) await stopAndClean(s);
});

runtimeContract(() => s, {
  name: "rust-toolkit",
  dir: join(FIXTURES, "rust/toolkit"),
  runtime: "rust1.70",
  builds: true,
  hello: { action: "hello" },
  fail: { action: "fail" },
  sleep: (ms) => ({ action: "sleep", ms }),
  errorType: "ToolkitError",
  errorMessage: /asked to fail/,
  logLine: /toolkit action hello/,
  skip,
});

test(
  "rust1.70: the example in examples/rust/hello deploys, greets, and survives a panic",
  { skip },
  async () => {
    const d = s.cli(["deploy", "rust-hello", join(ROOT, "examples/rust/hello")]);
    assert.equal(d.status, 0, d.stderr);
    const r = await invoke(s, "rust-hello", { name: "Ada" });
    assert.equal(r.json().message, "Hello, Ada!");
    const p = await invoke(s, "rust-hello", { panic: true });
    assert.equal(p.json().errorType, "Runtime.Panic");
    assert.equal((await invoke(s, "rust-hello", { name: "Bo" })).json().message, "Hello, Bo!");
  },
);

test(
  "rust1.70: a package with neither a Cargo.toml nor a bootstrap is refused, naming what it needs",
  { skip },
  () => {
    const d = s.cli(["deploy", "rust-empty", join(FIXTURES, "nodejs/esm"), "--runtime", "rust1.70"]);
    assert.notEqual(d.status, 0);
    assert.match(
      d.stderr,
      /a rust package needs sources to build \(a Cargo.toml crate\) or an executable file named 'bootstrap'/,
    );
  },
);
