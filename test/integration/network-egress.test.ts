// Function networking: `none` (no network) and `egress` (outbound to public addresses only). A test
// "internet" host (198.18.0.0/15, reserved for tests) and a private-range host run in namespaces this
// file creates; every route is checked to lead into them before any traffic. The host itself — a port
// this test opens on all of its addresses, the admin API, the bridge's gateway — link-local metadata,
// private ranges and other instances stay out of reach in every mode.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";
import { RUN_ID } from "../support/test-run.js";
import {
  createTestHost,
  namespacesNamed,
  networkTestsUnavailable,
  type TestHost,
} from "../support/netns-host.js";

const tag = RUN_ID.replace(/[^a-z0-9]/g, "").slice(-5);
const BRIDGE = `vjt${tag}`;
const SUBNET = "10.215";
const GATEWAY = `${SUBNET}.0.1`;
const INET = "198.18.7.1";
const PRIVATE = "192.168.213.1";

let skip: string | false = skipUnlessSandbox();
if (skip === false) {
  const why = networkTestsUnavailable();
  if (why !== undefined) {
    if (process.env.CI !== undefined) throw new Error(`CI must run the network tests: ${why}`);
    skip = why;
  }
}

let s: ServerHandle | undefined;
let inet: TestHost | undefined;
let priv: TestHost | undefined;
/** A port the test opens on every address of the machine: what a host service looks like. */
let hostService: Server | undefined;
let hostPort = 0;

const serverEnv = {
  VAJRA_NET_BRIDGE: BRIDGE,
  VAJRA_NET_SUBNET: SUBNET,
  VAJRA_DNS_UPSTREAM: `${INET}:53`,
};

before(async () => {
  if (skip !== false) return;
  inet = await createTestHost(`vjti${tag}`, INET, { "example.test": INET, "private.test": PRIVATE });
  priv = await createTestHost(`vjtp${tag}`, PRIVATE);
  hostService = createServer((c) => c.end("host service\n"));
  await new Promise<void>((r) => hostService?.listen(0, "0.0.0.0", r));
  hostPort = (hostService.address() as { port: number }).port;
  s = await startServer({ env: serverEnv });
  for (const [name, network] of [
    ["probe-egress", "egress"],
    ["probe-peer", "egress"],
    ["probe-none", "none"],
  ] as const) {
    const r = await deploy(
      s,
      { name, runtime: "python3.11", handler: "app.handler", timeout: 60, network },
      "python/netprobe",
    );
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
});

after(async () => {
  if (s !== undefined) await stopAndClean(s);
  // Whatever a failed test left: this file's namespaces, bridge and rules (all named after BRIDGE).
  for (const n of namespacesNamed(`${BRIDGE}-`)) spawnSync("/usr/sbin/ip", ["netns", "del", n]);
  spawnSync("/usr/sbin/ip", ["link", "del", BRIDGE]);
  spawnSync("/usr/sbin/nft", ["delete", "table", "inet", BRIDGE]);
  inet?.remove();
  priv?.remove();
  hostService?.close();
});

async function probe(name: string, event: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (s === undefined) throw new Error("no server");
  const r = await invoke(s, name, event);
  assert.equal(r.status, 200, r.text);
  return r.json();
}

/** The machine's own addresses (IPv4, global scope), for the "never the host" checks. */
function hostAddresses(): string[] {
  const r = spawnSync("/usr/sbin/ip", ["-j", "-4", "addr", "show"], { encoding: "utf8" });
  const links = JSON.parse(r.stdout) as Array<{ addr_info: Array<{ local: string; scope: string }> }>;
  return links.flatMap((l) => l.addr_info.filter((a) => a.scope === "global").map((a) => a.local));
}

test("an egress function fetches from a public test host by address and by name; a none function cannot", async (t) => {
  if (skip !== false) return t.skip(skip);
  // The test host answers the machine itself (the route was checked when it was made).
  assert.equal(await (await fetch(`http://${INET}:8080/`)).text(), `hello from vjti${tag}`);

  const byAddress = await probe("probe-egress", { action: "fetch", url: `http://${INET}:8080/`, timeout: 5 });
  assert.deepEqual(byAddress, { ok: true, status: 200, body: `hello from vjti${tag}` });
  const resolved = await probe("probe-egress", { action: "resolve", name: "example.test" });
  assert.deepEqual(resolved, { ok: true, addresses: [INET] });
  const byName = await probe("probe-egress", {
    action: "fetch",
    url: "http://example.test:8080/",
    timeout: 5,
  });
  // The resolver answers only what the mode may reach: a name for a private address resolves to nothing.
  const hidden = await probe("probe-egress", { action: "resolve", name: "private.test" });
  assert.equal(hidden.ok, false, JSON.stringify(hidden));
  assert.equal(byName.ok, true, JSON.stringify(byName));

  const none = await probe("probe-none", { action: "fetch", url: `http://${INET}:8080/` });
  assert.equal(none.ok, false);
  assert.match(String(none.error), /unreachable|URLError/i);
  assert.equal((await probe("probe-none", { action: "resolve", name: "example.test" })).ok, false);
});

test("in every mode the host, private ranges, link-local metadata and other instances are out of reach", async (t) => {
  if (skip !== false) return t.skip(skip);
  if (s === undefined || priv === undefined || inet === undefined) throw new Error("not set up");
  // What the machine itself reaches: the private host and its own service on every address.
  assert.equal(await (await fetch(`http://${PRIVATE}:8080/`)).text(), `hello from vjtp${tag}`);
  const adminPort = new URL(s.url).port;
  const peer = (await probe("probe-peer", { action: "listen", port: 9000 })) as { address: string };
  assert.match(peer.address, new RegExp(`^${SUBNET.replace(".", "\\.")}\\.`));
  const targets = [
    ...[...hostAddresses(), GATEWAY, inet.peer, "127.0.0.1"].flatMap((a) => [
      `${a}:${hostPort}`,
      `${a}:${adminPort}`,
    ]),
    `${GATEWAY}:5432`,
    `${GATEWAY}:6379`,
    "169.254.169.254:80",
    `${PRIVATE}:8080`,
    `${peer.address}:9000`,
  ];
  for (const fn of ["probe-egress", "probe-none"]) {
    const out = await probe(fn, { action: "connect", targets, timeout: 1 });
    for (const target of targets) assert.notEqual(out[target], "connected", `${fn} must not reach ${target}`);
  }
  // The same probe does reach the public test host, so the refusals above are the rules' doing.
  const ok = await probe("probe-egress", { action: "connect", targets: [`${INET}:8080`], timeout: 3 });
  assert.equal(ok[`${INET}:8080`], "connected");
});

test("an egress function has no capabilities and no raw sockets", async (t) => {
  if (skip !== false) return t.skip(skip);
  const caps = (await probe("probe-egress", { action: "caps" })) as Record<string, string>;
  assert.equal(caps.CapEff, "0000000000000000");
  assert.equal(caps.CapBnd, "0000000000000000");
  const raw = await probe("probe-egress", { action: "raw" });
  assert.match(String(raw.raw), /PermissionError|Operation not permitted/);
});

test("a bad network mode is refused and changes nothing", async (t) => {
  if (skip !== false) return t.skip(skip);
  if (s === undefined) throw new Error("no server");
  const r = await deploy(s, { name: "probe-egress", network: "internet" });
  assert.equal(r.status, 400);
  assert.match(JSON.stringify(r.json), /network must be one of none, egress/);
  const info = await (await s.api("/functions/probe-egress")).json();
  assert.equal((info as { network: string }).network, "egress");
});

test("a server killed with SIGKILL leaves no namespace, bridge or rule behind after its next start", async (t) => {
  if (skip !== false) return t.skip(skip);
  if (s === undefined) throw new Error("no server");
  // Twenty instances at once (each call holds its instance), each with its own namespace.
  const fetches = Array.from({ length: 20 }, () =>
    probe("probe-egress", { action: "fetch", url: `http://${INET}:8080/`, timeout: 5, hold: 1.5 }),
  );
  for (const f of await Promise.all(fetches)) assert.equal(f.ok, true);
  assert.ok(namespacesNamed(`${BRIDGE}-`).length >= 20, "20 egress instances have namespaces");
  const dataDir = s.dataDir;
  await s.stop("SIGKILL");
  assert.ok(namespacesNamed(`${BRIDGE}-`).length >= 1, "a killed server leaves its namespaces");
  s = await startServer({ dataDir, env: serverEnv });
  assert.deepEqual(namespacesNamed(`${BRIDGE}-`), [], "the next start removed them");
  assert.notEqual(spawnSync("/usr/sbin/nft", ["list", "table", "inet", BRIDGE]).status, 0, "and the rules");
  // Access is exactly as configured again.
  assert.equal(
    (await probe("probe-egress", { action: "fetch", url: `http://${INET}:8080/`, timeout: 5 })).ok,
    true,
  );
  assert.equal((await probe("probe-none", { action: "fetch", url: `http://${INET}:8080/` })).ok, false);
  await s.stop();
  assert.deepEqual(namespacesNamed(`${BRIDGE}-`), [], "a clean stop leaves no namespace");
  assert.notEqual(spawnSync("/usr/sbin/ip", ["link", "show", BRIDGE]).status, 0, "nor the bridge");
  s = await startServer({ dataDir, env: serverEnv });
});

test("functions created without a network get egress, or the server's --default-network; a bad one stops the start", async (t) => {
  if (skip !== false) return t.skip(skip);
  const other = await startServer({
    env: { ...serverEnv, VAJRA_NET_BRIDGE: `vjd${tag}`, VAJRA_NET_SUBNET: "10.218" },
  });
  try {
    const r = await deploy(
      other,
      { name: "defaulted", runtime: "python3.11", handler: "app.handler" },
      "python/netprobe",
    );
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.network, "egress");
    const out = await invoke(other, "defaulted", {
      action: "fetch",
      url: `http://${INET}:8080/`,
      timeout: 5,
    });
    assert.equal(out.json().ok, true, out.text);
  } finally {
    await stopAndClean(other);
  }
  const offline = await startServer({ args: ["--default-network", "none"], env: serverEnv });
  try {
    const r = await deploy(
      offline,
      { name: "defaulted", runtime: "python3.11", handler: "app.handler" },
      "python/netprobe",
    );
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.network, "none");
  } finally {
    await stopAndClean(offline);
  }
  await assert.rejects(
    startServer({ args: ["--default-network", "internet"] }),
    /default network 'internet' must be one of none, egress/,
  );
});
