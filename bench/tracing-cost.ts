// The bench part `tracing`: warm throughput of one function on three servers in one run — metrics off,
// metrics on, metrics on + traces exported over OTLP/HTTP to a sink in this process — so the cost of
// tracing is a ratio taken on the same host at the same moment (target: traced ≥ 85 % of off).

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dropInstances, load, startVajra, type VajraServer } from "./measure.js";

export interface TracingCost {
  connections: number;
  off: number;
  metrics: number;
  traced: number;
  /** traced / off requests per second. */
  ratio: number;
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

/**
 * `metricsOn` is the bench's main server; two more are started here. The function is deployed with
 * TracingConfig Active on all three (only the traced server acts on it), and every measurement runs in
 * the order off, metrics, traced, traced, metrics, off so drift of the host weighs on all alike.
 */
export async function tracingCost(
  root: string,
  metricsOn: VajraServer,
  fn: string,
  event: string,
  durationS: number,
  deploy: (server: VajraServer) => Promise<unknown>,
): Promise<TracingCost[]> {
  const sink = await startSink();
  const servers: VajraServer[] = [];
  try {
    const off = await startVajra(root, { VAJRA_METRICS: "off" });
    servers.push(off);
    const traced = await startVajra(root, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
    servers.push(traced);
    for (const s of [off, metricsOn, traced]) await deploy(s);
    const out: TracingCost[] = [];
    for (const connections of [1, 8]) {
      const rps = { off: 0, metrics: 0, traced: 0 };
      const measure = async (server: VajraServer, label: keyof typeof rps): Promise<void> => {
        const r = await load({
          connections,
          durationS,
          body: event,
          target: `${fn} (${label})`,
          url: `${server.base}/functions/${fn}/invoke`,
          headers: server.auth,
        });
        rps[label] += r.rps / 2;
      };
      const order: Array<[VajraServer, keyof typeof rps]> = [
        [off, "off"],
        [metricsOn, "metrics"],
        [traced, "traced"],
      ];
      for (const [s, label] of [...order, ...[...order].reverse()]) await measure(s, label);
      out.push({ connections, ...rps, ratio: rps.traced / rps.off, spans: sink.spans() });
    }
    for (const s of [off, metricsOn, traced]) await dropInstances(s, fn);
    return out;
  } finally {
    for (const s of servers) await s.stop();
    await sink.stop();
  }
}
