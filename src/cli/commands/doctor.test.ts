// `vajra doctor`'s report: each missing piece of the sandbox or of a runtime family is printed with the
// exact command that installs it, essential gaps are marked apart from warnings, and the apt packages
// of everything missing come together in one apt-get line.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runtimeChecks, type HostCheck } from "../../executor/host-check.js";
import { familyReports } from "../../executor/install-hints.js";
import { createColors } from "../output.js";
import { renderHostChecks } from "./doctor.js";

const plain = createColors(false);
const bookworm = new Map([
  ["golang-1.19", "1.19.8-2"],
  ["openjdk-17-jdk-headless", "17.0.21.1+2-1~deb12u1"],
  ["python3.11", "3.11.2-6+deb12u9"],
]);

const sandbox: HostCheck[] = [
  {
    name: "bubblewrap",
    ok: false,
    essential: true,
    detail: "bwrap not found: functions would run without isolation",
    fix: "apt-get install -y bubblewrap",
    aptPackages: ["bubblewrap"],
  },
  { name: "setpriv", ok: true, essential: true, detail: "/usr/bin/setpriv" },
  { name: "cgroups", ok: false, detail: "needs root", fix: "run `vajra server` as root" },
];

function report(found: Map<string, { available: boolean; version?: string }>): string[] {
  return renderHostChecks([...sandbox, ...runtimeChecks(familyReports(found, bookworm))], plain);
}

test("missing sandbox pieces and runtimes are each printed with the command that installs them", () => {
  const out = report(new Map([["python3.11", { available: true, version: "3.11.7" }]])).join("\n");
  assert.match(out, /✗ bubblewrap: bwrap not found.*\n\s+fix: apt-get install -y bubblewrap/);
  assert.match(out, /! cgroups: needs root\n\s+fix: run `vajra server` as root/);
  assert.match(out, /✓ setpriv/);
  assert.match(out, /go1\.19: apt-get install -y golang-1\.19/);
  assert.match(out, /java17: apt-get install -y openjdk-17-jdk-headless/);
  assert.match(out, /nodejs22\.x: vajra runtimes install nodejs22/);
  assert.match(out, /python3\.12: pyenv install 3\.12/);
  assert.match(out, /! python: python3\.11 \(3\.11\.7\); 5 missing/);
  for (const family of ["python", "nodejs", "java", "go", "rust", "dotnet", "provided"])
    assert.match(out, new RegExp(`^  [✓!✗] ${family}: `, "m"), family);
});

test("one apt-get line gathers every Debian package of what is missing", () => {
  const lines = report(new Map());
  assert.equal(
    lines.at(-1),
    "Debian/Ubuntu, every package above at once: apt-get install -y bubblewrap python3.11 openjdk-17-jdk-headless libjackson2-databind-java golang-1.19",
  );
});

test("only a host with no runtime at all makes the runtimes essential", () => {
  const none = runtimeChecks(familyReports(new Map(), bookworm));
  assert.ok(none.every((c) => c.essential === true && !c.ok));
  const some = runtimeChecks(
    familyReports(new Map([["go1.19", { available: true, version: "1.19.8" }]]), bookworm),
  );
  assert.ok(some.every((c) => c.essential === false));
  assert.match(report(new Map([["go1.19", { available: true }]])).join("\n"), /! java: none found/);
});

test("a complete host prints only check marks and no apt-get line", () => {
  const all = new Map(
    familyReports(new Map())
      .flatMap((r) => r.missing)
      .map((m) => [m.id, { available: true, version: "1" }] as const),
  );
  const lines = renderHostChecks(
    [
      { name: "bubblewrap", ok: true, essential: true, detail: "/usr/bin/bwrap" },
      ...runtimeChecks(familyReports(all)),
    ],
    plain,
  );
  assert.ok(
    lines.every((l) => !/[!✗]|apt-get/.test(l)),
    lines.join("\n"),
  );
});
