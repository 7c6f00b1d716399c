// What instances run: a bootstrap that knows Vajra's socket runs directly, others behind the TCP
// forwarder; Java runs directly from JDK 16 on; the JVM's heap follows the function's memory.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUNTIMES, type RuntimeSpec } from "../core/runtimes.js";
import { bootstrapKnowsSocket, launchFor } from "./launch.js";
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
