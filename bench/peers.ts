// `npm run bench -- --peers`: the same Node.js hello function in the platforms Vajra is compared with —
// serverless-offline (its worker-thread and in-process modes, invoked through its Lambda Invoke API) and
// Miniflare (workerd) — measured with the same load generator in the same run as the bare server and
// Vajra, so the comparison is reproducible on any machine. The peers are installed from the npm registry
// into a cache outside the repository (VAJRA_BENCH_PEERS_DIR, default ~/.cache/vajra-bench-peers), at
// pinned versions that still run on Node 20; nothing of theirs is committed.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { load, type LoadResult } from "./measure.js";

/** serverless 3 (4 needs a login), its offline plugin 13 (14 needs serverless 4), Miniflare's last Node 18+ line. */
export const PEER_VERSIONS: Readonly<Record<string, string>> = {
  serverless: "3.40.0",
  "serverless-offline": "13.9.0",
  miniflare: "4.20260426.0",
};

/** Keeps serverless from phoning home: no telemetry, no update or deprecation notices. */
const SLS_ENV = { SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off", SLS_DEPRECATION_DISABLE: "*" };

const HELLO_NODE = `export const handler = async (event) => ({ hello: event.name ?? "world" });\n`;
const HELLO_WORKER = `export default {
  async fetch(request) {
    const event = await request.json();
    return Response.json({ hello: event.name ?? "world" });
  },
};\n`;

export interface PeerFirst {
  target: string;
  /** From starting the peer's process (or object) until it accepted requests. */
  readyMs: number;
  /** The first invocation after it was ready, end to end: what a user waits for on a fresh start. */
  firstMs: number;
}

export interface PeerResults {
  loads: LoadResult[];
  first: PeerFirst[];
  /** Peers that could not be installed or started, with the reason (the rest still run). */
  skipped: string[];
}

interface PeerServer {
  url: string;
  readyMs: number;
  stop(): Promise<void>;
}

export function peersDir(): string {
  return process.env.VAJRA_BENCH_PEERS_DIR ?? join(homedir(), ".cache", "vajra-bench-peers");
}

function installedVersion(dir: string, pkg: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(join(dir, "node_modules", pkg, "package.json"), "utf8")) as {
      version?: string;
    };
    return json.version;
  } catch {
    return undefined;
  }
}

/** Installs the pinned peers into `dir` unless they are there already (the npm registry only). */
export function ensurePeers(dir: string): void {
  const missing = Object.entries(PEER_VERSIONS).filter(([p, v]) => installedVersion(dir, p) !== v);
  if (missing.length === 0) return;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "package.json")))
    writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
  process.stderr.write(`installing the peers into ${dir} (once)...\n`);
  const r = spawnSync(
    "npm",
    ["install", "--no-audit", "--no-fund", ...Object.entries(PEER_VERSIONS).map(([p, v]) => `${p}@${v}`)],
    { cwd: dir, stdio: ["ignore", "inherit", "inherit"], timeout: 600_000 },
  );
  if (r.status !== 0)
    throw new Error(`npm install of the peers failed (exit ${r.status ?? r.signal ?? "?"})`);
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => done(new Error(`no "${pattern.source}" within ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = (c: Buffer): void => {
      out += c.toString();
      if (pattern.test(out)) done();
    };
    const onExit = (code: number | null): void =>
      done(new Error(`exited (${code ?? "signal"}) before ready:\n${out}`));
    function done(err?: Error): void {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (err === undefined) resolve();
      else reject(err);
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  // serverless-offline runs handlers in worker threads (or in process) of this one process: SIGTERM ends it all.
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** serverless-offline serving the hello through its Lambda Invoke API (`--lambdaPort`). */
async function startServerlessOffline(dir: string, port: number, inProcess: boolean): Promise<PeerServer> {
  const service = join(dir, inProcess ? "sls-in-process" : "sls-workers");
  mkdirSync(service, { recursive: true });
  writeFileSync(join(service, "index.mjs"), HELLO_NODE);
  writeFileSync(
    join(service, "serverless.yml"),
    [
      "service: peer",
      'frameworkVersion: "3"',
      "provider:",
      "  name: aws",
      "  runtime: nodejs20.x",
      "functions:",
      "  hello:",
      "    handler: index.handler",
      "plugins:",
      "  - serverless-offline",
      "",
    ].join("\n"),
  );
  const args = [
    join(dir, "node_modules", "serverless", "bin", "serverless.js"),
    "offline",
    "start",
    "--host",
    "127.0.0.1",
    "--httpPort",
    String(port + 1),
    "--lambdaPort",
    String(port),
    "--noTimeout",
    ...(inProcess ? ["--useInProcess"] : []),
  ];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: service,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...SLS_ENV },
  });
  try {
    await waitForLine(child, /listening on http:\/\/[^\s]+:\d+/, 60_000);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}/2015-03-31/functions/peer-dev-hello/invocations`,
    readyMs: performance.now() - t0,
    stop: () => stopChild(child),
  };
}

interface MiniflareLike {
  ready: Promise<URL>;
  dispose(): Promise<void>;
}

/** Miniflare 4 (workerd) serving the hello as a module worker. */
async function startMiniflare(dir: string): Promise<PeerServer> {
  const require = createRequire(join(dir, "package.json"));
  const { Miniflare } = require("miniflare") as {
    Miniflare: new (o: Record<string, unknown>) => MiniflareLike;
  };
  const t0 = performance.now();
  const mf = new Miniflare({ modules: true, script: HELLO_WORKER, host: "127.0.0.1", port: 0 });
  const url = await mf.ready;
  return { url: url.href, readyMs: performance.now() - t0, stop: () => mf.dispose() };
}

async function firstInvocation(url: string, event: string): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(url, {
    method: "POST",
    body: event,
    headers: { "content-type": "application/json" },
  });
  const body = await r.text();
  if (r.status !== 200 || !body.includes("hello"))
    throw new Error(`first invocation answered ${r.status}: ${body}`);
  return performance.now() - t0;
}

/** Measures each peer in turn (one running at a time) at every connection count of the warm part. */
export async function peerBench(o: {
  event: string;
  durationS: number;
  connections: number[];
}): Promise<PeerResults> {
  const dir = peersDir();
  const out: PeerResults = { loads: [], first: [], skipped: [] };
  try {
    ensurePeers(dir);
  } catch (err) {
    out.skipped.push(`all peers: ${err instanceof Error ? err.message : String(err)}`);
    return out;
  }
  const base = 24000 + Math.floor(Math.random() * 2000) * 2;
  const peers: Array<[string, () => Promise<PeerServer>]> = [
    ["serverless-offline (worker threads)", () => startServerlessOffline(dir, base, false)],
    ["serverless-offline (in process)", () => startServerlessOffline(dir, base + 2, true)],
    ["miniflare (workerd)", () => startMiniflare(dir)],
  ];
  for (const [target, start] of peers) {
    let server: PeerServer | undefined;
    try {
      server = await start();
      out.first.push({
        target,
        readyMs: server.readyMs,
        firstMs: await firstInvocation(server.url, o.event),
      });
      for (const c of o.connections)
        out.loads.push(
          await load({
            target,
            url: server.url,
            connections: c,
            durationS: o.durationS,
            body: o.event,
            headers: { "content-type": "application/json" },
          }),
        );
    } catch (err) {
      out.skipped.push(`${target}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await server?.stop();
    }
  }
  return out;
}
