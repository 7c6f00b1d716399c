// What instances run: a bootstrap that knows Vajra's socket runs directly, others behind the TCP
// forwarder; Java runs directly from JDK 16 on; the JVM's heap follows the function's memory.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUNTIMES, type RuntimeSpec } from "../core/runtimes.js";
import { zipDirectory } from "../blobs/zip-dir.js";
import { bootstrapKnowsSocket, bundlesJackson, launchFor } from "./launch.js";
import type { RuntimeInfo } from "./runtime-discovery.js";

const root = mkdtempSync(join(tmpdir(), "vajra-launch-"));
after(() => rmSync(root, { recursive: true, force: true }));

function code(name: string, bootstrap: Buffer | string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "bootstrap"), bootstrap);
  return dir;
}

function runtime(id: string, version: string, executable = "/usr/bin/x"): RuntimeInfo {
  const spec = RUNTIMES.find((r) => r.id === id) as RuntimeSpec;
  return { spec, available: true, version, executable, bindPaths: [] };
}

test("a bootstrap naming VAJRA_RUNTIME_SOCKET is found, also across a 1 MiB read boundary", () => {
  assert.equal(bootstrapKnowsSocket(code("plain", "#!/bin/sh\ncurl ...\n")), false);
  assert.equal(
    bootstrapKnowsSocket(
      code("marked", Buffer.concat([Buffer.alloc(5000), Buffer.from("VAJRA_RUNTIME_SOCKET")])),
    ),
    true,
  );
  const split = Buffer.concat([
    Buffer.alloc((1 << 20) - 7),
    Buffer.from("VAJRA_RUNTIME_SOCKET"),
    Buffer.alloc(100),
  ]);
  assert.equal(bootstrapKnowsSocket(code("split", split)), true);
  assert.equal(bootstrapKnowsSocket(join(root, "missing")), false);
});

test("Go, Rust and custom runtimes run their bootstrap directly only when it knows the socket", () => {
  const direct = launchFor(runtime("go1.19", "1.19.8"), 128, "/rt", join(root, "marked"));
  assert.deepEqual(direct.command, ["/var/task/bootstrap"]);
  const forwarded = launchFor(runtime("provided.al2023", ""), 128, "/rt", join(root, "plain"));
  assert.deepEqual(forwarded.command, [process.execPath, "/var/runtime/forwarder.mjs"]);
  assert.equal(forwarded.runtimeDir, "/rt/provided");
});

test("Java runs directly from JDK 16 on, behind the forwarder before, with the heap sized from memory", () => {
  const jdk17 = launchFor(runtime("java17", "17.0.15", "/jdk/bin/java"), 256, "/rt", root, "/java-rt");
  assert.equal(jdk17.command[0], "/jdk/bin/java");
  assert.ok(jdk17.command.includes(`-XX:MaxHeapSize=${Math.floor((256 * 1024 * 85) / 100)}k`));
  assert.equal(jdk17.command.at(-1), "vajra.runtime.Bootstrap");
  const jdk11 = launchFor(runtime("java11", "11.0.24", "/jdk11/bin/java"), 128, "/rt", root, "/java-rt");
  assert.deepEqual(jdk11.command.slice(0, 3), [
    process.execPath,
    "/var/runtime/forwarder.mjs",
    "/jdk11/bin/java",
  ]);
});

test("a function that bundles Jackson (classes or a jar) is found by the jar's central directory", async () => {
  const plain = join(root, "pojo-plain");
  mkdirSync(join(plain, "example"), { recursive: true });
  writeFileSync(join(plain, "example", "Move.class"), "not really a class");
  assert.equal(bundlesJackson(plain), false);
  const classes = join(root, "pojo-classes");
  mkdirSync(join(classes, "com", "fasterxml", "jackson", "databind"), { recursive: true });
  assert.equal(bundlesJackson(classes), true);
  // A fat jar in lib/ with Jackson inside (the zip's entries are read, not its file name).
  const fat = join(root, "fat-src");
  mkdirSync(join(fat, "com", "fasterxml", "jackson", "core"), { recursive: true });
  writeFileSync(
    join(fat, "com", "fasterxml", "jackson", "core", "JsonParser.class"),
    Buffer.alloc(70_000, 7),
  );
  const withJar = join(root, "pojo-jar");
  mkdirSync(join(withJar, "lib"), { recursive: true });
  writeFileSync(join(withJar, "lib", "app-all.jar"), await zipDirectory(fat));
  writeFileSync(join(withJar, "lib", "notes.txt"), "com/fasterxml/jackson/ in a file that is no jar");
  assert.equal(bundlesJackson(withJar), true);
  const other = join(root, "pojo-other-jar");
  mkdirSync(other);
  writeFileSync(join(other, "app.jar"), await zipDirectory(plain));
  writeFileSync(join(other, "notes.txt"), "com/fasterxml/jackson/");
  assert.equal(bundlesJackson(other), false);
});

test("Java's class path starts with the shim and Jackson and uses the archive, unless the function has its own Jackson", () => {
  const java = runtime("java17", "17.0.15", "/jdk/bin/java");
  const cp = (l: { command: string[] }): string => l.command[l.command.indexOf("-cp") + 1] ?? "";
  const shared = launchFor(java, 128, "/rt", join(root, "pojo-plain"), "/java-rt", "cds/0123.jsa");
  assert.ok(shared.command.includes("-XX:SharedArchiveFile=/var/runtime/cds/0123.jsa"));
  assert.ok(shared.command.includes("-Xlog:cds*=off"));
  assert.ok(shared.command.includes("-Xshare:auto"));
  assert.equal(
    cp(shared),
    "/var/runtime/shim.jar:/var/runtime/lib/jackson-annotations.jar:/var/runtime/lib/jackson-core.jar:" +
      "/var/runtime/lib/jackson-databind.jar:/var/task:/var/task/*:/var/task/lib/*:/var/runtime/api",
  );
  const none = launchFor(java, 128, "/rt", join(root, "pojo-plain"), "/java-rt");
  assert.ok(!none.command.some((a) => a.startsWith("-XX:SharedArchiveFile")));
  assert.equal(cp(none), cp(shared));
  const own = launchFor(java, 128, "/rt", join(root, "pojo-jar"), "/java-rt", "cds/0123.jsa");
  assert.ok(!own.command.some((a) => a.startsWith("-XX:SharedArchiveFile")));
  assert.equal(
    cp(own),
    "/var/runtime/shim.jar:/var/task:/var/task/*:/var/task/lib/*:/var/runtime/api:/var/runtime/lib/*",
  );
});
