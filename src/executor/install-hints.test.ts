// Install hints: every missing runtime gets the exact Debian/Ubuntu command, chosen by what the host's
// apt can install (the distribution's package when it has one that is new enough, else the language's
// own installer), and apt's answer is parsed as apt-cache prints it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { RUNTIMES, resolveRuntimeId } from "../core/runtimes.js";
import { familyReports, installHint, parseAptPolicy, runtimePackages } from "./install-hints.js";

const POLICY = `python3.8:
  Installed: (none)
  Candidate: (none)
  Version table:
python3.11:
  Installed: 3.11.2-6+deb12u6
  Candidate: 3.11.2-6+deb12u9
  Version table:
     3.11.2-6+deb12u9 500
golang-1.19:
  Installed: (none)
  Candidate: 1.19.8-2
openjdk-17-jdk-headless:
  Installed: (none)
  Candidate: 17.0.21.1+2-1~deb12u1
rustc:
  Installed: (none)
  Candidate: 1.63.0+dfsg1-2
`;
const BOOKWORM = parseAptPolicy(POLICY);

test("apt-cache policy gives each known package's candidate; (none) and unknown packages are absent", () => {
  assert.equal(BOOKWORM.get("python3.11"), "3.11.2-6+deb12u9");
  assert.equal(BOOKWORM.get("golang-1.19"), "1.19.8-2");
  assert.equal(BOOKWORM.has("python3.8"), false);
  assert.equal(BOOKWORM.has("golang-1.21"), false);
});

test("a runtime apt can install gets its apt-get line", () => {
  const hint = (id: string) => installHint(resolveRuntimeId(id), BOOKWORM);
  assert.deepEqual(hint("go1.19"), {
    command: "apt-get install -y golang-1.19",
    aptPackages: ["golang-1.19"],
  });
  assert.equal(
    hint("java17").command,
    "apt-get install -y openjdk-17-jdk-headless libjackson2-databind-java",
  );
  assert.equal(hint("python3.11").command, "apt-get install -y python3.11");
});

test("a runtime apt lacks gets the language's own installer, with what it needs", () => {
  const hint = (id: string) => installHint(resolveRuntimeId(id), BOOKWORM);
  assert.equal(hint("python3.8").command, "pyenv install 3.8");
  assert.equal(
    hint("go1.21").command,
    "go install golang.org/dl/go1.21.0@latest && ~/go/bin/go1.21.0 download",
  );
  assert.equal(hint("go1.20").command, "go install golang.org/dl/go1.20@latest && ~/go/bin/go1.20 download");
  assert.equal(hint("java21").command, "apt-get install -y temurin-21-jdk");
  assert.match(hint("java21").note ?? "", /VAJRA_JAVA21_HOME/);
  // Debian 12's rustc 1.63 is older than rust1.70 needs.
  assert.equal(hint("rust1.70").command, "rustup toolchain install stable");
  assert.equal(hint("go1.21").aptPackages, undefined);
});

test("a newer rustc from apt is enough, and brings cargo along", () => {
  const hint = installHint(
    resolveRuntimeId("rust1.70"),
    new Map([["rustc", "1.75.0+dfsg0ubuntu1-0ubuntu1"]]),
  );
  assert.deepEqual(hint, { command: "apt-get install -y rustc cargo", aptPackages: ["rustc", "cargo"] });
});

test("Node.js versions are installed by vajra itself; without apt the distribution's package is named", () => {
  assert.equal(installHint(resolveRuntimeId("nodejs22")).command, "vajra runtimes install nodejs22");
  assert.equal(installHint(resolveRuntimeId("go1.21")).command, "apt-get install -y golang-1.21");
  assert.equal(
    installHint(resolveRuntimeId("dotnet8"), new Map()).command,
    "apt-get install -y dotnet-sdk-8.0",
  );
  assert.ok(runtimePackages().includes("openjdk-21-jdk-headless"));
});

test("every family is reported, every missing runtime with a command, every found one with its version", () => {
  const found = new Map([
    ["python3.11", { available: true, version: "3.11.7" }],
    ["nodejs20.x", { available: true, version: "20.20.2" }],
  ]);
  const reports = familyReports(found, BOOKWORM);
  assert.deepEqual(
    reports.map((r) => r.family),
    ["python", "nodejs", "java", "go", "rust", "dotnet", "provided"],
  );
  const python = reports.find((r) => r.family === "python");
  assert.deepEqual(python?.available, [{ id: "python3.11", version: "3.11.7" }]);
  const total = reports.reduce((n, r) => n + r.available.length + r.missing.length, 0);
  assert.equal(total, RUNTIMES.length);
  for (const r of reports) for (const m of r.missing) assert.notEqual(m.command, "", m.id);
});
