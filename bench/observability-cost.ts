// The bench part `observability` (also run by BENCH_PARTS=metrics or tracing): warm throughput of one
// function on three fresh servers in one run — metrics off, metrics on, metrics on + traces exported over
// OTLP/HTTP to a sink process of the bench — so what metrics and tracing cost is a ratio taken on the same
// host at the same moment (targets: metrics ≥ 95 % of off, traced ≥ 85 %). The three servers are started
// alike (none is the bench's main server, which has run everything before), and the measurements rotate
// through several short rounds; each round gives its own ratios, and the part reports their median and
// spread, so drift of the host weighs on all three alike and one disturbed round does not decide.

import {
  load,
  processCpuSeconds,
  startOtlpSink,
  startVajra,
  type LoadOptions,
  type LoadResult,
  type VajraServer,
} from "./measure.js";

/** One round: each server measured once, back to back. */
export interface ObservabilityRound {
  /** req/s per mode. */
  off: number;
  metrics: number;
  traced: number;
  /** CPU time of each server process (all its threads) per request, µs. */
  cpuUs: { off: number; metrics: number; traced: number };
}

export type Mode = "off" | "metrics" | "traced";

export interface ObservabilityCost {
  connections: number;
  /** Median req/s per mode over the rounds. */
  off: number;
  metrics: number;
  traced: number;
  /**
   * The median over the rounds of each round's metrics / off and traced / off: a ratio is taken between
   * measurements seconds apart, and one noisy round (another process on the host) cannot decide it.
   */
  metricsRatio: number;
  tracedRatio: number;
  /** The lowest and highest of the rounds' ratios. */
  metricsSpread: [number, number];
  tracedSpread: [number, number];
  /**
   * Median CPU µs per request of each server process: what the host's other load disturbs least
   * (throughput on a shared host swings with everything else that runs).
   */
  cpuUs: { off: number; metrics: number; traced: number };
  rounds: ObservabilityRound[];
  /** Spans the sink received during the whole part (proof that tracing really exported). */
  spans: number;
}

export function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

function spread(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/**
 * Rounds of off, metrics, traced (in a rotating order), each measurement MEASURE_S long (longer with a
 * longer BENCH_DURATION): by default 2 connection counts × 11 rounds × 3 servers × 2 s, so the part takes
 * about 3 minutes. Short measurements in many rounds keep the three of a round close in time; a single
 * round's ratio swings ±10 % on a shared 2-core host while a CPU profile of the server puts the metrics
 * code at about 0.3 % of its busy time, so the median needs that many rounds to settle (7 gave 93.6-99.3 %
 * over three runs of one afternoon).
 */
const ROUNDS = Number(process.env.BENCH_OBSERVABILITY_ROUNDS ?? 11);
const MEASURE_S = 2;

/** The function is deployed with TracingConfig Active on all three (only the traced server acts on it). */
export async function observabilityCost(
  root: string,
  fn: string,
  event: string,
  durationS: number,
  deploy: (server: VajraServer) => Promise<unknown>,
): Promise<ObservabilityCost[]> {
  const sink = await startOtlpSink();
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
      const loadOf = (server: VajraServer, mode: Mode): LoadOptions => ({
        connections,
        durationS: Math.max(MEASURE_S, Math.round(durationS / 6)),
        body: event,
        target: `${fn} (${mode})`,
        url: `${server.base}/functions/${fn}/invoke`,
        headers: server.auth,
        cpu: () => processCpuSeconds(server.pid),
      });
      const measure = (server: VajraServer, mode: Mode): Promise<LoadResult> => load(loadOf(server, mode));
      const order: Array<[VajraServer, Mode]> = [
        [off, "off"],
        [metricsOn, "metrics"],
        [traced, "traced"],
      ];
      // A second of unmeasured load on each server first: its hot path is compiled and its instances
      // started before the first round, which would otherwise pay for that in whichever mode comes first.
      for (const [s, mode] of order) await load({ ...loadOf(s, mode), durationS: 1 });
      // off-metrics-traced, metrics-traced-off, traced-off-metrics, ...: each in every position alike.
      const rounds: ObservabilityRound[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const r: ObservabilityRound = {
          off: 0,
          metrics: 0,
          traced: 0,
          cpuUs: { off: 0, metrics: 0, traced: 0 },
        };
        for (let i = 0; i < order.length; i++) {
          const [s, mode] = order[(i + round) % order.length] as [VajraServer, Mode];
          const m = await measure(s, mode);
          r[mode] = m.rps;
          r.cpuUs[mode] = m.cpuUsPerRequest ?? NaN;
        }
        rounds.push(r);
      }
      const metricsRatios = rounds.map((r) => r.metrics / r.off);
      const tracedRatios = rounds.map((r) => r.traced / r.off);
      const cpu = (mode: Mode): number => median(rounds.map((r) => r.cpuUs[mode]));
      out.push({
        connections,
        off: median(rounds.map((r) => r.off)),
        metrics: median(rounds.map((r) => r.metrics)),
        traced: median(rounds.map((r) => r.traced)),
        metricsRatio: median(metricsRatios),
        tracedRatio: median(tracedRatios),
        metricsSpread: spread(metricsRatios),
        tracedSpread: spread(tracedRatios),
        cpuUs: { off: cpu("off"), metrics: cpu("metrics"), traced: cpu("traced") },
        rounds,
        spans: await sink.spans(),
      });
    }
    return out;
  } finally {
    for (const s of servers) await s.stop();
    sink.stop();
  }
}
