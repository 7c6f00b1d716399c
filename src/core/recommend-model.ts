// What cost recommendations reason about: their thresholds (named, documented in docs/cost.md), the
// evidence the engine gathers per function, the shape of a recommendation, and the arithmetic they
// share (quantiles, peak overlap, traffic extrapolated to a month). The rules are in recommend.ts.

import { DAY_MS, HOUR_MS, invocationCost, type PriceSheet } from "./billing.js";
import { LIMITS } from "./limits.js";

// ---- Thresholds (documented in docs/cost.md, "Recommendations") ----

/** Evidence is read from this far back (the 1-minute series are kept as long). */
export const RECOMMENDATION_WINDOW_MS = 14 * DAY_MS;
/** At most this many invocation records are read per function (the newest). */
export const MAX_RECORDS_PER_FUNCTION = 5000;
/** A month, for extrapolation: 30 days. */
export const MONTH_MS = 30 * DAY_MS;
/**
 * Traffic is extrapolated to a month from the observed window, counted as at least one day: a burst
 * of calls a minute after a deploy is not read as a month of such minutes.
 */
export const MIN_EXTRAPOLATION_MS = DAY_MS;

/** Invocations at the configured memory size needed before its size is judged. */
export const MEMORY_MIN_SAMPLES = 20;
/** Over-sized when the most memory any invocation used is at most this share of the configured size. */
export const MEMORY_OVERSIZED_RATIO = 0.5;
/** The suggested size leaves this much room above the most used: × 1.5, and at least +64 MB. */
export const MEMORY_HEADROOM_FACTOR = 1.5;
export const MEMORY_HEADROOM_MIN_MB = 64;
/** A smaller size is only suggested when it is at least this much smaller. */
export const MEMORY_MIN_REDUCTION_MB = 128;
/** Near the limit (risk of running out of memory) when the most used reaches this share. */
export const MEMORY_NEAR_LIMIT_RATIO = 0.9;
/** Successful invocations needed at each size before sizes are compared. */
export const MEMORY_SIZE_MIN_SAMPLES = 10;
/** More memory "bought speed" when the median duration at the largest size is this much lower. */
export const MEMORY_SPEEDUP_MIN = 0.1;

/** Invocations needed before the timeout is judged. */
export const TIMEOUT_MIN_SAMPLES = 20;
/** The timeout is far above the p99 duration when it is more than 10 × p99 ... */
export const TIMEOUT_FACTOR = 10;
/** ... and more than 2 s above it. */
export const TIMEOUT_MIN_GAP_MS = 2000;
/** The suggested timeout: p99 × 3 (and the longest seen × 1.5), rounded up to whole seconds. */
export const TIMEOUT_SUGGEST_FACTOR = 3;
export const TIMEOUT_SUGGEST_MAX_FACTOR = 1.5;
/** Never below Lambda's default of 3 s, so a function on the default timeout is left alone. */
export const TIMEOUT_SUGGEST_MIN_SECONDS = 3;

/** Provisioned concurrency is judged once it has been in place this long. */
export const PROVISIONED_MIN_OBSERVED_MS = DAY_MS;
/** Idle when the peak concurrency over the window is at most this share of the allocated instances. */
export const PROVISIONED_IDLE_UTILISATION = 0.5;

/** Cold starts are judged with at least this many invocations in the window ... */
export const COLD_START_MIN_INVOCATIONS = 100;
/** ... when at least this share of them started cold ... */
export const COLD_START_SHARE = 0.1;
/** ... and the median init took at least this long. */
export const COLD_START_MIN_INIT_MS = 100;

/** The error rate is judged with at least this many invocations in the window. */
export const ERROR_MIN_INVOCATIONS = 20;
/** Error-heavy from this rate on; high severity from ERROR_RATE_HIGH. */
export const ERROR_RATE = 0.05;
export const ERROR_RATE_HIGH = 0.25;

/** Severity of a money recommendation by its monthly saving (in the sheet's currency). */
export const SAVING_MEDIUM = 1;
export const SAVING_HIGH = 50;

// ---- Evidence ----

/** One finished invocation, as its record reports it. */
export interface InvocationSample {
  startedAt: number;
  ok: boolean;
  errorType?: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Present on a cold start only. */
  initDurationMs?: number;
}

/** One period of the function's series (all versions together). */
export interface SeriesPeriod {
  startMs: number;
  invocations: number;
  errors: number;
  coldStarts: number;
  maxConcurrency: number;
}

export interface ProvisionedEvidence {
  /** The version or alias it is configured on. */
  qualifier: string;
  allocated: number;
  /** Memory of the version it keeps ready. */
  memorySizeMb: number;
  /** When it was last configured (epoch ms): the observation starts there. */
  sinceMs: number;
}

export interface FunctionEvidence {
  function: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  ephemeralStorageMb: number;
  /** The newest invocation records in the window, oldest first (bounded). */
  samples: InvocationSample[];
  /** Hourly (or any period) series over the window; undefined when metrics are off. */
  series?: SeriesPeriod[];
  provisioned: ProvisionedEvidence[];
}

// ---- Recommendations ----

export const RECOMMENDATION_KINDS = [
  "memory-right-sizing",
  "memory-size-comparison",
  "timeout",
  "idle-provisioned-concurrency",
  "cold-starts",
  "error-rate",
] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];
export type Severity = "high" | "medium" | "low" | "info";

export type EvidenceValue =
  number | string | boolean | null | EvidenceValue[] | { [k: string]: EvidenceValue };

export interface Recommendation {
  function: string;
  kind: RecommendationKind;
  severity: Severity;
  title: string;
  /** The evidence in words and numbers. */
  detail: string;
  evidence: Record<string, EvidenceValue>;
  /** At the observed traffic, extrapolated to a month; absent when the finding saves nothing. */
  estimatedMonthlySaving?: number;
  currency: string;
  risk?: string;
}

export interface RecommendOutcome {
  recommendations: Recommendation[];
  /** Why a function got no judgement of some kind (too little evidence). */
  notes: string[];
}

// ---- Helpers ----

/** Nearest-rank quantile (0..1) of unsorted values; null when empty. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}

/** The most invocations that overlapped in time (a sweep over start and end). */
export function peakOverlap(samples: readonly InvocationSample[]): number {
  const edges: Array<[number, number]> = [];
  for (const s of samples) edges.push([s.startedAt, 1], [s.startedAt + s.durationMs, -1]);
  // Ends before starts at the same instant: back-to-back calls did not overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) {
    now += d;
    peak = Math.max(peak, now);
  }
  return peak;
}

export const round = (v: number, digits = 6): number => Number(v.toFixed(digits));

/** Money for text: two decimals, or two significant digits below a cent. */
export function formatMoney(amount: number, currency: string): string {
  const a = Math.abs(amount);
  const text = a >= 0.01 || a === 0 ? a.toFixed(2) : a.toPrecision(2);
  return `${amount < 0 ? "-" : ""}${text} ${currency}`;
}

export const pct = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
export const ms = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
export const days = (v: number): string => {
  const d = v / DAY_MS;
  return d >= 1 ? `${d.toFixed(d < 10 ? 1 : 0)} days` : `${(v / HOUR_MS).toFixed(1)} hours`;
};

/** Observed traffic over the window and its monthly extrapolation. */
export interface Traffic {
  requests: number;
  errors: number;
  coldStarts: number;
  /** The span the counts cover (epoch ms of the first activity to now). */
  observedMs: number;
  /** The span the extrapolation divides by (at least MIN_EXTRAPOLATION_MS). */
  extrapolationMs: number;
  monthlyRequests: number;
  /** Peak concurrency: the series' maximum, else the largest overlap of the records. */
  peakConcurrency: number;
  source: "series" | "records";
}

export function traffic(ev: FunctionEvidence, nowMs: number): Traffic {
  const active = (ev.series ?? []).filter((p) => p.invocations > 0);
  let t: Omit<Traffic, "extrapolationMs" | "monthlyRequests">;
  if (active.length > 0) {
    const first = active[0]?.startMs ?? nowMs;
    t = {
      requests: active.reduce((n, p) => n + p.invocations, 0),
      errors: active.reduce((n, p) => n + p.errors, 0),
      coldStarts: active.reduce((n, p) => n + p.coldStarts, 0),
      observedMs: Math.max(0, nowMs - first),
      peakConcurrency: Math.max(...active.map((p) => p.maxConcurrency)),
      source: "series",
    };
  } else {
    const first = ev.samples[0]?.startedAt ?? nowMs;
    t = {
      requests: ev.samples.length,
      errors: ev.samples.filter((s) => !s.ok).length,
      coldStarts: ev.samples.filter((s) => s.initDurationMs !== undefined).length,
      observedMs: Math.max(0, nowMs - first),
      peakConcurrency: peakOverlap(ev.samples),
      source: "records",
    };
  }
  const extrapolationMs = Math.max(t.observedMs, MIN_EXTRAPOLATION_MS);
  return { ...t, extrapolationMs, monthlyRequests: (t.requests * MONTH_MS) / extrapolationMs };
}

export function trafficWords(t: Traffic): string {
  const over =
    t.observedMs < MIN_EXTRAPOLATION_MS ? "less than a day, counted as one day" : days(t.observedMs);
  return `${t.requests} invocations over ${over}: about ${Math.round(t.monthlyRequests)} a month`;
}

export function savingSeverity(saving: number): Severity {
  return saving >= SAVING_HIGH ? "high" : saving >= SAVING_MEDIUM ? "medium" : "low";
}

/** The smallest valid size (whole MB, within the limits) that leaves the headroom above `usedMb`. */
export function sizeWithHeadroom(usedMb: number): number {
  const want = Math.max(usedMb * MEMORY_HEADROOM_FACTOR, usedMb + MEMORY_HEADROOM_MIN_MB);
  return Math.min(LIMITS.memoryMaxMb, Math.max(LIMITS.memoryMinMb, Math.ceil(want)));
}

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

export interface SizeStats {
  memorySizeMb: number;
  invocations: number;
  p50DurationMs: number;
  meanBilledMs: number;
  costPerRequest: number;
}

/** Successful invocations grouped by the memory size they ran at (sizes with enough of them). */
export function sizeStats(ev: FunctionEvidence, sheet: PriceSheet): SizeStats[] {
  const groups = new Map<number, number[][]>();
  for (const s of ev.samples) {
    if (!s.ok) continue;
    const g = groups.get(s.memorySizeMb) ?? [];
    g.push([s.durationMs, s.billedDurationMs]);
    groups.set(s.memorySizeMb, g);
  }
  const out: SizeStats[] = [];
  for (const [mb, g] of groups) {
    if (g.length < MEMORY_SIZE_MIN_SAMPLES) continue;
    const meanBilledMs = mean(g.map((x) => x[1] ?? 0));
    out.push({
      memorySizeMb: mb,
      invocations: g.length,
      p50DurationMs: quantile(
        g.map((x) => x[0] ?? 0),
        0.5,
      ) as number,
      meanBilledMs,
      costPerRequest: invocationCost(meanBilledMs, mb, ev.ephemeralStorageMb, sheet),
    });
  }
  return out.sort((a, b) => a.memorySizeMb - b.memorySizeMb);
}

/** What `GET /recommendations` answers. */
export interface RecommendationReport {
  generatedAt: string;
  /** The window the evidence comes from. */
  from: string;
  to: string;
  currency: string;
  priceSheet: string;
  /** How the figures were reached, in words. */
  assumptions: string[];
  functions: number;
  recommendations: Recommendation[];
  notes: string[];
}
