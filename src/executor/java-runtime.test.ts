// The prepared Java runtime folder: the shim, the API (interfaces and event classes) and, when Debian's
// Jackson is installed, its jars and the POJO mapping; without Jackson, a folder without the POJO mapping.
// The class data sharing archive made once per JDK by a training run in the sandbox, and used: Jackson's
// classes then come from it.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RUNTIMES as SPECS, type RuntimeSpec } from "../core/runtimes.js";
import { createSandboxBackend } from "./host-check.js";
import { JACKSON_DIR, JavaRuntime, jacksonJars } from "./java-runtime.js";
import { javaArchiveFlags, javaClasspath, jvmFlags } from "./launch.js";
import type { RuntimeInfo } from "./runtime-discovery.js";
import { RUNTIME_ROOT, TASK_ROOT, type SandboxBackend } from "./sandbox.js";

const RUNTIMES = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "runtimes");
const JAVAC = "/usr/lib/jvm/java-17-openjdk-amd64/bin/javac";
const JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";

function jdk17(executable = JAVA): RuntimeInfo {
  const spec = SPECS.find((r) => r.id === "java17") as RuntimeSpec;
  return { spec, available: true, version: "17.0.15", executable, bindPaths: [] };
}

/** Runs `command` in a sandbox like an instance's (no Runtime API to reach); returns its output. */
async function runIn(backend: SandboxBackend, dir: string, task: string, command: string[]): Promise<string> {
  const proc = backend.spawn({
    id: `cds-test-${Date.now()}`,
    mounts: [
      { host: task, path: TASK_ROOT },
      { host: dir, path: RUNTIME_ROOT },
    ],
    bindPaths: [],
    command,
    cwd: TASK_ROOT,
    env: { AWS_LAMBDA_RUNTIME_API: "127.0.0.1:1", VAJRA_RUNTIME_SOCKET: "/nonexistent.sock" },
    memoryMb: 512,
    tmpSizeMb: 16,
  });
  let out = "";
  proc.stdout.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr.on("data", (b: Buffer) => (out += b.toString()));
  try {
    await proc.exited;
  } finally {
    proc.release();
  }
  return out;
}
const noJavac = existsSync(JAVAC) ? false : "needs a JDK's javac: install openjdk-17-jdk-headless";
const noJackson =
  noJavac !== false
    ? noJavac
    : jacksonJars() === undefined
      ? `needs Jackson in ${JACKSON_DIR}: install libjackson2-databind-java`
      : false;
if (
  noJackson !== false &&
  process.env.CI !== undefined &&
  process.env.CI !== "" &&
  process.env.CI !== "false"
)
  throw new Error(`CI must have what the Java runtime tests need: ${noJackson}`);

test(
  "the Java runtime folder carries Jackson's jars and the POJO mapping when Jackson is installed",
  { skip: noJackson },
  async () => {
    const cache = mkdtempSync(join(tmpdir(), "vajra-java-rt-"));
    try {
      const dir = await new JavaRuntime(RUNTIMES, cache, () => JAVAC).dir();
      assert.deepEqual(readdirSync(join(dir, "lib")).sort(), [
        "jackson-annotations.jar",
        "jackson-core.jar",
        "jackson-databind.jar",
      ]);
      assert.ok(existsSync(join(dir, "shim", "vajra", "runtime", "JacksonCodec.class")));
      assert.ok(existsSync(join(dir, "api", "com/amazonaws/services/lambda/runtime/events/SQSEvent.class")));
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  },
);

test(
  "without Jackson the runtime folder still builds, without the POJO mapping",
  { skip: noJavac },
  async () => {
    const cache = mkdtempSync(join(tmpdir(), "vajra-java-rt-"));
    try {
      const dir = await new JavaRuntime(RUNTIMES, cache, () => JAVAC, join(cache, "no-jackson-here")).dir();
      assert.deepEqual(readdirSync(join(dir, "lib")), []);
      assert.ok(existsSync(join(dir, "shim", "vajra", "runtime", "Bootstrap.class")));
      assert.ok(existsSync(join(dir, "shim", "vajra", "runtime", "PlainJson.class")));
      assert.ok(!existsSync(join(dir, "shim", "vajra", "runtime", "JacksonCodec.class")));
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  },
);

test(
  "a class data sharing archive is made once per JDK in the background, then Jackson's classes come from it",
  { skip: noJackson },
  async () => {
    const cache = mkdtempSync(join(tmpdir(), "vajra-java-rt-"));
    const warnings: string[] = [];
    const { backend } = createSandboxBackend(join(cache, "data"));
    const java = new JavaRuntime(RUNTIMES, cache, () => JAVAC, JACKSON_DIR, {
      backend,
      warn: (m) => warnings.push(m),
    });
    try {
      const dir = await java.dir();
      assert.ok(existsSync(join(dir, "shim.jar")));
      assert.equal(java.archive(dir, jdk17()), undefined, "not ready at first: it is made in the background");
      await java.settled();
      assert.equal(warnings.length, 0, warnings.join("\n"));
      const rel = java.archive(dir, jdk17());
      assert.match(rel ?? "", /^cds\/[0-9a-f]{16}\.jsa$/);
      assert.ok(statSync(join(dir, rel ?? "")).size > 1 << 20);
      // Another server on the same folder checks it in the background, then uses it as it is.
      const made = statSync(join(dir, rel ?? "")).mtimeMs;
      const again = new JavaRuntime(RUNTIMES, cache, () => JAVAC, JACKSON_DIR, {
        backend,
        warn: (m) => warnings.push(m),
      });
      assert.equal(again.archive(dir, jdk17()), undefined);
      await again.settled();
      assert.equal(again.archive(dir, jdk17()), rel);
      assert.equal(statSync(join(dir, rel ?? "")).mtimeMs, made);
      // A damaged one (it would crash the JVM) is made again.
      const whole = readFileSync(join(dir, rel ?? ""));
      rmSync(join(dir, rel ?? ""));
      writeFileSync(join(dir, rel ?? ""), whole.subarray(0, 300_000));
      const third = new JavaRuntime(RUNTIMES, cache, () => JAVAC, JACKSON_DIR, {
        backend,
        warn: (m) => warnings.push(m),
      });
      assert.equal(third.archive(dir, jdk17()), undefined);
      await third.settled();
      assert.equal(third.archive(dir, jdk17()), rel);
      assert.equal(statSync(join(dir, rel ?? "")).size, whole.length);
      assert.equal(warnings.length, 0, warnings.join("\n"));
      // A POJO handler's start, as an instance runs it: the JVM maps the archive (-Xshare:on fails otherwise).
      const task = join(cache, "task");
      mkdirSync(task);
      const out = await runIn(backend, dir, task, [
        JAVA,
        ...jvmFlags(256),
        ...javaArchiveFlags(`${RUNTIME_ROOT}/${rel ?? ""}`),
        "-Xshare:on",
        "-Xlog:class+load=info",
        "-cp",
        javaClasspath(false),
        "vajra.runtime.Bootstrap",
        "vajra.runtime.Training::pojo",
      ]);
      assert.match(out, /com\.fasterxml\.jackson\.databind\.ObjectMapper source: shared objects file/);
      assert.match(out, /vajra\.runtime\.JacksonCodec source: shared objects file/);
      assert.doesNotMatch(out, /com\.fasterxml\.jackson\.\S+ source: (file|jar):/);
    } finally {
      await java.close();
      rmSync(cache, { recursive: true, force: true });
    }
  },
);

test(
  "when the archive cannot be made, a warning says so and instances go on without it",
  { skip: noJavac },
  async () => {
    const cache = mkdtempSync(join(tmpdir(), "vajra-java-rt-"));
    const warnings: string[] = [];
    const { backend } = createSandboxBackend(join(cache, "data"));
    const java = new JavaRuntime(RUNTIMES, cache, () => JAVAC, JACKSON_DIR, {
      backend,
      warn: (m) => warnings.push(m),
    });
    try {
      const dir = await java.dir();
      const broken = jdk17("/bin/false"); // a "JDK" whose java writes no archive
      assert.equal(java.archive(dir, broken), undefined);
      await java.settled();
      assert.equal(java.archive(dir, broken), undefined, "not tried again");
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? "", /could not make the Java class data sharing archive for java17/);
      // JDK 11 has no dynamic archives: nothing is tried.
      assert.equal(java.archive(dir, { ...jdk17(), version: "11.0.24" }), undefined);
      await java.settled();
      assert.equal(warnings.length, 1);
    } finally {
      await java.close();
      rmSync(cache, { recursive: true, force: true });
    }
  },
);
