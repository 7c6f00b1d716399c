// Runtimes this host cannot run (.NET everywhere here; JDK 11/21, Go 1.20/1.21 and Node.js versions
// not installed): `vajra runtimes` gives the exact reason and fix, and a deploy fails with it,
// creating nothing.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, deploy, startServer, stopAndClean, type ServerHandle } from "./harness.js";

interface Listing {
  id: string;
  available: boolean;
  reason?: string;
}

let s: ServerHandle;
let unavailable: Listing[] = [];
before(async () => {
  s = await startServer();
  const r = s.cli(["runtimes", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  unavailable = (JSON.parse(r.stdout) as { runtimes: Listing[] }).runtimes.filter((x) => !x.available);
});
after(async () => {
  await stopAndClean(s);
});

test("vajra runtimes names the reason and the fix for every runtime it cannot run", () => {
  // No .NET SDK can be installed on this machine kind; CI's machine is the same.
  assert.ok(
    unavailable.some((r) => r.id === "dotnet8"),
    "dotnet8 is reported unavailable here",
  );
  for (const r of unavailable) {
    assert.ok((r.reason ?? "").length > 20, `${r.id} has a reason`);
    assert.match(
      r.reason ?? "",
      /install|run `vajra runtimes install|set VAJRA_/,
      `${r.id}: the reason says how to fix it`,
    );
  }
  const dotnet = unavailable.find((r) => r.id === "dotnet8");
  assert.match(
    dotnet?.reason ?? "",
    /no \.NET 8 SDK found .* install the \.NET 8 SDK \(`vajra doctor` prints the command\) or set VAJRA_DOTNET8_HOME/,
  );
  const table = s.cli(["runtimes"]);
  assert.match(table.stdout, /dotnet8 .*no .*no \.NET 8 SDK found/);
});

test("a deploy for each unavailable runtime fails with its reason and creates nothing", async () => {
  for (const r of unavailable) {
    const d = await deploy(
      s,
      { name: `fn-${r.id.replace(/\./g, "-")}`, runtime: r.id, handler: "index.handler" },
      "nodejs/esm",
    );
    assert.equal(d.status, 400, `${r.id}: ${JSON.stringify(d.json)}`);
    const err = d.json.error as { code: string; message: string };
    assert.equal(err.code, "RuntimeUnavailable");
    assert.ok(err.message.includes(r.reason ?? "?"), `${r.id}: ${err.message}`);
  }
  assert.deepEqual(((await (await s.api("/functions")).json()) as { functions: unknown[] }).functions, []);
});

test("the CLI deploy of the .NET example names the missing SDK", () => {
  const d = s.cli(["deploy", "dotnet-hello", join(ROOT, "examples/dotnet/hello")]);
  assert.notEqual(d.status, 0);
  assert.match(d.stderr, /no \.NET runtime is available on the server .*: no \.NET \d SDK found/);
});
