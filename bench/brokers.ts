// The broker part of `npm run bench`: how fast an event source mapping drains a real RabbitMQ queue
// and a real NATS JetStream stream, as a ratio to a bare consumer of the same broker that acknowledges
// each message without invoking anything (same prefetch / batch size), and how long a message takes
// from publish to the handler at batch size 1. Brokers that are not reachable are skipped with a note.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { BROKER_KINDS, openDriver, type BrokerDriver } from "./broker-drivers.js";
import { percentile, type VajraServer } from "./measure.js";

/** Messages per throughput run, by batch size (batch 1 is one invocation per message). */
const MESSAGES: Record<number, number> = { 1: 1000, 100: 10_000 };
const LATENCY_SAMPLES = 200;
/** No run waits longer than this for its messages. */
const RUN_TIMEOUT_MS = 120_000;

export interface BrokerRow {
  broker: string;
  batchSize: number;
  messages: number;
  /** Publish of the first message to acknowledgement of the last, messages per second. */
  vajraPerS: number;
  barePerS: number;
  ratio: number;
}

export interface BrokerLatency {
  broker: string;
  samples: number;
  /** Publish to handler (Vajra) and publish to consumer callback (bare), milliseconds. */
  p50: number;
  p99: number;
  bareP50: number;
  bareP99: number;
}

export interface BrokerResults {
  rows: BrokerRow[];
  latency: BrokerLatency[];
  notes: string[];
}

/** Wall-clock now in nanoseconds since the epoch, below a millisecond (as Python's time.time_ns). */
function nowNs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1e6);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(what: string, ok: () => Promise<boolean> | boolean, pollMs = 10): Promise<void> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

async function api(server: VajraServer, method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(`${server.base}${path}`, {
    method,
    headers: body === undefined ? server.auth : { ...server.auth, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text === "" ? undefined : (JSON.parse(text) as unknown);
}

async function processed(server: VajraServer, uuid: string): Promise<number> {
  return ((await api(server, "GET", `/triggers/${uuid}`)) as { processed: number }).processed;
}

/** Publish-to-handler latencies (ms) the function printed, newest invocations first. */
async function printedLatencies(server: VajraServer, fn: string): Promise<number[]> {
  const r = (await api(server, "GET", `/functions/${fn}/logs?limit=${LATENCY_SAMPLES + 50}`)) as {
    invocations: Array<{ log: string }>;
  };
  const out: number[] = [];
  for (const i of r.invocations) for (const m of i.log.matchAll(/LAT (\d+)/g)) out.push(Number(m[1]) / 1e6);
  return out;
}

/** Messages per second from the first publish to the last acknowledgement through a mapping. */
async function mappingRun(
  server: VajraServer,
  d: BrokerDriver,
  fn: string,
  batch: number,
  count: number,
): Promise<number> {
  const m = (await api(server, "POST", "/triggers", {
    function: fn,
    source: d.source,
    batchSize: batch,
  })) as { uuid: string };
  try {
    await until("the mapping to be enabled", async () => {
      const v = (await api(server, "GET", `/triggers/${m.uuid}`)) as { state: string };
      return v.state === "Enabled";
    });
    // Warm up: the function's instance and the consumer are running before the clock starts.
    await d.publish(Array.from({ length: batch }, () => "warm"));
    await until("the warm-up batch", async () => (await processed(server, m.uuid)) >= batch);
    const base = await processed(server, m.uuid);
    const t0 = performance.now();
    await d.publish(Array.from({ length: count }, () => "m"));
    await until(
      `${count} messages through the mapping`,
      async () => (await processed(server, m.uuid)) - base >= count,
    );
    return count / ((performance.now() - t0) / 1000);
  } finally {
    await api(server, "DELETE", `/triggers/${m.uuid}`);
    await d.purge();
  }
}

/** The same, with the bare consumer in a process of its own (bare-consumer.ts). */
async function bareRun(d: BrokerDriver, batch: number, count: number): Promise<number> {
  const script = fileURLToPath(new URL("./bare-consumer.js", import.meta.url));
  const child = spawn(process.execPath, [script, d.kind, d.target, String(batch), String(count)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  try {
    await until("the bare consumer to subscribe", () => out.includes("READY") || child.exitCode !== null);
    const t0 = performance.now();
    await d.publish(Array.from({ length: count }, () => "m"));
    await until(
      `${count} messages through the bare consumer`,
      () => out.includes("DONE") || child.exitCode !== null,
      2,
    );
    if (!out.includes("DONE")) throw new Error(`the bare consumer exited early (${child.exitCode})`);
    return count / ((performance.now() - t0) / 1000);
  } finally {
    if (child.exitCode === null) {
      const exited = once(child, "exit");
      // It exits by itself after DONE; a stuck one is killed.
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await d.purge();
  }
}

/** One message at a time, spaced so none waits behind another: publish → handler / consumer. */
async function latencyRun(server: VajraServer, d: BrokerDriver, fn: string): Promise<BrokerLatency> {
  const bare: number[] = [];
  const stop = await d.consume(1, (body) => {
    if (body.startsWith("t=")) bare.push((nowNs() - Number(body.slice(2))) / 1e6);
  });
  try {
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      await d.publish([`t=${nowNs()}`]);
      await sleep(5);
    }
    await until("the bare consumer's latency samples", () => bare.length >= LATENCY_SAMPLES);
  } finally {
    await stop();
    await d.purge();
  }
  const m = (await api(server, "POST", "/triggers", {
    function: fn,
    source: d.source,
    batchSize: 1,
  })) as { uuid: string };
  try {
    await until("the mapping to be enabled", async () => {
      const v = (await api(server, "GET", `/triggers/${m.uuid}`)) as { state: string };
      return v.state === "Enabled";
    });
    await d.publish(["warm"]);
    await until("the warm-up message", async () => (await processed(server, m.uuid)) >= 1);
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      await d.publish([`t=${nowNs()}`]);
      await sleep(5);
    }
    await until(
      "the mapping's latency samples",
      async () => (await processed(server, m.uuid)) > LATENCY_SAMPLES,
    );
    // Invocation records are written in batches: wait until every sample's log is stored.
    let lat: number[] = [];
    await until(
      "the latency lines in the logs",
      async () => {
        lat = await printedLatencies(server, fn);
        return lat.length >= LATENCY_SAMPLES;
      },
      100,
    );
    lat = lat.slice(0, LATENCY_SAMPLES).sort((a, b) => a - b);
    bare.sort((a, b) => a - b);
    return {
      broker: d.kind,
      samples: lat.length,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      bareP50: percentile(bare, 50),
      bareP99: percentile(bare, 99),
    };
  } finally {
    await api(server, "DELETE", `/triggers/${m.uuid}`);
    await d.purge();
  }
}

/** Runs every broker measurement the host can; `fn` is a deployed copy of bench/functions/python-broker. */
export async function brokerBench(server: VajraServer, fn: string): Promise<BrokerResults> {
  const out: BrokerResults = { rows: [], latency: [], notes: [] };
  for (const kind of BROKER_KINDS) {
    let d: BrokerDriver;
    try {
      d = await openDriver(kind);
    } catch (err) {
      out.notes.push(`${kind}: not reachable (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    try {
      for (const batch of [1, 100]) {
        const count = MESSAGES[batch] ?? 1000;
        process.stderr.write(`broker bench: ${kind}, batch ${batch}, ${count} messages...\n`);
        const barePerS = await bareRun(d, batch, count);
        const vajraPerS = await mappingRun(server, d, fn, batch, count);
        out.rows.push({
          broker: kind,
          batchSize: batch,
          messages: count,
          vajraPerS,
          barePerS,
          ratio: vajraPerS / barePerS,
        });
      }
      process.stderr.write(`broker bench: ${kind}, latency at batch 1...\n`);
      out.latency.push(await latencyRun(server, d, fn));
    } finally {
      await d.close(true);
    }
  }
  return out;
}

export function printBrokers(r: BrokerResults): void {
  console.log("Event source mappings (python consumer; publish of the first message to ack of the last)");
  console.table(
    r.rows.map((x) => ({
      broker: x.broker,
      batch: x.batchSize,
      messages: x.messages,
      "mapping msg/s": Math.round(x.vajraPerS),
      "bare msg/s": Math.round(x.barePerS),
      "× bare": x.ratio.toFixed(3),
    })),
  );
  console.log("Publish to handler at batch size 1 (ms; bare = publish to a plain consumer's callback)");
  console.table(
    r.latency.map((l) => ({
      broker: l.broker,
      n: l.samples,
      "p50 ms": l.p50.toFixed(2),
      "p99 ms": l.p99.toFixed(2),
      "bare p50 ms": l.bareP50.toFixed(2),
      "bare p99 ms": l.bareP99.toFixed(2),
    })),
  );
  for (const n of r.notes) console.log(`skipped broker: ${n}`);
}
