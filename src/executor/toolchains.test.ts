// Toolchain discovery on fake installs: a JDK 21 and a Go 1.21 that this machine does not have are
// found from their version files where the environment points, as `vajra runtimes` promises.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareVersions, findGos, findJdks, homeVariable, javaMajor } from "./toolchains.js";

const root = mkdtempSync(join(tmpdir(), "vajra-toolchains-"));
after(() => rmSync(root, { recursive: true, force: true }));

function fakeExecutable(path: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, "#!/bin/sh\nexit 0\n");
  chmodSync(path, 0o755);
}

test("the variable naming an explicit home follows the runtime id", () => {
  assert.equal(homeVariable("java21"), "VAJRA_JAVA21_HOME");
  assert.equal(homeVariable("go1.21"), "VAJRA_GO121_HOME");
  assert.equal(homeVariable("dotnet8"), "VAJRA_DOTNET8_HOME");
  assert.equal(homeVariable("rust1.70"), "VAJRA_RUST170_HOME");
});

test("a JDK is found by the major version its release file names, with or without javac", () => {
  const jdk = join(root, "jdk-21");
  fakeExecutable(join(jdk, "bin", "java"));
  fakeExecutable(join(jdk, "bin", "javac"));
  writeFileSync(join(jdk, "release"), 'IMPLEMENTOR="Test"\nJAVA_VERSION="21.0.4"\n');
  const jre = join(root, "jre-11");
  fakeExecutable(join(jre, "bin", "java"));
  writeFileSync(join(jre, "release"), 'JAVA_VERSION="11.0.24"\n');
  const found = findJdks({ "21": jdk, "11": jre });
  assert.equal(found.get("21")?.version, "21.0.4");
  assert.equal(found.get("21")?.canCompile, true);
  assert.deepEqual(found.get("21")?.bindPaths, [found.get("21")?.home]);
  assert.equal(found.get("11")?.canCompile, false, "a JRE runs jars but cannot compile sources");
  assert.equal(javaMajor("1.8.0_402"), "8");
});

test("a Go toolchain is found by the minor version of its VERSION file", () => {
  const goroot = join(root, "go-1.21");
  fakeExecutable(join(goroot, "bin", "go"));
  writeFileSync(join(goroot, "VERSION"), "go1.21.13\ntime 2024-08-06T17:13:48Z\n");
  process.env[homeVariable("go1.21")] = goroot;
  try {
    const found = findGos();
    assert.equal(found.get("1.21")?.version, "1.21.13");
  } finally {
    delete process.env[homeVariable("go1.21")];
  }
});

test("versions compare numerically", () => {
  assert.ok(compareVersions("1.95.0", "1.70") > 0);
  assert.ok(compareVersions("1.9.0", "1.70.0") < 0);
  assert.equal(compareVersions("3.11", "3.11.0"), 0);
});
