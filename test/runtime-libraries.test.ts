// The runtime libraries functions link — Vajra's Go modules (runtimes/go/lambda and the bundled
// github.com/aws/aws-lambda-go) and Rust crates (runtimes/rust/lambda_runtime, runtimes/rust/vajra_lambda)
// — pass their own unit tests, with the toolchains discovery finds (the Rust crates against Debian's
// packaged crates, offline).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./integration/harness.js";
import { discoverRuntimes } from "../src/executor/runtime-discovery.js";
import { skipUnlessRuntime, skipUnlessRustCrates } from "./integration/runtime-support.js";

const runtimes = await discoverRuntimes();
// Caches of their own: the build sandbox's caches belong to its unprivileged uid.
const cache = join(tmpdir(), "vajra-test-library-cache");

for (const dir of ["lambda", "aws-lambda-go"])
  test(`runtimes/go/${dir}: go test`, { skip: skipUnlessRuntime("go1.19") }, () => {
    const go = join(runtimes.get("go1.19")?.toolchain?.home ?? "", "bin", "go");
    const r = spawnSync(go, ["test", "./..."], {
      cwd: join(ROOT, "runtimes/go", dir),
      encoding: "utf8",
      env: {
        PATH: "/usr/bin:/bin",
        HOME: tmpdir(),
        GOCACHE: join(cache, "go-build"),
        GOPATH: join(cache, "go-path"),
        GOPROXY: "off",
        GOFLAGS: "-mod=mod",
        CGO_ENABLED: "0",
      },
      timeout: 300_000,
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

for (const crate of ["lambda_runtime", "vajra_lambda"]) {
  test(
    `${crate}: cargo test --offline against Debian's crates`,
    { skip: skipUnlessRuntime("rust1.70") || skipUnlessRustCrates() },
    () => {
      const home = runtimes.get("rust1.70")?.toolchain?.home ?? "";
      const r = spawnSync(
        join(home, "bin", "cargo"),
        [
          "test",
          "--offline",
          "--quiet",
          // What the build recipe writes into cargo's home: crates.io is Debian's crate folder.
          "--config",
          'source.crates-io.replace-with="debian"',
          "--config",
          'source.debian.directory="/usr/share/cargo/registry"',
        ],
        {
          cwd: join(ROOT, "runtimes/rust", crate),
          encoding: "utf8",
          env: {
            PATH: `${join(home, "bin")}:/usr/bin:/bin`,
            HOME: tmpdir(),
            RUSTC: join(home, "bin", "rustc"),
            CARGO_HOME: join(cache, "cargo-home"),
            CARGO_TARGET_DIR: join(cache, "cargo-target"),
          },
          timeout: 300_000,
        },
      );
      assert.equal(r.status, 0, r.stdout + r.stderr);
    },
  );
}
