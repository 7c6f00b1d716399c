// Scale-out parts of `npm run bench`: `burst` (0 → 100 new instances of one function at once),
// `concurrency1000` (1,000 concurrent one-second executions at 128 MB) and `idlepss` (what an idle
// Python instance costs in proportional set size, hence how many fit in a GB). They are slow and load
// the host, so they run only when named in BENCH_PARTS.

import { readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import type { VajraServer } from "./measure.js";

export interface FanOutResult {
  /** Invocations sent at once. */
  requests: number;
  sleepMs: number;
  /** Answered 200 without a function error. */
  ok: number;
  /** Refused with 429 (throttled). */
  throttled: number;
  /** Anything else (another status, a function error, a broken connection). */
  failed: number;
  /** From the first request sent to the last answer, ms. */
  wallMs: number;
  /** Median and slowest single answer, ms. */
  p50Ms: number;
  maxMs: number;
  /** Most instances (idle + busy) seen while the requests were in flight, polled every 50 ms. */
  peakInstances: number;
  /** One example of each failure, for the report. */
  failures: string[];
}

interface Answer {
  status: number;
  functionError: boolean;
  ms: number;
  body: string;
}

// Every request on its own connection (as 1,000 separate clients would); no pooling limit.
const AGENT = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** One request on a fresh connection (after a storm a pooled keep-alive connection may be stale). */
function send(
  server: VajraServer,
  method: string,
  path: string,
  body: string | undefined,
  timeoutMs: number,
): Promise<Answer> {
  const url = new URL(`${server.base}${path}`);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method,
        agent: AGENT,
        headers: body === undefined ? server.auth : { ...server.auth, "content-type": "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            functionError: res.headers["x-vajra-function-error"] !== undefined,
            ms: performance.now() - t0,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", (err) => resolve({ status: 0, functionError: false, ms: 0, body: err.message }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) =>
      resolve({ status: 0, functionError: false, ms: performance.now() - t0, body: err.message }),
    );
    req.end(body);
  });
}

const post = (server: VajraServer, name: string, body: string, timeoutMs: number): Promise<Answer> =>
  send(server, "POST", `/functions/${name}/invoke`, body, timeoutMs);

async function instancesOf(server: VajraServer, name: string): Promise<number> {
  const r = await send(server, "GET", `/functions/${name}`, undefined, 10_000);
  if (r.status !== 200) return 0;
  const { instances } = JSON.parse(r.body) as { instances?: { idle?: number; busy?: number } };
  return (instances?.idle ?? 0) + (instances?.busy ?? 0);
}

async function dropInstances(server: VajraServer, name: string): Promise<void> {
  const r = await send(server, "DELETE", `/functions/${name}/instances`, undefined, 60_000);
  if (r.status >= 300) throw new Error(`dropping the instances of ${name}: ${r.status} ${r.body}`);
}

/**
 * Sends `requests` invocations of a function sleeping `sleepMs` at once, with no instance running
 * before, and waits for every answer (each bounded by `timeoutMs`).
 */
export async function fanOut(
  server: VajraServer,
  name: string,
  requests: number,
  sleepMs: number,
  timeoutMs = 60_000,
): Promise<FanOutResult> {
  process.stderr.write(`fan-out: ${requests} concurrent invocations of ${name} sleeping ${sleepMs} ms...\n`);
  await dropInstances(server, name);
  await new Promise((r) => setTimeout(r, 200));
  let peak = 0;
  let polling = true;
  const poller = (async (): Promise<void> => {
    // Bounded by the requests' own timeout: the loop stops once they are all answered.
    while (polling) {
      peak = Math.max(peak, await instancesOf(server, name).catch(() => 0));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const body = JSON.stringify({ ms: sleepMs });
  const t0 = performance.now();
  const answers = await Promise.all(
    Array.from({ length: requests }, () => post(server, name, body, timeoutMs)),
  );
  const wallMs = performance.now() - t0;
  polling = false;
  await poller;
  peak = Math.max(peak, await instancesOf(server, name));
  const failures = new Map<string, string>();
  let ok = 0;
  let throttled = 0;
  for (const a of answers) {
    if (a.status === 200 && !a.functionError) ok++;
    else if (a.status === 429) throttled++;
    else failures.set(`${a.status}${a.functionError ? " function error" : ""}`, a.body);
  }
  const times = answers.map((a) => a.ms).sort((a, b) => a - b);
  await dropInstances(server, name);
  const result = {
    requests,
    sleepMs,
    ok,
    throttled,
    failed: requests - ok - throttled,
    wallMs,
    p50Ms: times[Math.floor(times.length / 2)] ?? NaN,
    maxMs: times[times.length - 1] ?? NaN,
    peakInstances: peak,
    failures: [...failures].map(([k, v]) => `${k}: ${v.slice(0, 300)}`),
  };
  process.stderr.write(`fan-out result: ${JSON.stringify(result)}\n`);
  return result;
}

const IDLE_SLEEP_MS = 15_000;

export interface IdlePssResult {
  instances: number;
  /** Mean PSS of one idle instance (every process of its cgroup), MiB. */
  meanPssMiB: number;
  maxPssMiB: number;
  /** 1024 / mean: idle instances per GiB of host memory. */
  perGiB: number;
}

/** The pids in an instance's cgroup (v1: the pids hierarchy; v2: the unified one). */
function instanceGroups(serverPid: number): string[] {
  for (const base of [`/sys/fs/cgroup/pids/vajra/${serverPid}`, `/sys/fs/cgroup/vajra/${serverPid}`]) {
    try {
      return readdirSync(base, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => join(base, d.name));
    } catch {
      // not this hierarchy
    }
  }
  return [];
}

function pssKiB(pid: string): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0; // it exited between the listing and the read
  }
}

/**
 * Starts `count` instances of a function (as many concurrent invocations of a 15 s sleep), lets
 * them go idle (frozen), then sums /proc/<pid>/smaps_rollup Pss over each instance's processes.
 */
export async function idlePss(server: VajraServer, name: string, count: number): Promise<IdlePssResult> {
  process.stderr.write(`idle PSS: starting ${count} instances of ${name}...\n`);
  await dropInstances(server, name);
  // Long enough that no instance frees up before the last one has started, even on a loaded host.
  const body = JSON.stringify({ ms: IDLE_SLEEP_MS });
  await Promise.all(Array.from({ length: count }, () => post(server, name, body, 60_000)));
  await new Promise((r) => setTimeout(r, 1000)); // idle and frozen
  const per: number[] = [];
  for (const group of instanceGroups(server.pid)) {
    let pids: string[];
    try {
      pids = readFileSync(join(group, "cgroup.procs"), "utf8")
        .split("\n")
        .filter((p) => p !== "");
    } catch {
      continue;
    }
    if (pids.length > 0) per.push(pids.reduce((n, p) => n + pssKiB(p), 0) / 1024);
  }
  await dropInstances(server, name);
  process.stderr.write(
    `idle PSS of ${per.length} instances (MiB): ${per.map((x) => x.toFixed(1)).join(" ")}\n`,
  );
  const mean = per.reduce((a, b) => a + b, 0) / (per.length || 1);
  return {
    instances: per.length,
    meanPssMiB: mean,
    maxPssMiB: Math.max(0, ...per),
    perGiB: mean > 0 ? 1024 / mean : 0,
  };
}

/** The scale-out parts' table and the idle-PSS line. */
export function printScale(scale: {
  burst?: FanOutResult;
  concurrency1000?: FanOutResult;
  idlePss?: IdlePssResult;
}): void {
  const rows = (["burst", "concurrency1000"] as const).flatMap((k) => {
    const r = scale[k];
    return r === undefined
      ? []
      : [
          {
            part: k,
            requests: r.requests,
            "sleep ms": r.sleepMs,
            ok: r.ok,
            throttled: r.throttled,
            failed: r.failed,
            "all answered s": (r.wallMs / 1000).toFixed(2),
            "p50 s": (r.p50Ms / 1000).toFixed(2),
            "peak instances": r.peakInstances,
          },
        ];
  });
  if (rows.length > 0) {
    console.log(
      "Scale-out (python sleeper, 128 MB, every request at once on its own connection, no instance before)",
    );
    console.table(rows);
    for (const k of ["burst", "concurrency1000"] as const)
      for (const f of scale[k]?.failures ?? []) console.log(`${k} failure: ${f}`);
  }
  const p = scale.idlePss;
  if (p !== undefined)
    console.log(
      `idle python instances: ${p.instances} measured, PSS mean ${p.meanPssMiB.toFixed(1)} MiB (max ${p.maxPssMiB.toFixed(1)}) → ${Math.floor(p.perGiB)} per GiB`,
    );
}
