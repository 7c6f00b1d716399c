// GET /doctor: the running server reports its host's sandbox and runtime checks (what `vajra doctor`
// checks) with a pass/warn/fail status each; it needs an API key; `vajra doctor --server` prints them.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { DoctorReport } from "../../src/core/host-checks.js";
import { startServer, stopAndClean } from "./harness.js";

test("the server reports its host checks at GET /doctor, and vajra doctor --server prints them", async () => {
  const s = await startServer();
  try {
    const r = await s.api("/doctor");
    assert.equal(r.status, 200);
    const report = (await r.json()) as DoctorReport;
    const names = report.checks.map((c) => c.name);
    for (const n of ["bubblewrap", "privileges", "setpriv", "cgroups", "freezer", "network", "seccomp"])
      assert.ok(names.includes(n), `check ${n} in ${names.join(", ")}`);
    assert.ok(report.checks.some((c) => c.group === "runtime" && c.name === "python"));
    for (const c of report.checks) {
      assert.equal(c.status, c.ok ? "pass" : c.essential === true ? "fail" : "warn", c.name);
      assert.equal(typeof c.detail, "string");
    }
    assert.equal(report.ok, !report.checks.some((c) => c.status === "fail"));
    // What the server says about isolation agrees with its bubblewrap check.
    const health = (await (await s.api("/health")).json()) as { isolation: { isolated: boolean } };
    const bwrap = report.checks.find((c) => c.name === "bubblewrap");
    if (health.isolation.isolated) assert.equal(bwrap?.ok, true);

    const anonymous = await fetch(`${s.url}/doctor`);
    assert.equal(anonymous.status, 401);

    const cli = s.cli(["doctor", "--server", "--json"]);
    assert.equal(cli.status, report.ok ? 0 : 1, cli.stderr);
    const printed = JSON.parse(cli.stdout) as DoctorReport;
    assert.deepEqual(
      printed.checks.map((c) => [c.name, c.status]),
      report.checks.map((c) => [c.name, c.status]),
    );
    const text = s.cli(["doctor", "--server"]);
    assert.match(text.stdout, new RegExp(`The server at ${s.url}\\nSandbox\\n`));
    assert.match(text.stdout, /[✓!✗] bubblewrap/);
  } finally {
    await stopAndClean(s);
  }
});
