// Named networks (the VPC analogue): a private-range test host in a namespace this file creates, with
// two TCP ports listening; a function on a network allowing one of them connects to it and not to the
// other; functions in `egress` or `none` reach neither; functions on different networks cannot reach
// each other; host names in a network's rules resolve (through the test host's DNS) and the resolver
// answers them only to functions that may reach them; bad input is refused and changes nothing; the
// AWS SDK sets VpcConfig and reads it back. Every route is checked to lead into the test namespace first.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { createRoles, deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";
import { RUN_ID } from "../support/test-run.js";
import {
  createTestHost,
  namespacesNamed,
  networkTestsUnavailable,
  type TestHost,
} from "../support/netns-host.js";

const tag = RUN_ID.replace(/[^a-z0-9]/g, "").slice(-5);
const BRIDGE = `vjn${tag}`;
const SUBNET = "10.216";
const PRIVATE = "192.168.214.1";
const HOST_NS = `vjnp${tag}`;

let skip: string | false = skipUnlessSandbox();
if (skip === false) {
  const why = networkTestsUnavailable();
  if (why !== undefined) {
    if (process.env.CI !== undefined) throw new Error(`CI must run the network tests: ${why}`);
    skip = why;
  }
}

let s: ServerHandle | undefined;
let priv: TestHost | undefined;
/** A second listener on the private host (port 8081), besides its HTTP server on 8080. */
let second: ChildProcess | undefined;

before(async () => {
  if (skip !== false) return;
  priv = await createTestHost(HOST_NS, PRIVATE, { "db.test": PRIVATE });
  second = spawn(
    "/usr/sbin/ip",
    [
      "netns",
      "exec",
      HOST_NS,
      "python3",
      "-c",
      "import socket,sys\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n" +
        "s.bind(('0.0.0.0',8081))\ns.listen(16)\nprint('ready',flush=True)\n" +
        "while True:\n c,_=s.accept()\n c.sendall(b'second\\n')\n c.close()",
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const started = second;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("second listener did not start")), 10_000);
    started.stdout?.on("data", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  s = await startServer({
    env: { VAJRA_NET_BRIDGE: BRIDGE, VAJRA_NET_SUBNET: SUBNET, VAJRA_DNS_UPSTREAM: `${PRIVATE}:53` },
  });
  await createRoles(s, "any");
  for (const [name, allow] of [
    ["backend", [`${PRIVATE}/32:8080`]],
    ["named", ["db.test:8080", "unknown.invalid:5432"]],
    ["other", ["198.18.99.1:80"]],
  ] as const) {
    const r = await api("POST", "/networks", { name, allow });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
  for (const [name, network] of [
    ["on-backend", "backend"],
    ["on-named", "named"],
    ["on-other", "other"],
    ["on-egress", "egress"],
    ["on-none", "none"],
  ] as const) {
    const r = await deploy(
      s,
      { name, runtime: "python3.11", handler: "app.handler", timeout: 30, network },
      "python/netprobe",
    );
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
});

after(async () => {
  if (s !== undefined) await stopAndClean(s);
  for (const n of namespacesNamed(`${BRIDGE}-`)) spawnSync("/usr/sbin/ip", ["netns", "del", n]);
  spawnSync("/usr/sbin/ip", ["link", "del", BRIDGE]);
  spawnSync("/usr/sbin/nft", ["delete", "table", "inet", BRIDGE]);
  if (second !== undefined && second.exitCode === null) second.kill("SIGKILL");
  priv?.remove();
});

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  if (s === undefined) throw new Error("no server");
  const r = await s.api(path, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function probe(name: string, event: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (s === undefined) throw new Error("no server");
  const r = await invoke(s, name, event);
  assert.equal(r.status, 200, r.text);
  return r.json();
}

test("a named network reaches exactly its listed address:port; egress, none and other networks do not", async (t) => {
  if (skip !== false) return t.skip(skip);
  // Both ports listen: the machine itself reaches them (the route was checked when the host was made).
  assert.equal(await (await fetch(`http://${PRIVATE}:8080/`)).text(), `hello from ${HOST_NS}`);
  const targets = [`${PRIVATE}:8080`, `${PRIVATE}:8081`];
  const backend = await probe("on-backend", { action: "connect", targets, timeout: 3 });
  assert.equal(backend[`${PRIVATE}:8080`], "connected");
  assert.notEqual(backend[`${PRIVATE}:8081`], "connected", "the port not listed is refused");
  const fetched = await probe("on-backend", { action: "fetch", url: `http://${PRIVATE}:8080/`, timeout: 5 });
  assert.deepEqual(fetched, { ok: true, status: 200, body: `hello from ${HOST_NS}` });
  for (const fn of ["on-egress", "on-none", "on-other"]) {
    const out = await probe(fn, { action: "connect", targets, timeout: 1 });
    for (const target of targets) assert.notEqual(out[target], "connected", `${fn} must not reach ${target}`);
  }
  // Its instances' address comes from a block of its own, never from egress's half of the bridge.
  const where = (await probe("on-backend", { action: "listen", port: 9000 })) as { address: string };
  const third = Number(where.address.split(".")[2]);
  assert.ok(where.address.startsWith(`${SUBNET}.`) && third >= 128, where.address);
});

test("host names in a network's rules resolve; the resolver answers them only where they are reachable", async (t) => {
  if (skip !== false) return t.skip(skip);
  const shown = await api("GET", "/networks/named");
  assert.equal(shown.status, 200);
  assert.deepEqual(shown.json.resolved, { "db.test": [PRIVATE], "unknown.invalid": null });
  assert.deepEqual(shown.json.allow, ["db.test:8080", "unknown.invalid:5432"]);
  const named = await probe("on-named", {
    action: "connect",
    targets: [`${PRIVATE}:8080`, `${PRIVATE}:8081`],
    timeout: 3,
  });
  assert.equal(named[`${PRIVATE}:8080`], "connected");
  assert.notEqual(named[`${PRIVATE}:8081`], "connected");
  assert.deepEqual(await probe("on-named", { action: "resolve", name: "db.test" }), {
    ok: true,
    addresses: [PRIVATE],
  });
  // An egress function, or one whose network lists nothing there, gets no answer naming it.
  assert.equal((await probe("on-egress", { action: "resolve", name: "db.test" })).ok, false);
  assert.equal((await probe("on-other", { action: "resolve", name: "db.test" })).ok, false);
});

test("functions on different networks cannot reach each other", async (t) => {
  if (skip !== false) return t.skip(skip);
  const a = (await probe("on-backend", { action: "listen", port: 9100 })) as { address: string };
  const b = (await probe("on-other", { action: "listen", port: 9100 })) as { address: string };
  assert.notEqual(a.address.split(".")[2], b.address.split(".")[2], "two networks, two blocks");
  const ab = await probe("on-backend", { action: "connect", targets: [`${b.address}:9100`], timeout: 1 });
  const ba = await probe("on-other", { action: "connect", targets: [`${a.address}:9100`], timeout: 1 });
  assert.notEqual(ab[`${b.address}:9100`], "connected");
  assert.notEqual(ba[`${a.address}:9100`], "connected");
});

test("a function on two networks with overlapping rules reaches their union, and nothing more", async (t) => {
  if (skip !== false) return t.skip(skip);
  if (s === undefined) throw new Error("no server");
  // Overlaps backend's 192.168.214.1/32:8080 (the kernel refuses overlapping set elements as given).
  const r = await api("POST", "/networks", {
    name: "overlap",
    allow: [`${PRIVATE.replace(/1$/, "0")}/24:8079-8080`],
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const d = await deploy(
    s,
    {
      name: "on-two",
      runtime: "python3.11",
      handler: "app.handler",
      timeout: 30,
      network: "overlap,backend",
    },
    "python/netprobe",
  );
  assert.equal(d.status, 201, JSON.stringify(d.json));
  assert.equal(d.json.network, "backend,overlap");
  const out = await probe("on-two", {
    action: "connect",
    targets: [`${PRIVATE}:8080`, `${PRIVATE}:8081`],
    timeout: 2,
  });
  assert.equal(out[`${PRIVATE}:8080`], "connected");
  assert.notEqual(out[`${PRIVATE}:8081`], "connected");
  assert.equal((await api("DELETE", "/functions/on-two")).status, 204);
  assert.equal((await api("DELETE", "/networks/overlap")).status, 204);
});

test("a network's rules change for its running instances at once", async (t) => {
  if (skip !== false) return t.skip(skip);
  const r = await api("PUT", "/networks/backend", { allow: [`${PRIVATE}:8081`] });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const out = await probe("on-backend", {
    action: "connect",
    targets: [`${PRIVATE}:8080`, `${PRIVATE}:8081`],
    timeout: 2,
  });
  assert.notEqual(out[`${PRIVATE}:8080`], "connected");
  assert.equal(out[`${PRIVATE}:8081`], "connected");
  assert.equal((await api("PUT", "/networks/backend", { allow: [`${PRIVATE}/32:8080`] })).status, 200);
});

test("bad input is refused with a clear error and changes nothing", async (t) => {
  if (skip !== false) return t.skip(skip);
  if (s === undefined) throw new Error("no server");
  const unknown = await deploy(s, { name: "on-backend", network: "backend,nosuch" });
  assert.equal(unknown.status, 400);
  assert.match(JSON.stringify(unknown.json), /'nosuch' does not exist/);
  assert.equal(((await api("GET", "/functions/on-backend")).json as { network: string }).network, "backend");

  const badCidr = await api("POST", "/networks", { name: "broken", allow: ["10.0.0.1/33:80"] });
  assert.equal(badCidr.status, 400);
  assert.match(JSON.stringify(badCidr.json), /not an IPv4 address or CIDR/);
  const badPort = await api("POST", "/networks", { name: "broken", allow: ["10.0.0.1:70000"] });
  assert.equal(badPort.status, 400);
  assert.match(JSON.stringify(badPort.json), /port must be 1-65535/);
  const badName = await api("POST", "/networks", { name: "Bad-Name", allow: [] });
  assert.equal(badName.status, 400);
  assert.equal((await api("GET", "/networks/broken")).status, 404);
  const dup = await api("POST", "/networks", { name: "backend", allow: [] });
  assert.equal(dup.status, 409);

  const inUse = await api("DELETE", "/networks/backend");
  assert.equal(inUse.status, 409);
  assert.match(JSON.stringify(inUse.json), /NetworkInUse/);
  assert.match(JSON.stringify(inUse.json), /on-backend/);
  assert.equal((await api("GET", "/networks/backend")).status, 200, "still there");

  // The CLI says the same.
  const cli = s.cli(["network", "delete", "backend", "--yes"]);
  assert.notEqual(cli.status, 0);
  assert.match(cli.stderr, /used by .*on-backend/);
  const created = s.cli(["network", "create", "spare", "--allow", "10.9.0.0/16:5432", "--egress"]);
  assert.equal(created.status, 0, created.stderr);
  const listed = s.cli(["--json", "network", "list"]);
  assert.match(listed.stdout, /"spare"/);
  assert.equal(s.cli(["network", "delete", "spare", "--yes"]).status, 0);
  assert.equal((await api("GET", "/networks/spare")).status, 404);
});

test("the AWS SDK sets VpcConfig and reads it back; an empty VpcConfig restores the default", async (t) => {
  if (skip !== false) return t.skip(skip);
  if (s === undefined) throw new Error("no server");
  process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING = "1";
  const text = readFileSync(join(s.dataDir, "credentials"), "utf8");
  const get = (k: string): string => new RegExp(`${k} = (\\S+)`).exec(text)?.[1] ?? "";
  const lambda = new LambdaClient({
    endpoint: s.url,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: { accessKeyId: get("aws_access_key_id"), secretAccessKey: get("aws_secret_access_key") },
  });
  const zip = spawnSync("python3", [
    "-c",
    "import io,sys,zipfile\nb=io.BytesIO()\nz=zipfile.ZipFile(b,'w')\nz.writestr('app.py','def handler(e,c):\\n    return 1\\n')\nz.close()\nsys.stdout.buffer.write(b.getvalue())",
  ]).stdout;
  const created = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "vpc-fn",
      Runtime: "python3.11",
      Handler: "app.handler",
      Role: "arn:aws:iam::000000000000:role/any",
      Code: { ZipFile: zip },
      VpcConfig: { SubnetIds: ["subnet-backend"], SecurityGroupIds: ["sg-backend"] },
    }),
  );
  assert.deepEqual(created.VpcConfig?.SubnetIds, ["subnet-backend"]);
  const read = await lambda.send(new GetFunctionCommand({ FunctionName: "vpc-fn" }));
  assert.deepEqual(read.Configuration?.VpcConfig?.SubnetIds, ["subnet-backend"]);
  assert.deepEqual(read.Configuration?.VpcConfig?.SecurityGroupIds, ["sg-backend"]);
  assert.match(read.Configuration?.VpcConfig?.VpcId ?? "", /^vpc-[0-9a-f]{17}$/);
  assert.equal(((await api("GET", "/functions/vpc-fn")).json as { network: string }).network, "backend");

  const both = await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "vpc-fn",
      VpcConfig: { SubnetIds: ["subnet-other"], SecurityGroupIds: ["sg-backend"] },
    }),
  );
  assert.deepEqual(both.VpcConfig?.SubnetIds, ["subnet-backend", "subnet-other"]);
  assert.notEqual(both.VpcConfig?.VpcId, read.Configuration?.VpcConfig?.VpcId);

  await assert.rejects(
    lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "vpc-fn",
        VpcConfig: { SubnetIds: ["subnet-nosuch"], SecurityGroupIds: [] },
      }),
    ),
    (e: { name: string; message: string }) =>
      e.name === "InvalidParameterValueException" && /'nosuch' does not exist/.test(e.message),
  );
  await assert.rejects(
    lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "vpc-fn",
        VpcConfig: { SubnetIds: ["backend"], SecurityGroupIds: [] },
      }),
    ),
    (e: { name: string }) => e.name === "ValidationException",
  );
  const cleared = await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "vpc-fn",
      VpcConfig: { SubnetIds: [], SecurityGroupIds: [] },
    }),
  );
  assert.equal(cleared.VpcConfig, undefined);
  const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "vpc-fn" }));
  assert.equal(after.VpcConfig, undefined);
  assert.equal(
    ((await api("GET", "/functions/vpc-fn")).json as { network: string }).network,
    "egress",
    "the server's default",
  );
});
