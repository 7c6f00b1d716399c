// A hostile function probes its sandbox: it must find an unprivileged uid with no capabilities, a
// read-only /var/task and /proc/sys, no view of the data directory, the checkout or host processes,
// no server secrets in pid 1's environment, and no way to create a user namespace — in network mode
// `none` and, where the host offers it (root, nftables), in `egress` too.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ROOT, deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";
import { networkTestsUnavailable } from "../support/netns-host.js";

let s: ServerHandle | undefined;
/** What the probe found, per network mode. */
const probes: Record<string, Record<string, unknown>> = {};
const modes = networkTestsUnavailable() === undefined ? ["none", "egress"] : ["none"];
// Needs a bubblewrap sandbox: without one, one line says what to install (under CI, the file fails).
const skip = skipUnlessSandbox();

before(async () => {
  if (skip !== false) return;
  s = await startServer({ env: { VAJRA_NET_BRIDGE: "vjtsec", VAJRA_NET_SUBNET: "10.217" } });
  for (const network of modes) {
    const name = `probe-${network}`;
    const r = await deploy(
      s,
      { name, runtime: "python3.11", handler: "app.probe", network },
      "python/toolkit",
    );
    assert.equal(r.status, 201, JSON.stringify(r.json));
    probes[network] = (await invoke(s, name, { dataDir: s.dataDir, checkout: ROOT })).json();
  }
});
after(async () => {
  if (s !== undefined) await stopAndClean(s);
});

for (const network of modes) {
  const probe = (): Record<string, unknown> => probes[network] ?? {};

  test(`${network}: the function runs as an unprivileged uid with no capabilities`, { skip }, () => {
    assert.notEqual(probe().uid, 0);
    assert.notEqual(probe().gid, 0);
    assert.equal(probe().cap_eff, "0000000000000000");
  });

  test(`${network}: the function cannot write /var/task or /proc/sys but can write /tmp`, { skip }, () => {
    assert.match(String(probe().write_task), /^denied:/);
    assert.match(String(probe().write_proc_sys), /^denied:/);
    assert.equal(probe().write_tmp, "ok:1");
  });

  test(
    `${network}: the function cannot see the data directory, the API key, the checkout or /root`,
    { skip },
    () => {
      for (const k of ["read_data_dir", "read_db", "read_key", "read_checkout"]) {
        assert.match(String(probe()[k]), /^denied:/, `${k}: ${String(probe()[k])}`);
      }
      // /root shows at most the empty skeleton leading to a bound interpreter (pyenv), never host files.
      assert.match(String(probe().read_root), /^(denied:.*|ok:\[('\.pyenv')?\])$/);
    },
  );

  test(
    `${network}: the function sees only its own processes and no server environment in pid 1`,
    { skip },
    () => {
      assert.ok(Number(probe().visible_pids) <= 3, `visible pids: ${String(probe().visible_pids)}`);
      const environ = String(probe().pid1_environ);
      assert.doesNotMatch(environ, /VAJRA|PATH=|HOME=/);
    },
  );

  test(`${network}: the function cannot create a user namespace`, { skip }, () => {
    assert.match(String(probe().unshare_user), /^denied:/);
  });
}
