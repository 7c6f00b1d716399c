// The bench part `observability` (also run by BENCH_PARTS=metrics or tracing): warm throughput of one
// function on three fresh servers in one run — metrics off, metrics on, metrics on + traces exported over
// OTLP/HTTP to a sink in this process — so what metrics and tracing cost is a ratio taken on the same
// host at the same moment (targets: metrics ≥ 95 % of off, traced ≥ 85 %). The three servers are started
// alike (none is the bench's main server, which has run everything before), and the measurements rotate
// through several rounds so drift of the host weighs on all three alike.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { load, startVajra, type VajraServer } from "./measure.js";

export interface ObservabilityCost {
  connections: number;
  off: number;
  metrics: number;
  traced: number;
  /** metrics / off and traced / off requests per second. */
  metricsRatio: number;
  tracedRatio: number;
  /** Spans the sink received during the whole part (proof that tracing really exported). */
  spans: number;
}

/** An OTLP/HTTP receiver that counts spans and answers 200, as a collector would. */
async function startSink(): Promise<{ url: string; spans: () => number; stop: () => Promise<void> }> {
  let spans = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      // Counting span ids is enough: the bench measures cost, the integration test checks content.
      spans += (
        Buffer.concat(chunks)
          .toString("utf8")
          .match(/"spanId"/g) ?? []
      ).length;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => spans,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Rounds of off, metrics, traced (in a rotating order); each measurement is durationS / ROUNDS long. */
const ROUNDS = 3;

/** The function is deployed with TracingConfig Active on all three (only the traced server acts on it). */
export async function observabilityCost(
  root: string,
  fn: string,
  event: string,
  durationS: number,
  deploy: (server: VajraServer) => Promise<unknown>,
): Promise<ObservabilityCost[]> {
  const sink = await startSink();
  const servers: VajraServer[] = [];
  try {
    const off = await startVajra(root, { VAJRA_METRICS: "off" });
    servers.push(off);
    const metricsOn = await startVajra(root);
    servers.push(metricsOn);
    const traced = await startVajra(root, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
    servers.push(traced);
    for (const s of servers) await deploy(s);
    const out: ObservabilityCost[] = [];
    for (const connections of [1, 8]) {
      const rps = { off: 0, metrics: 0, traced: 0 };
      const measure = async (server: VajraServer, label: keyof typeof rps): Promise<void> => {
        const r = await load({
          connections,
          durationS: Math.max(2, Math.round(durationS / ROUNDS)),
          body: event,
          target: `${fn} (${label})`,
          url: `${server.base}/functions/${fn}/invoke`,
          headers: server.auth,
        });
        rps[label] += r.rps / ROUNDS;
      };
      const order: Array<[VajraServer, keyof typeof rps]> = [
        [off, "off"],
        [metricsOn, "metrics"],
        [traced, "traced"],
      ];
      // off-metrics-traced, metrics-traced-off, traced-off-metrics: each in every position once.
      for (let round = 0; round < ROUNDS; round++)
        for (let i = 0; i < order.length; i++) {
          const [s, label] = order[(i + round) % order.length] as [VajraServer, keyof typeof rps];
          await measure(s, label);
        }
      out.push({
        connections,
        ...rps,
        metricsRatio: rps.metrics / rps.off,
        tracedRatio: rps.traced / rps.off,
        spans: sink.spans(),
      });
    }
    return out;
  } finally {
    for (const s of servers) await s.stop();
    await sink.stop();
  }
}
