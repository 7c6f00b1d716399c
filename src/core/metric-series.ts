// Vajra's own time series: one bucket per function per minute (counts, max concurrency and a
// log-scale duration histogram), merged into periods on read. Pure data and arithmetic, shared by the
// engine (which fills buckets) and the store (which merges a flushed delta into the stored minute).

import { invalid } from "./errors.js";

export const MINUTE_MS = 60_000;
/** How long buckets are kept (pruned in the background). */
export const METRICS_RETENTION_MS = 14 * 24 * 3600 * 1000;
/** A query returns at most this many periods, so a 1-minute period caps the range at one day. */
export const MAX_METRIC_POINTS = 1440;

/**
 * Histogram bounds in ms: 0.1 ms × 1.2^i up to 15 minutes (Lambda's longest timeout). Adjacent bounds
 * are 20 % apart, so a percentile read from the histogram is within 20 % of the exact one.
 */
const HIST_BASE_MS = 0.1;
const HIST_FACTOR = 1.2;
const LOG_FACTOR = Math.log(HIST_FACTOR);
export const HIST_SIZE = Math.ceil(Math.log(900_000 / HIST_BASE_MS) / LOG_FACTOR) + 1;

/** The upper bound (ms) of histogram slot `i`. */
export function histUpperMs(i: number): number {
  return HIST_BASE_MS * HIST_FACTOR ** i;
}

export function histIndex(ms: number): number {
  if (!(ms > HIST_BASE_MS)) return 0;
  return Math.min(HIST_SIZE - 1, Math.ceil(Math.log(ms / HIST_BASE_MS) / LOG_FACTOR));
}

export interface MinuteBucket {
  /** Start of the minute (epoch ms, a multiple of 60 000). */
  minute: number;
  invocations: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  maxConcurrency: number;
  durationSumMs: number;
  durationMaxMs: number;
  /** Counts per histogram slot (dense, HIST_SIZE long). */
  hist: number[];
}

export function emptyBucket(minute: number): MinuteBucket {
  return {
    minute,
    invocations: 0,
    errors: 0,
    throttles: 0,
    coldStarts: 0,
    maxConcurrency: 0,
    durationSumMs: 0,
    durationMaxMs: 0,
    hist: new Array<number>(HIST_SIZE).fill(0),
  };
}

export function minuteOf(ms: number): number {
  return ms - (ms % MINUTE_MS);
}

/** Adds `from` into `into` (counts add, maxima take the larger). */
export function mergeBucket(into: MinuteBucket, from: MinuteBucket): void {
  into.invocations += from.invocations;
  into.errors += from.errors;
  into.throttles += from.throttles;
  into.coldStarts += from.coldStarts;
  into.maxConcurrency = Math.max(into.maxConcurrency, from.maxConcurrency);
  into.durationSumMs += from.durationSumMs;
  into.durationMaxMs = Math.max(into.durationMaxMs, from.durationMaxMs);
  for (let i = 0; i < HIST_SIZE; i++) into.hist[i] = (into.hist[i] ?? 0) + (from.hist[i] ?? 0);
}

/** The histogram kept sparse ([slot, count] pairs) for storage: most minutes fill a few slots. */
export function encodeHist(hist: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  hist.forEach((n, i) => {
    if (n > 0) out.push([i, n]);
  });
  return out;
}

export function decodeHist(pairs: ReadonlyArray<readonly [number, number]>): number[] {
  const hist = new Array<number>(HIST_SIZE).fill(0);
  for (const [i, n] of pairs) if (i >= 0 && i < HIST_SIZE) hist[i] = n;
  return hist;
}

/** The q-quantile (0..1) of a histogram in ms: the upper bound of its slot, capped by the maximum seen. */
export function histQuantile(hist: readonly number[], q: number, maxMs: number): number | null {
  let total = 0;
  for (const n of hist) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i] ?? 0;
    if (seen >= rank) return Math.min(histUpperMs(i), maxMs);
  }
  return maxMs;
}

export interface MetricPoint {
  /** Start of the period (ISO 8601). */
  start: string;
  invocations: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  maxConcurrency: number;
  durationAvgMs: number | null;
  durationP50Ms: number | null;
  durationP95Ms: number | null;
  durationP99Ms: number | null;
  durationMaxMs: number | null;
}

/** A function's series over a range, as `GET /functions/{name}/metrics` answers it. */
export interface MetricSeries {
  function: string;
  from: string;
  to: string;
  periodSeconds: number;
  points: MetricPoint[];
}

/**
 * Groups minute buckets into periods of `periodMs` from `fromMs` (inclusive) to `toMs` (exclusive);
 * periods without invocations are present with zeros, so a chart has no gaps.
 */
export function aggregate(
  buckets: readonly MinuteBucket[],
  fromMs: number,
  toMs: number,
  periodMs: number,
): MetricPoint[] {
  const count = Math.max(0, Math.ceil((toMs - fromMs) / periodMs));
  const sums = Array.from({ length: count }, (_, i) => emptyBucket(fromMs + i * periodMs));
  for (const b of buckets) {
    if (b.minute < fromMs || b.minute >= toMs) continue;
    const slot = sums[Math.floor((b.minute - fromMs) / periodMs)];
    if (slot !== undefined) mergeBucket(slot, b);
  }
  return sums.map((s) => {
    const any = s.invocations > 0;
    return {
      start: new Date(s.minute).toISOString(),
      invocations: s.invocations,
      errors: s.errors,
      throttles: s.throttles,
      coldStarts: s.coldStarts,
      maxConcurrency: s.maxConcurrency,
      durationAvgMs: any ? s.durationSumMs / s.invocations : null,
      durationP50Ms: histQuantile(s.hist, 0.5, s.durationMaxMs),
      durationP95Ms: histQuantile(s.hist, 0.95, s.durationMaxMs),
      durationP99Ms: histQuantile(s.hist, 0.99, s.durationMaxMs),
      durationMaxMs: any ? s.durationMaxMs : null,
    };
  });
}

const UNIT_MS: Record<string, number> = { s: 1000, m: MINUTE_MS, h: 3600_000, d: 86_400_000 };

/**
 * A span such as `90s`, `15m`, `1h`, `14d`, or a bare number of seconds (CloudWatch's `period=60`).
 * Throws InvalidParameter naming `field`.
 */
export function parseSpan(field: string, value: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value.trim());
  const n = m === null ? NaN : Number(m[1]);
  if (m === null || !Number.isSafeInteger(n) || n <= 0)
    throw invalid(`${field} '${value}' is not a span such as 60, 90s, 15m, 1h or 7d`, { field });
  return n * (UNIT_MS[m[2] || "s"] ?? 1000);
}

export interface MetricsRange {
  fromMs: number;
  toMs: number;
  periodMs: number;
}

/**
 * Checks a query: `since` and `until` are spans back from `now` (or ISO 8601 times), `period` a
 * multiple of 60 seconds. The range must run forwards, lie within the retention and hold at most
 * MAX_METRIC_POINTS periods.
 */
export function metricsRange(
  q: { since?: string; until?: string; period?: string },
  now: number,
): MetricsRange {
  const at = (field: string, v: string): number => {
    if (/^\d{4}-\d\d-\d\d/.test(v)) {
      const t = Date.parse(v);
      if (Number.isNaN(t)) throw invalid(`${field} '${v}' is not an ISO 8601 time`, { field });
      return t;
    }
    return now - parseSpan(field, v);
  };
  const periodMs = parseSpan("period", q.period ?? "60");
  if (periodMs % MINUTE_MS !== 0)
    throw invalid(`period '${q.period}' must be a whole number of minutes (60, 300, 1m, 1h, …)`, {
      field: "period",
    });
  const toRaw = q.until === undefined ? now : at("until", q.until);
  const fromRaw = at("since", q.since ?? "1h");
  if (fromRaw >= toRaw)
    throw invalid(
      `since (${new Date(fromRaw).toISOString()}) must be before until (${new Date(toRaw).toISOString()})`,
      {
        field: "since",
      },
    );
  if (now - fromRaw > METRICS_RETENTION_MS + MINUTE_MS)
    throw invalid(`since reaches back more than the 14 days metrics are kept`, { field: "since" });
  // Whole minutes: the last (current) minute is included.
  const fromMs = minuteOf(fromRaw);
  const toMs = minuteOf(toRaw - 1) + MINUTE_MS;
  const points = Math.ceil((toMs - fromMs) / periodMs);
  if (points > MAX_METRIC_POINTS)
    throw invalid(
      `the range holds ${points} periods of ${periodMs / 1000} s; at most ${MAX_METRIC_POINTS} (use a longer period or a shorter range)`,
      { field: "period" },
    );
  return { fromMs, toMs, periodMs };
}
