// Dependencies at deploy: package.json dependencies are installed with npm when the upload has no
// node_modules (the npm registry is reachable here); requirements.txt packages that are vendored in the
// upload need no build; ones that are not are installed with pip, and when that fails (PyPI is not
// reachable here, and this package exists nowhere) the deploy fails with pip's log and changes nothing.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { sharedBuildCache } from "./runtime-support.js";

let s: ServerHandle;
before(async () => {
  s = await startServer({ env: sharedBuildCache() });
});
after(async () => {
  await stopAndClean(s);
});

test("a package.json dependency is installed by npm at deploy, and the build log kept", async () => {
  const d = s.cli(["deploy", "node-deps", join(FIXTURES, "nodejs/deps")]);
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stderr, /installing 1 npm dependencies/);
  const r = await invoke(s, "node-deps", { value: "42" });
  assert.deepEqual(r.json(), { input: "42", isNumber: true });
  const log = s.cli(["info", "node-deps", "--build-log"]);
  assert.equal(log.status, 0, log.stderr);
  assert.match(log.stdout, /npm .* install --omit=dev/);
});

test("vendored Python requirements need no build", async () => {
  const d = s.cli(["deploy", "py-vendored", join(FIXTURES, "python/vendored")]);
  assert.equal(d.status, 0, d.stderr);
  assert.doesNotMatch(d.stderr, /Building with/);
  assert.deepEqual((await invoke(s, "py-vendored", { text: "hey" })).json(), { shout: "HEY!" });
  const log = s.cli(["info", "py-vendored", "--build-log"]);
  assert.notEqual(log.status, 0);
  assert.match(log.stderr, /no build/);
});

test("a Python requirement pip cannot install fails the deploy with pip's log and creates nothing", async () => {
  const d = s.cli(["deploy", "py-missing", join(FIXTURES, "python/missing-deps")]);
  assert.notEqual(d.status, 0);
  assert.match(d.stderr, /BuildFailed|build failed/);
  assert.match(d.stderr, /vajra-no-such-package-anywhere/);
  assert.match(d.stderr, /vendor the packages into the upload/);
  assert.equal((await s.api("/functions/py-missing")).status, 404);
});

test("with VAJRA_BUILD_NETWORK=off a deploy that needs a dependency install is refused, naming the fix", async () => {
  const off = await startServer({ env: { VAJRA_BUILD_NETWORK: "off" } });
  try {
    const d = off.cli(["deploy", "node-deps", join(FIXTURES, "nodejs/deps")]);
    assert.notEqual(d.status, 0);
    assert.match(d.stderr, /dependency installs are turned off on this server \(VAJRA_BUILD_NETWORK=off\)/);
    assert.equal((await off.api("/functions/node-deps")).status, 404);
  } finally {
    await stopAndClean(off);
  }
});

test("a build that runs past VAJRA_BUILD_TIMEOUT is stopped and the deploy fails, creating nothing", async () => {
  const slow = await startServer({ env: { VAJRA_BUILD_TIMEOUT: "3" } });
  try {
    const started = Date.now();
    const d = slow.cli(["deploy", "slow", join(FIXTURES, "nodejs/slow-build")]);
    assert.notEqual(d.status, 0);
    assert.match(d.stderr, /build failed \(it ran longer than 3 s\)/);
    assert.match(d.stderr, /npm .* install --omit=dev/, "the log up to the limit is shown");
    assert.ok(Date.now() - started < 60_000, "the build's sleep was cut short");
    assert.equal((await slow.api("/functions/slow")).status, 404);
  } finally {
    await stopAndClean(slow);
  }
});
