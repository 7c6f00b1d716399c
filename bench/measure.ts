// The benchmark's measuring tools: the processes it starts (a bare node:http baseline, a Vajra server
// on a throw-away data directory), warm load with autocannon and cold starts timed end to end.

import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

export interface LoadResult {
  target: string;
  connections: number;
  rps: number;
  /** autocannon's latency percentiles, in whole milliseconds (its histogram's resolution). */
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Instances of the function after the run (a Vajra target only). */
  instances?: number;
  /** CPU time of the server process (all its threads) per request in the measured run, in µs (with `cpu`). */
  cpuUsPerRequest?: number;
}

export interface ColdResult {
  samples: number;
  p50: number;
  p99: number;
  initP50: number;
  /** Invocations that failed (non-200 status or a function error). */
  errors: number;
  /** Samples whose instance was a pre-initialised sandbox (GET /health's preinitPool.taken). */
  fromPool: number;
}

function waitForOutput(proc: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  return new Promise((res, rej) => {
    let buf = "";
    const timer = setTimeout(
      () => rej(new Error(`timed out waiting for ${String(pattern)}: ${buf}`)),
      timeoutMs,
    );
    const on = (c: Buffer): void => {
      buf += c.toString();
      const m = pattern.exec(buf);
      if (m !== null) {
        clearTimeout(timer);
        res(m[1] ?? m[0]);
      }
    };
    proc.stdout?.on("data", on);
    proc.stderr?.on("data", on);
  });
}

const BARE_SERVER = `
const http = require("node:http");
const body = JSON.stringify({ hello: "world" });
http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }); res.end(body); });
}).listen(0, "127.0.0.1", function () { console.log("PORT " + this.address().port); });
`;

export interface Bare {
  url: string;
  stop(): void;
}

/** The machine's own limit: a node:http server answering a fixed hello. */
export async function startBare(): Promise<Bare> {
  const bare = spawn(process.execPath, ["-e", BARE_SERVER], { stdio: ["ignore", "pipe", "pipe"] });
  const port = await waitForOutput(bare, /PORT (\d+)/);
  return { url: `http://127.0.0.1:${port}/`, stop: () => bare.kill() };
}

// An OTLP/HTTP receiver that counts spans (the `"spanId"` keys, found with Buffer.indexOf: no decoding,
// no regex) and answers 200, as a collector would; GET answers the count so far.
const OTLP_SINK = `
const http = require("node:http");
const key = Buffer.from('"spanId"');
let spans = 0;
http.createServer((req, res) => {
  if (req.method === "GET") { req.resume(); res.end(String(spans)); return; }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    for (let i = body.indexOf(key); i !== -1; i = body.indexOf(key, i + key.length)) spans++;
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
}).listen(0, "127.0.0.1", function () { console.log("PORT " + this.address().port); });
`;

export interface OtlpSink {
  url: string;
  /** Spans received so far. */
  spans(): Promise<number>;
  stop(): void;
}

/**
 * A collector stand-in in its own process: receiving and counting spans must not share an event loop
 * with autocannon, whose requests it would delay (and so charge to the traced server).
 */
export async function startOtlpSink(): Promise<OtlpSink> {
  const sink = spawn(process.execPath, ["-e", OTLP_SINK], { stdio: ["ignore", "pipe", "pipe"] });
  const port = await waitForOutput(sink, /PORT (\d+)/);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    spans: async () => Number(await (await fetch(url)).text()),
    stop: () => sink.kill(),
  };
}

export interface VajraServer {
  base: string;
  /** The server's process id (its sandboxes' cgroups are under vajra/<pid>). */
  pid: number;
  auth: Record<string, string>;
  stop(): Promise<void>;
}

/** A Vajra server on a fresh data directory (so every build starts with empty caches). */
export async function startVajra(
  root: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<VajraServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "vajra-bench-"));
  const port = 18700 + Math.floor(Math.random() * 1000);
  const server = spawn(
    process.execPath,
    [
      ...nodeArgs,
      join(root, "bin", "vajra.js"),
      "server",
      "--port",
      String(port),
      "--data-dir",
      dataDir,
      "--concurrency-limit",
      "1000",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, VAJRA_LOG_LEVEL: "warn", ...env } },
  );
  server.stderr.on("data", (c: Buffer) => process.stderr.write(`[server] ${c.toString()}`));
  server.on("exit", (code, sig) => {
    if (code !== 0) process.stderr.write(`[server] exited: ${code ?? sig ?? "?"}\n`);
  });
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  let key = "";
  for (let i = 0; i < 200 && key === ""; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      key = readFileSync(join(dataDir, "admin-key"), "utf8").trim();
      if ((await fetch(`${base}/health`, { headers: { authorization: `Bearer ${key}` } })).status !== 200)
        key = "";
    } catch {
      key = "";
    }
  }
  if (key === "") {
    await stop();
    throw new Error("the Vajra server did not start");
  }
  return { base, pid: server.pid ?? 0, auth: { authorization: `Bearer ${key}` }, stop };
}

export interface LoadOptions {
  target: string;
  url: string;
  connections: number;
  durationS: number;
  headers: Record<string, string>;
  body: string;
  /** How many instances serve the target: the warm-up goes on until it stops growing. */
  instances?: () => Promise<number>;
  /** The target's cumulative CPU seconds (processCpuSeconds), read around the measured run. */
  cpu?: () => number;
}

/**
 * User + system CPU seconds a process (all its threads) has used, from /proc/<pid>/stat (fields 14 and
 * 15, in clock ticks of 1/100 s: USER_HZ is 100 on Linux). NaN where /proc is missing.
 */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const MAX_WARMUP_ROUNDS = 6;

export async function load(o: LoadOptions): Promise<LoadResult> {
  process.stderr.write(`measuring ${o.target} at ${o.connections} connection(s)...\n`);
  const opts = {
    url: o.url,
    connections: o.connections,
    method: "POST" as const,
    headers: o.headers,
    body: o.body,
  };
  // Warm-up rounds, so every instance is started (and a JIT has seen the path) before measuring: 32
  // connections start up to 32 instances, which takes more than a second on a small host, and the
  // stragglers would otherwise land in the measured window. Each round is a number of requests, not a
  // time: a timed round closes its connections with invocations still in flight, the server finishes
  // them (as Lambda does), and the next round's requests would find those instances busy and start
  // more — the instance count would then measure the harness, not the platform.
  let instances = -1;
  for (let round = 1; round <= MAX_WARMUP_ROUNDS; round++) {
    await autocannon({ ...opts, amount: o.connections * 20 });
    if (o.instances === undefined) break;
    const now = await o.instances();
    process.stderr.write(`  warm-up round ${round}: ${now} instance(s)\n`);
    if (now === instances) break;
    instances = now;
  }
  const cpuBefore = o.cpu?.();
  const r = await autocannon({ ...opts, duration: o.durationS });
  const cpuAfter = o.cpu?.();
  const after = o.instances === undefined ? undefined : await o.instances();
  const cpuUs =
    cpuBefore === undefined || cpuAfter === undefined || r.requests.total === 0
      ? undefined
      : ((cpuAfter - cpuBefore) * 1e6) / r.requests.total;
  return {
    target: o.target,
    connections: o.connections,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
    ...(after === undefined ? {} : { instances: after }),
    ...(cpuUs === undefined || Number.isNaN(cpuUs) ? {} : { cpuUsPerRequest: cpuUs }),
  };
}

/** Stops the function's instances, so that the next invocation starts a fresh one. */
export async function dropInstances(server: VajraServer, name: string): Promise<void> {
  const r = await fetch(`${server.base}/functions/${name}/instances`, {
    method: "DELETE",
    headers: server.auth,
  });
  await r.arrayBuffer();
}

/** The function's instances, idle or busy. */
export async function instanceCount(server: VajraServer, name: string): Promise<number> {
  const r = await fetch(`${server.base}/functions/${name}`, { headers: server.auth });
  const { instances } = (await r.json()) as { instances?: { idle?: number; busy?: number } };
  return (instances?.idle ?? 0) + (instances?.busy ?? 0);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export interface Invocation {
  ok: boolean;
  status: number;
  body: string;
  initMs: number;
}

/** One synchronous invocation through the native API; ok when it answered 200 without a function error. */
/**
 * One keep-alive connection's agent for timed single invocations: node:http costs the client a tenth of
 * a millisecond a request where fetch (undici) costs about one and a half, which a cold start of a few
 * milliseconds would otherwise carry.
 */
const timedAgent = new Agent({ keepAlive: true, maxSockets: 1 });

export function invoke(server: VajraServer, name: string, event: string): Promise<Invocation> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.base}/functions/${name}/invoke`,
      { method: "POST", headers: server.auth, agent: timedAgent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const init = res.headers["x-vajra-init-duration-ms"];
          resolve({
            ok: res.statusCode === 200 && res.headers["x-vajra-function-error"] === undefined,
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            initMs: typeof init === "string" ? Number(init) : NaN,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(event);
  });
}

interface PoolHealth {
  waiting: number;
  ready: number;
  taken: number;
}

async function poolHealth(server: VajraServer): Promise<PoolHealth | undefined> {
  const r = await fetch(`${server.base}/health`, { headers: server.auth });
  const body = (await r.json()) as { preinitPool?: PoolHealth | null };
  return body.preinitPool ?? undefined;
}

/**
 * Waits (at most `limitMs`) until at least `atLeast` sandboxes wait in the pool, all of them ready, and
 * answers how many that is: a cold start of a function the pool serves then finds one, as sporadic cold
 * starts do; back to back every few tens of milliseconds, they would outrun the refill (the burst part
 * measures that). The counts are the pool's totals over every shape.
 */
async function poolSettled(server: VajraServer, atLeast: number, limitMs: number): Promise<number> {
  const until = performance.now() + limitMs;
  let waiting = 0;
  for (let i = 0; i < 400 && performance.now() < until; i++) {
    const p = await poolHealth(server);
    if (p === undefined) return 0;
    waiting = p.waiting;
    if (p.waiting >= atLeast && p.ready >= p.waiting) return waiting;
    await new Promise((r) => setTimeout(r, 5));
  }
  return waiting;
}

/** Cold starts: drop the warm instances, then time the first invocation of a fresh one end to end. */
export async function coldStarts(
  server: VajraServer,
  name: string,
  event: string,
  samples: number,
): Promise<ColdResult> {
  process.stderr.write(`measuring cold starts of ${name} (${samples} samples)...\n`);
  const total: number[] = [];
  const init: number[] = [];
  let errors = 0;
  let fromPool = 0;
  // Whether the pool serves this function: assumed at first, then as the last sample showed; and how
  // many sandboxes wait when it is full (other functions' shapes included).
  let pooled = true;
  let full = 0;
  for (let i = 0; i < samples; i++) {
    await dropInstances(server, name);
    await new Promise((r) => setTimeout(r, 30));
    if (pooled) full = Math.max(full, await poolSettled(server, full, 2000));
    const takenBefore = (await poolHealth(server))?.taken ?? 0;
    const t0 = performance.now();
    const r = await invoke(server, name, event);
    total.push(performance.now() - t0);
    pooled = ((await poolHealth(server))?.taken ?? 0) > takenBefore;
    if (pooled) fromPool++;
    if (!r.ok) errors++;
    if (!Number.isNaN(r.initMs)) init.push(r.initMs);
  }
  total.sort((a, b) => a - b);
  init.sort((a, b) => a - b);
  return {
    samples: total.length,
    p50: percentile(total, 50),
    p99: percentile(total, 99),
    initP50: percentile(init, 50),
    errors,
    fromPool,
  };
}
