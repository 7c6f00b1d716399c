// Rust (rust1.70 = any toolchain ≥ 1.70): crates built with `cargo build --release --offline` against
// Vajra's lambda_runtime (AWS's API) and Debian's packaged crates, run as a bootstrap; vajra_lambda
// functions keep working; a crate that is not available offline fails the build by name.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, ROOT, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { runtimeContract } from "./runtime-contract.js";
import { sharedBuildCache, skipUnlessRuntime, skipUnlessRustCrates } from "./runtime-support.js";

let s: ServerHandle;
const skip = skipUnlessRuntime("rust1.70") || skipUnlessRustCrates();

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
  endpoint: { action: "endpoint" },
  skip,
});

test(
  "rust1.70: a function written as AWS's documentation shows it deploys from source and answers with its typed response and context",
  { skip },
  async () => {
    const d = s.cli(["deploy", "rust-aws-docs", join(FIXTURES, "rust/aws-docs")]);
    assert.equal(d.status, 0, d.stderr);
    const r = await invoke(s, "rust-aws-docs", { command: "deploy" }, { "x-vajra-log-type": "Tail" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("x-vajra-function-error"), null, r.text);
    const out = r.json();
    assert.equal(out.msg, "Command deploy.");
    assert.equal(out.req_id, r.headers.get("x-vajra-request-id"));
    assert.equal(out.function_name, "rust-aws-docs");
    assert.equal(out.memory, 128);
    assert.match(String(out.arn), /^arn:aws:lambda:[^:]+:\d+:function:rust-aws-docs$/);
    assert.ok(Number(out.deadline) > Date.now(), `deadline ${String(out.deadline)} is in the future`);
    const log = Buffer.from(r.headers.get("x-vajra-log-result") ?? "", "base64").toString();
    assert.match(log, /INFO handling a command command="deploy"/, "tracing goes to the log");
  },
);

test(
  "rust1.70: an error return and an event that does not fit the payload type give Lambda's error bodies",
  { skip },
  async () => {
    const r = await invoke(s, "rust-aws-docs", { command: "fail" });
    assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled");
    // As AWS's crate reports a boxed error: the type name of the box.
    assert.deepEqual(Object.keys(r.json()), ["errorType", "errorMessage"]);
    assert.match(
      String(r.json().errorType),
      /^&alloc::boxed::Box<dyn (core|std)::error::Error \+ core::marker::Send \+ core::marker::Sync>$/,
    );
    assert.equal(r.json().errorMessage, "cannot run fail");
    const bad = await invoke(s, "rust-aws-docs", { order: 66 });
    assert.equal(bad.headers.get("x-vajra-function-error"), "Unhandled");
    assert.equal(bad.json().errorType, "&lambda_runtime::deserializer::DeserializeError");
    assert.match(String(bad.json().errorMessage), /missing field `command`/);
  },
);

test(
  "rust1.70: the example in examples/rust/hello deploys, greets, and survives a panic",
  { skip },
  async () => {
    const d = s.cli(["deploy", "rust-hello", join(ROOT, "examples/rust/hello")]);
    assert.equal(d.status, 0, d.stderr);
    const r = await invoke(s, "rust-hello", { name: "Ada" });
    assert.equal(r.json().message, "Hello, Ada!");
    const p = await invoke(s, "rust-hello", { name: "Ada", panic: true });
    assert.equal(p.headers.get("x-vajra-function-error"), "Unhandled");
    assert.match(String(p.json().errorType), /^&alloc::boxed::Box<dyn core::any::Any/);
    assert.equal(p.json().errorMessage, "Lambda panicked: asked to panic while greeting Ada");
    const again = await invoke(s, "rust-hello", { name: "Bo" });
    assert.equal(again.json().message, "Hello, Bo!");
    assert.equal(again.json().pid, r.json().pid, "the same instance goes on serving");
  },
);

test("rust1.70: a function written for vajra_lambda still builds and runs", { skip }, async () => {
  const d = s.cli(["deploy", "rust-vajra-lambda", join(FIXTURES, "rust/vajra-lambda")]);
  assert.equal(d.status, 0, d.stderr);
  const r = await invoke(s, "rust-vajra-lambda", { name: "Ada" });
  assert.equal(r.json().message, "Hello, Ada!");
  assert.equal(r.json().function, "rust-vajra-lambda");
  const f = await invoke(s, "rust-vajra-lambda", { name: "Ada", fail: true });
  assert.deepEqual(f.json(), { errorType: "GreetingError", errorMessage: "refusing to greet Ada" });
  const p = await invoke(s, "rust-vajra-lambda", { panic: true });
  assert.equal(p.json().errorType, "Runtime.Panic");
  assert.equal((await invoke(s, "rust-vajra-lambda", { name: "Bo" })).json().message, "Hello, Bo!");
});

test(
  "rust1.70: a Cargo.toml asking for a crate that is not available offline fails the build, naming it and what is supported",
  { skip },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), "vajra-rust-reqwest-"));
    try {
      await cp(join(FIXTURES, "rust/aws-docs"), dir, { recursive: true });
      const manifest = await readFile(join(dir, "Cargo.toml"), "utf8");
      await writeFile(
        join(dir, "Cargo.toml"),
        `${manifest}reqwest = { version = "0.12", features = ["json"] }\n`,
      );
      const d = s.cli(["deploy", "rust-reqwest", dir]);
      assert.notEqual(d.status, 0);
      assert.match(d.stderr, /BuildFailed/);
      assert.match(d.stderr, /the crate `reqwest` is not available offline/);
      assert.match(d.stderr, /Supported: lambda_runtime/);
      assert.match(d.stderr, /serde_json \d+\.\d+\.\d+, .*tokio \d+\.\d+\.\d+/);
      const g = s.cli(["info", "rust-reqwest"]);
      assert.notEqual(g.status, 0, "nothing was created");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
