// The server process's metrics: prom-client's default collectors except two that work between scrapes.
// Its event-loop collector keeps perf_hooks' event-loop-delay monitor sampling every 10 ms for the
// process's life, and its gc collector observes every garbage collection; with them `npm run bench`
// measured warm throughput 20-40 % below metrics off (the invoke path is event-loop bound). The lag is
// measured here instead, only when scraped (a setImmediate round trip).

import { createRequire } from "node:module";
import { Gauge, type Registry } from "prom-client";

type Collector = (registry: Registry, config: Record<string, unknown>) => void;

/** prom-client's default collectors (lib/metrics; the package has no exports map), minus eventLoopLag and gc. */
const COLLECTORS = [
  "processCpuTotal",
  "processStartTime",
  "osMemoryHeap",
  "processOpenFileDescriptors",
  "processMaxFileDescriptors",
  "processHandles",
  "processRequests",
  "heapSizeAndUsed",
  "heapSpacesSizeAndUsed",
  "version",
];

export function collectProcessMetrics(registry: Registry): void {
  const require = createRequire(import.meta.url);
  for (const name of COLLECTORS) (require(`prom-client/lib/metrics/${name}`) as Collector)(registry, {});
  new Gauge({
    name: "nodejs_eventloop_lag_seconds",
    help: "Lag of the event loop in seconds, measured at scrape time (a setImmediate round trip).",
    registers: [registry],
    async collect() {
      const start = process.hrtime.bigint();
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.set(Number(process.hrtime.bigint() - start) / 1e9);
    },
  });
}
