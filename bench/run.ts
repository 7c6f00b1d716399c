// `npm run bench`: measures Vajra's invocation path against the machine's own limit in one run — a
// bare node:http hello server — so every figure is a ratio to a baseline taken on the same machine
// at the same moment. Warm throughput and latency at 1 and 32 connections (autocannon), and cold
// start p50/p99 per runtime. Prints a table and writes JSON to bench/results/.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { zipDirectory } from "../src/blobs/zip-dir.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const COLD_SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 25);

interface LoadResult {
  target: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
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

async function load(
  target: string,
  url: string,
  connections: number,
  headers: Record<string, string>,
  body: string,
): Promise<LoadResult> {
  // A short warm-up so every instance is started before measuring.
  process.stderr.write(`measuring ${target} at ${connections} connection(s)...\n`);
  await autocannon({ url, connections, duration: 1, method: "POST", headers, body });
  const r = await autocannon({ url, connections, duration: DURATION_S, method: "POST", headers, body });
  return {
    target,
    connections,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function main(): Promise<void> {
  const bare = spawn(process.execPath, ["-e", BARE_SERVER], { stdio: ["ignore", "pipe", "pipe"] });
  const barePort = await waitForOutput(bare, /PORT (\d+)/);
  const dataDir = mkdtempSync(join(tmpdir(), "vajra-bench-"));
  const port = 18700 + Math.floor(Math.random() * 1000);
  const server = spawn(
    process.execPath,
    [
      join(ROOT, "bin", "vajra.js"),
      "server",
      "--port",
      String(port),
      "--data-dir",
      dataDir,
      "--concurrency-limit",
      "1000",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, VAJRA_LOG_LEVEL: "warn" } },
  );
  server.stderr.on("data", (c: Buffer) => process.stderr.write(`[server] ${c.toString()}`));
  server.on("exit", (code, sig) => {
    if (code !== 0) process.stderr.write(`[server] exited: ${code ?? sig ?? "?"}\n`);
  });
  const results: LoadResult[] = [];
  const cold: Record<string, { p50: number; p99: number; initP50: number; samples: number }> = {};
  try {
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
    if (key === "") throw new Error("the Vajra server did not start");
    const auth = { authorization: `Bearer ${key}` };
    const functions = [
      {
        name: "bench-python",
        runtime: "python3.12",
        handler: "app.handler",
        dir: "bench/functions/python-hello",
      },
      {
        name: "bench-node",
        runtime: "nodejs20.x",
        handler: "index.handler",
        dir: "bench/functions/node-hello",
      },
    ];
    for (const f of functions) {
      const zipFile = (await zipDirectory(join(ROOT, f.dir))).toString("base64");
      const r = await fetch(`${base}/functions`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({
          name: f.name,
          runtime: f.runtime,
          handler: f.handler,
          memorySize: 128,
          zipFile,
        }),
      });
      if (!r.ok) throw new Error(`deploy ${f.name}: ${await r.text()}`);
    }
    const event = JSON.stringify({ name: "bench" });
    for (const c of [1, 32]) {
      results.push(await load("bare node:http", `http://127.0.0.1:${barePort}/`, c, {}, event));
      for (const f of functions)
        results.push(await load(f.name, `${base}/functions/${f.name}/invoke`, c, auth, event));
    }
    // Cold start: drop the warm instances, then time the first invocation end to end.
    for (const f of functions) {
      process.stderr.write(`measuring cold starts of ${f.name}...\n`);
      const total: number[] = [];
      const init: number[] = [];
      for (let i = 0; i < COLD_SAMPLES; i++) {
        await fetch(`${base}/functions/${f.name}/instances`, { method: "DELETE", headers: auth });
        await new Promise((r) => setTimeout(r, 30));
        const t0 = performance.now();
        const r = await fetch(`${base}/functions/${f.name}/invoke`, {
          method: "POST",
          headers: auth,
          body: event,
        });
        await r.arrayBuffer();
        total.push(performance.now() - t0);
        init.push(Number(r.headers.get("x-vajra-init-duration-ms") ?? NaN));
      }
      total.sort((a, b) => a - b);
      init.sort((a, b) => a - b);
      cold[f.name] = {
        p50: percentile(total, 50),
        p99: percentile(total, 99),
        initP50: percentile(init, 50),
        samples: total.length,
      };
    }
  } finally {
    bare.kill();
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }

  const baseline = new Map(
    results.filter((r) => r.target === "bare node:http").map((r) => [r.connections, r.rps]),
  );
  const rows = results.map((r) => ({
    target: r.target,
    conns: r.connections,
    "req/s": Math.round(r.rps),
    "× bare": (r.rps / (baseline.get(r.connections) ?? r.rps) || 0).toFixed(3),
    "p50 ms": r.p50,
    "p99 ms": r.p99,
    errors: r.errors + r.non2xx,
  }));
  console.log("\nWarm invocations (same machine, same run)");
  console.table(rows);
  console.log(`Cold start, first invocation of a fresh instance, end to end (${COLD_SAMPLES} samples each)`);
  console.table(
    Object.entries(cold).map(([name, c]) => ({
      function: name,
      "p50 ms": c.p50.toFixed(1),
      "p99 ms": c.p99.toFixed(1),
      "init p50 ms": c.initP50.toFixed(1),
    })),
  );
  const outDir = join(ROOT, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { date: new Date().toISOString(), durationSeconds: DURATION_S, load: results, coldStart: cold },
      null,
      2,
    ),
  );
  console.log(`results written to ${file}`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
