// A host without bubblewrap, simulated with VAJRA_BWRAP=/nonexistent: the server runs functions
// unisolated and says so, and the test files that need a sandbox skip at once with one line naming
// the package to install, or fail at once under CI=true, instead of failing slowly or hanging.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sandboxMissing } from "../../src/executor/host-check.js";
import { BIN, ROOT, startServer, stopAndClean } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";

const NO_BWRAP = { VAJRA_BWRAP: "/nonexistent" };
const INSTALL = "apt-get install -y bubblewrap";
const work = mkdtempSync(join(tmpdir(), "vajra-nobwrap-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs one integration test file as `npm test` would, with `env` added. */
function runTestFile(file: string, env: Record<string, string>): { status: number | null; out: string } {
  // Without NODE_TEST_CONTEXT the child is a runner of its own, not a file of this run's runner.
  const base = { ...process.env };
  delete base.CI;
  delete base.NODE_TEST_CONTEXT;
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "--test", "--test-concurrency=1", join(ROOT, "test", "integration", file)],
    { cwd: ROOT, encoding: "utf8", env: { ...base, ...env }, timeout: 120_000, killSignal: "SIGKILL" },
  );
  return { status: r.status, out: r.stdout + r.stderr };
}

test("VAJRA_BWRAP names bubblewrap: a missing path or a folder means no sandbox, an executable is used", () => {
  assert.match(
    sandboxMissing({ ...NO_BWRAP }) ?? "",
    /bubblewrap \(bwrap\) was not found.*apt-get install -y bubblewrap/,
  );
  assert.match(sandboxMissing({ VAJRA_BWRAP: work }) ?? "", /apt-get install -y bubblewrap/);
  assert.equal(sandboxMissing({ VAJRA_UNSANDBOXED: "1" }), "VAJRA_UNSANDBOXED=1 is set");
  const fake = join(work, "bwrap");
  writeFileSync(fake, "#!/bin/sh\nexit 1\n");
  chmodSync(fake, 0o755);
  // An executable bwrap is enough for this decision (as root, setpriv is needed too: this host has it).
  assert.equal(sandboxMissing({ VAJRA_BWRAP: fake }), undefined);
});

test("without bubblewrap a test needing a sandbox gets one skip line, and under CI an error", () => {
  assert.equal(
    skipUnlessSandbox({ ...NO_BWRAP }),
    `needs a sandbox: bubblewrap (bwrap) was not found (install it: ${INSTALL})`,
  );
  assert.throws(
    () => skipUnlessSandbox({ ...NO_BWRAP, CI: "true" }),
    /CI must have a sandbox.*apt-get install -y bubblewrap/,
  );
  assert.equal(skipUnlessSandbox({ ...NO_BWRAP, CI: "false" }), skipUnlessSandbox({ ...NO_BWRAP }));
});

test("the server started without bubblewrap reports that functions are not isolated, naming the fix", async () => {
  const s = await startServer({ env: NO_BWRAP });
  try {
    const health = (await (await s.api("/health")).json()) as {
      isolation: { isolated: boolean; warnings: string[] };
    };
    assert.equal(health.isolation.isolated, false);
    assert.ok(
      health.isolation.warnings.some((w) => w.includes(INSTALL)),
      health.isolation.warnings.join("\n"),
    );
  } finally {
    await stopAndClean(s);
  }
});

test("a file of sandbox tests skips every test with the install line", () => {
  const r = runTestFile("sandbox-security.test.ts", NO_BWRAP);
  assert.equal(r.status, 0, r.out);
  const skips = r.out.split("\n").filter((l) => l.includes("# SKIP"));
  assert.ok(skips.length > 0, r.out);
  for (const line of skips) assert.ok(line.endsWith(`(install it: ${INSTALL})`), line);
  assert.match(r.out, /^# pass 0$/m);
  assert.match(r.out, /^# fail 0$/m);
});

test("under CI=true the same file fails at once, naming what is missing", () => {
  const r = runTestFile("shutdown.test.ts", { ...NO_BWRAP, CI: "true" });
  assert.equal(r.status, 1, r.out);
  assert.match(
    r.out,
    /CI must have a sandbox; this test needs a sandbox: bubblewrap \(bwrap\) was not found/,
  );
  assert.doesNotMatch(r.out, /# SKIP/);
});

test("vajra doctor without bubblewrap exits 1, naming apt-get install -y bubblewrap; with it, 0", () => {
  const doctor = (env: Record<string, string>) =>
    spawnSync(process.execPath, [BIN, "doctor", "--json", "--endpoint", "http://127.0.0.1:9"], {
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
  const without = doctor(NO_BWRAP);
  assert.equal(without.status, 1, without.stderr);
  assert.match(without.stderr, /bubblewrap \(apt-get install -y bubblewrap\)/);
  const report = JSON.parse(without.stdout) as {
    ok: boolean;
    checks: Array<{ name: string; ok: boolean; essential?: boolean; fix?: string; group?: string }>;
  };
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.checks.filter((c) => !c.ok && c.essential === true).map((c) => [c.name, c.fix]),
    [["bubblewrap", INSTALL]],
  );
  assert.deepEqual(
    report.checks.filter((c) => c.group === "runtime").map((c) => c.name),
    ["python", "boto3", "nodejs", "java", "go", "rust", "dotnet", "provided"],
  );
  // With a sandbox nothing essential is missing, whatever runtimes the host lacks.
  if (skipUnlessSandbox() === false) {
    const withIt = doctor({});
    assert.equal(withIt.status, 0, withIt.stderr);
  }
});
