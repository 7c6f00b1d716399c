// Shapes the metrics API's points into what the charts and the functions list show. uPlot wants
// columns: x in seconds since the epoch, then one array per series, null where there is no value.

import type { MetricPoint } from "./api.ts";

export type Column = (number | null)[];

export interface ChartData {
  x: number[];
  invocations: Column;
  errors: Column;
  throttles: Column;
  coldStarts: Column;
  concurrency: Column;
  p50: Column;
  p95: Column;
  p99: Column;
}

export function chartData(points: readonly MetricPoint[]): ChartData {
  const d: ChartData = {
    x: [],
    invocations: [],
    errors: [],
    throttles: [],
    coldStarts: [],
    concurrency: [],
    p50: [],
    p95: [],
    p99: [],
  };
  for (const p of points) {
    const t = Date.parse(p.start);
    if (!Number.isFinite(t)) continue;
    d.x.push(Math.floor(t / 1000));
    d.invocations.push(p.invocations);
    d.errors.push(p.errors);
    d.throttles.push(p.throttles);
    d.coldStarts.push(p.coldStarts);
    d.concurrency.push(p.maxConcurrency);
    // A period without invocations has no duration: a gap in the line, not a zero.
    const none = p.invocations === 0;
    d.p50.push(none ? null : p.durationP50Ms);
    d.p95.push(none ? null : p.durationP95Ms);
    d.p99.push(none ? null : p.durationP99Ms);
  }
  return d;
}

export interface Summary {
  invocations: number;
  errors: number;
  /** p95 of the busiest period (a one-period query gives the exact p95 of the range); null: no calls. */
  p95Ms: number | null;
  /** Invocations per period, for the list's trend line. */
  trend: number[];
}

export function summarize(points: readonly MetricPoint[]): Summary {
  let invocations = 0;
  let errors = 0;
  let busiest: MetricPoint | undefined;
  for (const p of points) {
    invocations += p.invocations;
    errors += p.errors;
    if (p.invocations > 0 && (busiest === undefined || p.invocations > busiest.invocations)) busiest = p;
  }
  return {
    invocations,
    errors,
    p95Ms: busiest?.durationP95Ms ?? null,
    trend: points.map((p) => p.invocations),
  };
}

/** The query (since, period) for a range picked on the Monitor tab: at most ~120 points each. */
export const RANGES = [
  { id: "1h", label: "Last hour", since: "1h", period: "1m" },
  { id: "3h", label: "Last 3 hours", since: "3h", period: "2m" },
  { id: "12h", label: "Last 12 hours", since: "12h", period: "6m" },
  { id: "1d", label: "Last day", since: "1d", period: "12m" },
  { id: "7d", label: "Last 7 days", since: "7d", period: "84m" },
] as const;

export type RangeId = (typeof RANGES)[number]["id"];

/** SVG polyline points of a small trend line, scaled into width x height. */
export function sparkline(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) return "";
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - (v / max) * height).toFixed(1)}`)
    .join(" ");
}
