// Java (java17 here; java11/java21 when their JDKs are installed): sources compiled with the matching
// javac against Vajra's API interfaces, or a jar deployed as it is, run by Vajra's shim.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, ROOT, deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { rawZip } from "../support/raw-zip.js";
import { runtimeContract } from "./runtime-contract.js";
import { sharedBuildCache, skipUnlessRuntime } from "./runtime-support.js";
import { discoverRuntimes } from "../../src/executor/runtime-discovery.js";

let s: ServerHandle;
const skip = skipUnlessRuntime("java17");
const work = mkdtempSync(join(tmpdir(), "vajra-java-test-"));

before(async () => {
  if (skip === false) s = await startServer({ env: sharedBuildCache() });
});
after(async () => {
  if (skip === false) await stopAndClean(s);
  rmSync(work, { recursive: true, force: true });
});

runtimeContract(() => s, {
  name: "java-toolkit",
  dir: join(FIXTURES, "java/toolkit"),
  runtime: "java17",
  builds: true,
  hello: { action: "hello" },
  fail: { action: "fail" },
  sleep: (ms) => ({ action: "sleep", ms }),
  errorType: "java.lang.IllegalStateException",
  errorMessage: /asked to fail/,
  logLine: /toolkit action hello/,
  endpoint: { action: "endpoint" },
  skip,
});

test(
  "java17: the examples deploy: a Map handler, and a RequestStreamHandler named by its class",
  { skip },
  async () => {
    const d = s.cli(["deploy", "java-hello", join(ROOT, "examples/java/hello")]);
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stderr, /handler example\.Hello::handleRequest/);
    assert.equal((await invoke(s, "java-hello", { name: "Ada" })).json().greeting, "Hello, Ada!");

    const st = s.cli([
      "deploy",
      "java-upper",
      join(ROOT, "examples/java/stream"),
      "--handler",
      "example.Upper",
    ]);
    assert.equal(st.status, 0, st.stderr);
    const r = await invoke(s, "java-upper", "hello");
    assert.equal(r.text, '"HELLO"');
  },
);

test(
  "java17: a jar that bundles its own com.amazonaws...runtime interfaces runs as uploaded, without a build",
  { skip },
  async () => {
    const jdk = (await discoverRuntimes()).get("java17")?.toolchain?.home as string;
    const classes = join(work, "classes");
    const sources = [
      join(FIXTURES, "java/toolkit/src/main/java/toolkit/Toolkit.java"),
      ...spawnSync("find", [join(ROOT, "runtimes/java/api"), "-name", "*.java"], { encoding: "utf8" })
        .stdout.trim()
        .split("\n"),
    ];
    const javac = spawnSync(join(jdk, "bin/javac"), ["--release", "11", "-d", classes, ...sources], {
      encoding: "utf8",
    });
    assert.equal(javac.status, 0, javac.stderr);
    mkdirSync(join(work, "pkg"));
    const jar = spawnSync(
      join(jdk, "bin/jar"),
      ["cf", join(work, "pkg", "toolkit.jar"), "-C", classes, "."],
      {
        encoding: "utf8",
      },
    );
    assert.equal(jar.status, 0, jar.stderr);
    const d = s.cli(["deploy", "java-jar", join(work, "pkg"), "--handler", "toolkit.Toolkit::handleRequest"]);
    assert.equal(d.status, 0, d.stderr);
    assert.doesNotMatch(d.stderr, /Building with/);
    const r = await invoke(s, "java-jar", { action: "hello" });
    assert.equal(r.json().functionName, "java-jar", r.text);
  },
);

test(
  "java17: a compile error fails the deploy with javac's message and changes nothing",
  { skip },
  async () => {
    const bad = await deploy(s, {
      name: "java-broken",
      runtime: "java17",
      handler: "broken.B::handleRequest",
      zipFile: rawZip([
        {
          name: "broken/B.java",
          data: "package broken;\npublic class B { public int handleRequest() { return x; } }\n",
        },
      ]).toString("base64"),
    });
    assert.equal(bad.status, 400);
    const err = bad.json.error as { code: string; message: string };
    assert.equal(err.code, "BuildFailed");
    assert.match(err.message, /cannot find symbol/);
    assert.equal((await s.api("/functions/java-broken")).status, 404);
  },
);
