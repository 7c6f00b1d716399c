import { test } from "node:test";
import assert from "node:assert/strict";
import { checkStatus, doctorReport } from "./host-checks.js";

test("a failed essential check fails the report, other failures only warn", () => {
  const report = doctorReport([
    { name: "bubblewrap", ok: true, essential: true, detail: "/usr/bin/bwrap" },
    { name: "cgroups", ok: false, detail: "needs root" },
    { name: "network", ok: false, detail: "mode none only", aptPackages: ["nftables", "iproute2"] },
  ]);
  assert.equal(report.ok, true);
  assert.deepEqual(
    report.checks.map((c) => c.status),
    ["pass", "warn", "warn"],
  );
  assert.equal(report.aptInstall, "apt-get install -y nftables iproute2");
  assert.equal(checkStatus({ name: "bubblewrap", ok: false, essential: true, detail: "" }), "fail");
  const failing = doctorReport([
    { name: "bubblewrap", ok: false, essential: true, detail: "", aptPackages: ["bubblewrap"] },
    { name: "python", group: "runtime", ok: true, detail: "python3.11", aptPackages: ["ignored"] },
  ]);
  assert.equal(failing.ok, false);
  assert.equal(failing.aptInstall, "apt-get install -y bubblewrap");
});
