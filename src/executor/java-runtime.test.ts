// The prepared Java runtime folder: the shim, the API (interfaces and event classes) and, when Debian's
// Jackson is installed, its jars and the POJO mapping; without Jackson, a folder without the POJO mapping.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { JACKSON_DIR, JavaRuntime, jacksonJars } from "./java-runtime.js";

const RUNTIMES = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "runtimes");
const JAVAC = "/usr/lib/jvm/java-17-openjdk-amd64/bin/javac";
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
