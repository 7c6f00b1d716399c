// `npm run bench`: measures Vajra's invocation path against the machine's own limit in one run — a
// bare node:http hello server — so every figure is a ratio to a baseline taken on the same machine
// at the same moment. One hello function per runtime family (python, nodejs, java, go, rust, provided)
// is deployed first (Go, Rust and Java are compiled by the server at deploy, so this takes a while),
// then: warm throughput and latency at 1 connection for every family and at 32 for python and nodejs
// (autocannon), and cold start p50/p99 per family. Families whose runtime the host lacks are skipped
// with a note. Prints a table per family and writes JSON to bench/results/.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { zipDirectory } from "../src/blobs/zip-dir.js";
import { brokerBench, printBrokers, type BrokerResults } from "./brokers.js";
import {
  coldStarts,
  dropInstances,
  instanceCount,
  invoke,
  load,
  startBare,
  startVajra,
  percentile,
  type ColdResult,
  type LoadResult,
  type VajraServer,
} from "./measure.js";
import { fanOut, idlePss, printScale, type FanOutResult, type IdlePssResult } from "./burst.js";
import { observabilityCost, type ObservabilityCost } from "./observability-cost.js";
import { peerBench, type PeerResults } from "./peers.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The checkout whose server is measured: another build (a worktree of the base commit) for a before/after. */
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ?? ROOT;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const COLD_SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 25);
const COLD_SAMPLES_COMPILED = Number(process.env.BENCH_COLD_SAMPLES_COMPILED ?? 15);
const BARE = "bare node:http";
const IDLE_PSS_INSTANCES = Number(process.env.BENCH_IDLE_INSTANCES ?? 50);

/**
 * Narrowing, for a quick look at one path (the full run takes many minutes): BENCH_ONLY=nodejs,python
 * keeps those families, BENCH_CONNECTIONS=32 those warm connection counts (default 1,32), and
 * BENCH_PARTS=warm those parts of the run (warm, freeze, cold, network, observability, brokers; default all;
 * and the slow scale-out parts burst, concurrency1000, idlepss — bench/burst.ts — only when named).
 * BENCH_SERVER_ROOT=<another checkout, built> measures that checkout's server with this harness.
 */
function listEnv(name: string, allowed: readonly string[] | undefined): string[] | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const item of items) {
    if (allowed !== undefined && !allowed.includes(item))
      throw new Error(`${name}: unknown value "${item}" (expected some of: ${allowed.join(", ")})`);
  }
  return items;
}

interface BenchFunction {
  family: string;
  name: string;
  runtime: string;
  handler: string;
  dir: string;
  /**
   * Also measured at 32 connections. Only the interpreted families: 32 concurrent requests start 32
   * instances, and 32 JVMs (and the minutes of load runs for every family) do not fit a small host.
   */
  wide: boolean;
  coldSamples: number;
}

const FUNCTIONS: BenchFunction[] = [
  {
    family: "python",
    name: "bench-python",
    runtime: "python3.12",
    handler: "app.handler",
    dir: "bench/functions/python-hello",
    wide: true,
    coldSamples: COLD_SAMPLES,
  },
  {
    family: "nodejs",
    name: "bench-node",
    runtime: "nodejs20.x",
    handler: "index.handler",
    dir: "bench/functions/node-hello",
    wide: true,
    coldSamples: COLD_SAMPLES,
  },
  {
    family: "java",
    name: "bench-java",
    runtime: "java17",
    handler: "example.Hello::handleRequest",
    dir: "bench/functions/java-hello",
    wide: false,
    coldSamples: COLD_SAMPLES_COMPILED,
  },
  {
    family: "go",
    name: "bench-go",
    runtime: "go1.19",
    handler: "bootstrap",
    dir: "bench/functions/go-hello",
    wide: false,
    coldSamples: COLD_SAMPLES_COMPILED,
  },
  {
    family: "rust",
    name: "bench-rust",
    runtime: "rust1.70",
    handler: "bootstrap",
    dir: "bench/functions/rust-hello",
    wide: false,
    coldSamples: COLD_SAMPLES_COMPILED,
  },
  {
    // A sh + curl bootstrap, as in AWS's custom-runtime tutorial: two curl processes per invocation.
    family: "provided",
    name: "bench-provided",
    runtime: "provided.al2023",
    handler: "bootstrap",
    dir: "bench/functions/provided-hello",
    wide: false,
    coldSamples: COLD_SAMPLES_COMPILED,
  },
];

interface RuntimeListing {
  id: string;
  available: boolean;
  version?: string;
  reason?: string;
}

interface Deployed extends BenchFunction {
  version: string;
  deploySeconds: number;
}

/** Why a family is missing from the results: its runtime is not on this host, or it failed. */
interface Skipped {
  family: string;
  runtime: string;
  reason: string;
  /** True when the runtime was available but the function did not deploy or run: a real problem. */
  failed: boolean;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function runtimeListings(server: VajraServer): Promise<Map<string, RuntimeListing>> {
  const r = await fetch(`${server.base}/runtimes`, { headers: server.auth });
  if (!r.ok) throw new Error(`GET /runtimes: ${r.status} ${await r.text()}`);
  const { runtimes } = (await r.json()) as { runtimes: RuntimeListing[] };
  return new Map(runtimes.map((rt) => [rt.id, rt]));
}

/** Deploys (building it if the family compiles), then checks that one invocation answers. */
async function deploy(
  server: VajraServer,
  f: BenchFunction,
  event: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  process.stderr.write(`deploying ${f.name} (${f.runtime})...\n`);
  const t0 = performance.now();
  const zipFile = (await zipDirectory(join(ROOT, f.dir))).toString("base64");
  const r = await fetch(`${server.base}/functions`, {
    method: "POST",
    headers: { ...server.auth, "content-type": "application/json" },
    body: JSON.stringify({
      name: f.name,
      runtime: f.runtime,
      handler: f.handler,
      memorySize: 128,
      zipFile,
      ...extra,
    }),
  });
  if (!r.ok) throw new Error(`deploy failed (${r.status}): ${await r.text()}`);
  const seconds = (performance.now() - t0) / 1000;
  const check = await invoke(server, f.name, event);
  if (!check.ok) throw new Error(`first invocation failed (${check.status}): ${check.body}`);
  process.stderr.write(`deployed ${f.name} in ${seconds.toFixed(1)} s; it answers ${check.body}\n`);
  return seconds;
}

/**
 * What freezing idle instances costs a warm invocation: the python hello at one connection on this
 * server and on a second one started with VAJRA_FREEZE=off, measured back to back.
 */
async function freezeCost(
  on: VajraServer,
  f: BenchFunction,
  event: string,
): Promise<{ on: LoadResult; off: LoadResult }> {
  const off = await startVajra(SERVER_ROOT, { VAJRA_FREEZE: "off" });
  try {
    await deploy(off, f, event);
    const common = { connections: 1, durationS: DURATION_S, body: event };
    const measure = (server: VajraServer, target: string): Promise<LoadResult> =>
      load({ ...common, target, url: `${server.base}/functions/${f.name}/invoke`, headers: server.auth });
    const withFreeze = await measure(on, `${f.name} (freeze on)`);
    const withoutFreeze = await measure(off, `${f.name} (freeze off)`);
    return { on: withFreeze, off: withoutFreeze };
  } finally {
    await off.stop();
  }
}

/**
 * What network mode egress adds to a cold start: the python hello deployed twice, `none` and `egress`,
 * cold-started alternately on the same server. Undefined where the host cannot offer egress.
 */
async function networkCost(
  vajra: VajraServer,
  f: BenchFunction,
  event: string,
): Promise<{ none: ColdResult; egress: ColdResult } | undefined> {
  const egress = { ...f, name: `${f.name}-egress` };
  try {
    await deploy(vajra, egress, event, { network: "egress" });
  } catch (err) {
    process.stderr.write(`note: no egress measurement: ${errorMessage(err)}\n`);
    return undefined;
  }
  const samples: Record<"none" | "egress", ColdResult[]> = { none: [], egress: [] };
  for (let i = 0; i < f.coldSamples; i++) {
    samples.none.push(await coldStarts(vajra, f.name, event, 1));
    samples.egress.push(await coldStarts(vajra, egress.name, event, 1));
  }
  const merge = (rs: ColdResult[]): ColdResult => {
    const t = rs.map((r) => r.p50).sort((a, b) => a - b);
    const init = rs
      .map((r) => r.initP50)
      .filter((x) => !Number.isNaN(x))
      .sort((a, b) => a - b);
    return {
      samples: t.length,
      p50: percentile(t, 50),
      p99: percentile(t, 99),
      initP50: percentile(init, 50),
      errors: rs.reduce((n, r) => n + r.errors, 0),
      fromPool: rs.reduce((n, r) => n + r.fromPool, 0),
    };
  };
  return { none: merge(samples.none), egress: merge(samples.egress) };
}

function fixed(n: number | undefined, digits: number): string {
  return n === undefined || Number.isNaN(n) ? "-" : n.toFixed(digits);
}

async function main(): Promise<void> {
  const only = listEnv(
    "BENCH_ONLY",
    FUNCTIONS.map((f) => f.family),
  );
  const connections = (listEnv("BENCH_CONNECTIONS", undefined) ?? ["1", "32"]).map((c) => {
    const n = Number(c);
    if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_CONNECTIONS: "${c}" is not a positive integer`);
    return n;
  });
  const allParts = ["warm", "freeze", "cold", "network", "observability", "brokers"];
  // Slow parts that load the whole host: only when named.
  const scaleParts = ["burst", "concurrency1000", "idlepss"];
  // `metrics` and `tracing` are older names of the `observability` part.
  const parts = new Set(
    listEnv("BENCH_PARTS", [...allParts, ...scaleParts, "metrics", "tracing"]) ?? allParts,
  );
  const started = performance.now();
  const bare = await startBare();
  let server: VajraServer | undefined;
  const results: LoadResult[] = [];
  const cold: Record<string, ColdResult> = {};
  const deployed: Deployed[] = [];
  const skipped: Skipped[] = [];
  let freeze: { on: LoadResult; off: LoadResult } | undefined;
  let network: { none: ColdResult; egress: ColdResult } | undefined;
  let brokers: BrokerResults | undefined;
  let observability: ObservabilityCost[] | undefined;
  let peers: PeerResults | undefined;
  const scale: { burst?: FanOutResult; concurrency1000?: FanOutResult; idlePss?: IdlePssResult } = {};
  const event = JSON.stringify({ name: "bench" });
  try {
    const vajra = await startVajra(SERVER_ROOT);
    server = vajra;
    const listings = await runtimeListings(vajra);
    // Every deploy (and build) happens before anything is timed.
    for (const f of FUNCTIONS) {
      if (only !== undefined && !only.includes(f.family)) continue;
      const rt = listings.get(f.runtime);
      if (rt?.available !== true) {
        const reason = `runtime ${f.runtime} is not available on this host: ${rt?.reason ?? "unknown to the server"}`;
        process.stderr.write(`note: skipping ${f.family}: ${reason}\n`);
        skipped.push({ family: f.family, runtime: f.runtime, reason, failed: false });
        continue;
      }
      try {
        const deploySeconds = await deploy(vajra, f, event);
        deployed.push({ ...f, version: rt.version ?? "?", deploySeconds });
      } catch (err) {
        const reason = errorMessage(err);
        process.stderr.write(`error: skipping ${f.family}: ${reason}\n`);
        skipped.push({ family: f.family, runtime: f.runtime, reason, failed: true });
      }
    }
    for (const c of parts.has("warm") ? connections : []) {
      const common = { connections: c, durationS: DURATION_S, body: event };
      results.push(await load({ ...common, target: BARE, url: bare.url, headers: {} }));
      for (const f of deployed) {
        if (c > 1 && !f.wide) continue;
        results.push(
          await load({
            ...common,
            target: f.name,
            url: `${vajra.base}/functions/${f.name}/invoke`,
            headers: vajra.auth,
            instances: () => instanceCount(vajra, f.name),
          }),
        );
        // Idle instances left behind would only load the host for the measurements that follow.
        await dropInstances(vajra, f.name);
      }
    }
    // `--peers`: the same hello in serverless-offline and Miniflare, at the same connection counts.
    if (process.argv.includes("--peers")) {
      peers = await peerBench({ event, durationS: DURATION_S, connections });
      results.push(...peers.loads);
    }
    const python = deployed.find((f) => f.family === "python");
    if (python !== undefined && parts.has("freeze")) freeze = await freezeCost(vajra, python, event);
    if (python !== undefined && parts.has("network")) network = await networkCost(vajra, python, event);
    if (python !== undefined && parts.has("brokers")) {
      const consumer = { ...python, name: "bench-broker", dir: "bench/functions/python-broker" };
      await deploy(vajra, consumer, JSON.stringify({ Records: [] }));
      brokers = await brokerBench(vajra, consumer.name);
    }
    if (python !== undefined && (parts.has("observability") || parts.has("metrics") || parts.has("tracing")))
      observability = await observabilityCost(SERVER_ROOT, python.name, event, DURATION_S * 1.5, (s) =>
        deploy(s, python, event, { tracing: "active" }),
      );
    if (python !== undefined && scaleParts.some((p) => parts.has(p))) {
      const sleeper = { ...python, name: "bench-sleep", dir: "bench/functions/python-sleep" };
      await deploy(vajra, sleeper, JSON.stringify({ ms: 0 }));
      if (parts.has("burst")) scale.burst = await fanOut(vajra, sleeper.name, 100, 200);
      if (parts.has("concurrency1000"))
        scale.concurrency1000 = await fanOut(vajra, sleeper.name, 1000, 1000, 300_000);
      if (parts.has("idlepss")) {
        // A function of its own: nothing learnt yet about it, so every concurrent invocation starts an
        // instance (placement would otherwise queue short sleeps behind busy instances).
        const idle = { ...sleeper, name: "bench-idle" };
        await deploy(vajra, idle, JSON.stringify({ ms: 0 }), { timeout: 60 });
        await dropInstances(vajra, idle.name);
        scale.idlePss = await idlePss(vajra, idle.name, IDLE_PSS_INSTANCES);
      }
    }
    if (parts.has("cold"))
      for (const f of deployed) cold[f.name] = await coldStarts(vajra, f.name, event, f.coldSamples);
  } finally {
    bare.stop();
    await server?.stop();
  }
  const totalSeconds = (performance.now() - started) / 1000;

  const baseline = new Map(results.filter((r) => r.target === BARE).map((r) => [r.connections, r.rps]));
  const ratio = (r: LoadResult): number => r.rps / (baseline.get(r.connections) ?? r.rps) || 0;
  console.log("\nWarm invocations (same machine, same run; latency percentiles are autocannon's whole ms)");
  console.table(
    results.map((r) => ({
      target: r.target,
      conns: r.connections,
      "req/s": Math.round(r.rps),
      "× bare": ratio(r).toFixed(3),
      "p50 ms": r.p50,
      "p99 ms": r.p99,
      errors: r.errors + r.non2xx,
      instances: r.instances ?? "-",
    })),
  );

  // One row per family: warm at 1 connection (mean latency = 1000 / req/s, finer than autocannon's
  // whole-millisecond percentiles) and cold start end to end, with the runtime's own Init Duration.
  const families = deployed.map((f) => {
    const w = results.find((r) => r.target === f.name && r.connections === 1);
    const c = cold[f.name];
    return {
      family: f.family,
      runtime: f.runtime,
      version: f.version,
      deploySeconds: f.deploySeconds,
      warm1: w === undefined ? undefined : { ...w, ratio: ratio(w), meanMs: 1000 / w.rps },
      cold: c,
    };
  });
  console.log(
    "Per runtime family: warm at 1 connection, and cold start (first invocation of a fresh instance, end to end)",
  );
  console.table(
    families.map((f) => ({
      family: f.family,
      runtime: `${f.runtime} (${f.version})`,
      "warm req/s": f.warm1 === undefined ? "-" : Math.round(f.warm1.rps),
      "× bare": fixed(f.warm1?.ratio, 3),
      "mean ms": fixed(f.warm1?.meanMs, 2),
      "p50 ms": f.warm1?.p50 ?? "-",
      "p99 ms": f.warm1?.p99 ?? "-",
      "cold p50 ms": fixed(f.cold?.p50, 1),
      "cold p99 ms": fixed(f.cold?.p99, 1),
      "init p50 ms": fixed(f.cold?.initP50, 1),
      "cold n": f.cold?.samples ?? 0,
      "from pool": f.cold?.fromPool ?? 0,
      errors: (f.warm1 === undefined ? 0 : f.warm1.errors + f.warm1.non2xx) + (f.cold?.errors ?? 0),
      "deploy s": f.deploySeconds.toFixed(1),
    })),
  );
  if (freeze !== undefined) {
    const mean = (r: LoadResult): number => 1000 / r.rps;
    console.log("Freezing idle instances (python hello, 1 connection, two servers back to back)");
    console.table(
      [freeze.on, freeze.off].map((r) => ({
        target: r.target,
        "req/s": Math.round(r.rps),
        "mean ms": mean(r).toFixed(3),
        "p99 ms": r.p99,
      })),
    );
    console.log(
      `freeze/thaw adds ${(mean(freeze.on) - mean(freeze.off)).toFixed(3)} ms to a warm invocation (mean)`,
    );
  }
  if (network !== undefined) {
    console.log("Network mode (python hello cold starts, none and egress alternately, same server)");
    console.table(
      (["none", "egress"] as const).map((mode) => ({
        network: mode,
        "cold p50 ms": fixed(network?.[mode].p50, 1),
        "cold p99 ms": fixed(network?.[mode].p99, 1),
        "init p50 ms": fixed(network?.[mode].initP50, 1),
        n: network?.[mode].samples ?? 0,
        "from pool": network?.[mode].fromPool ?? 0,
      })),
    );
    console.log(`egress adds ${(network.egress.p50 - network.none.p50).toFixed(1)} ms to a cold start (p50)`);
  }
  if (peers !== undefined) {
    console.log(
      "Peers: start until ready, and their first invocation (the Vajra rows above are cold starts)",
    );
    console.table(
      peers.first.map((p) => ({
        target: p.target,
        "ready ms": p.readyMs.toFixed(0),
        "first ms": p.firstMs.toFixed(1),
      })),
    );
    for (const s of peers.skipped) console.log(`peer skipped: ${s}`);
  }
  if (brokers !== undefined) printBrokers(brokers);
  if (observability !== undefined) {
    console.log(
      "Observability (python hello, warm, three fresh servers in rotating rounds: metrics off, metrics on, metrics + OTLP traces)",
    );
    const range = (r: [number, number]): string => `${r[0].toFixed(3)}–${r[1].toFixed(3)}`;
    console.table(
      observability.map((t) => ({
        conns: t.connections,
        "off req/s": Math.round(t.off),
        "metrics req/s": Math.round(t.metrics),
        "traced req/s": Math.round(t.traced),
        "metrics/off": t.metricsRatio.toFixed(3),
        "metrics/off range": range(t.metricsSpread),
        "traced/off": t.tracedRatio.toFixed(3),
        "traced/off range": range(t.tracedSpread),
        "spans exported": t.spans,
      })),
    );
    console.log("Server CPU per request (all threads of the server process; µs, median over the rounds)");
    console.table(
      observability.map((t) => ({
        conns: t.connections,
        off: t.cpuUs.off.toFixed(0),
        metrics: t.cpuUs.metrics.toFixed(0),
        traced: t.cpuUs.traced.toFixed(0),
        "metrics − off": (t.cpuUs.metrics - t.cpuUs.off).toFixed(0),
        "traced − off": (t.cpuUs.traced - t.cpuUs.off).toFixed(0),
      })),
    );
    console.log(
      "req/s and ratios are medians over the rounds; each round's ratios are taken within the round:",
    );
    console.table(
      observability.flatMap((t) =>
        t.rounds.map((r, i) => ({
          conns: t.connections,
          round: i + 1,
          off: Math.round(r.off),
          metrics: Math.round(r.metrics),
          traced: Math.round(r.traced),
          "metrics/off": (r.metrics / r.off).toFixed(3),
          "traced/off": (r.traced / r.off).toFixed(3),
          "cpu µs off/metrics/traced": [r.cpuUs.off, r.cpuUs.metrics, r.cpuUs.traced]
            .map((c) => c.toFixed(0))
            .join(" / "),
        })),
      ),
    );
    const worst = (k: "metricsRatio" | "tracedRatio"): string =>
      (Math.min(...(observability ?? []).map((t) => t[k])) * 100).toFixed(1);
    console.log(
      `metrics on keep ${worst("metricsRatio")} % of the throughput with metrics off (target ≥ 95 %); metrics + tracing ${worst("tracedRatio")} % (target ≥ 85 %) (lower of the two connection counts' medians)`,
    );
  }
  printScale(scale);
  for (const s of skipped) console.log(`${s.failed ? "FAILED" : "skipped"}: ${s.family}: ${s.reason}`);
  console.log(`bench took ${totalSeconds.toFixed(0)} s`);

  const outDir = join(ROOT, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        durationSeconds: DURATION_S,
        totalSeconds,
        load: results,
        coldStart: cold,
        freeze,
        network,
        brokers,
        observability,
        peers,
        scale,
        families,
        skipped,
      },
      null,
      2,
    ),
  );
  console.log(`results written to ${file}`);
  // A runtime the host has that does not deploy or run is a failure, not a note.
  process.exit(skipped.some((s) => s.failed) ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
