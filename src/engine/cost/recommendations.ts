// Gathers the evidence recommendations reason about (core/recommend.ts) from what the engine keeps:
// the newest invocation records, the hourly series (when metrics are on), the configuration and the
// provisioned concurrency. It sees the region through a small interface, not region.ts, so engine/cost
// stays below the region in the import graph.

import { HOUR_MS, type PriceSheet } from "../../core/billing.js";
import type { MetricPoint, MetricsRange } from "../../core/metric-series.js";
import {
  MAX_RECORDS_PER_FUNCTION,
  RECOMMENDATION_WINDOW_MS,
  recommend,
  type FunctionEvidence,
  type InvocationSample,
  type ProvisionedEvidence,
} from "../../core/recommend.js";
import type { RecommendationReport } from "../../core/recommend-model.js";
import type { FunctionConfig, InvocationRecord } from "../../core/types.js";
import type { ProvisionedView } from "../provisioning.js";

export type { RecommendationReport };

/** What recommendations read from a region (Region has these methods). */
export interface RecommendationSource {
  /** Throws FunctionNotFound for an unknown name. */
  getFunction(name: string): FunctionConfig;
  listFunctions(): FunctionConfig[];
  /** The newest `limit` records, oldest first. */
  logs(name: string, limit: number): Promise<InvocationRecord[]>;
  /** Undefined when metrics are off. */
  metricSeries(name: string, range: MetricsRange): Promise<MetricPoint[] | undefined>;
  listProvisioned(name: string): ProvisionedView[];
  resolveFunction(name: string, qualifier?: string): { config: FunctionConfig };
}

export interface RecommendationsOptions {
  /** The price sheet in force now. */
  currentSheet: () => Promise<PriceSheet>;
  now?: () => number;
  /** Records read per function (default MAX_RECORDS_PER_FUNCTION). */
  maxRecords?: number;
}

function sample(r: InvocationRecord): InvocationSample {
  const s: InvocationSample = {
    startedAt: r.startedAt,
    ok: r.status === "success",
    durationMs: r.report.durationMs,
    billedDurationMs: r.report.billedDurationMs,
    memorySizeMb: r.report.memorySizeMb,
    maxMemoryUsedMb: r.report.maxMemoryUsedMb,
  };
  if (r.errorType !== undefined) s.errorType = r.errorType;
  if (r.report.initDurationMs !== undefined) s.initDurationMs = r.report.initDurationMs;
  return s;
}

/** The memory of the version `qualifier` keeps ready; $LATEST's when it no longer resolves (deleted meanwhile). */
function memoryOf(src: RecommendationSource, fn: FunctionConfig, qualifier: string): number {
  try {
    return src.resolveFunction(fn.name, qualifier).config.memorySize;
  } catch {
    return fn.memorySize;
  }
}

function provisionedEvidence(src: RecommendationSource, fn: FunctionConfig): ProvisionedEvidence[] {
  return src.listProvisioned(fn.name).map((p) => {
    const since = Date.parse(p.lastModified);
    return {
      qualifier: p.qualifier,
      allocated: p.allocated,
      memorySizeMb: memoryOf(src, fn, p.qualifier),
      sinceMs: Number.isNaN(since) ? 0 : since,
    };
  });
}

/** One function's evidence over the window ending at `nowMs`. */
export async function gatherEvidence(
  src: RecommendationSource,
  name: string,
  nowMs: number,
  maxRecords = MAX_RECORDS_PER_FUNCTION,
): Promise<FunctionEvidence> {
  const fn = src.getFunction(name);
  const fromMs = nowMs - RECOMMENDATION_WINDOW_MS;
  const records = await src.logs(name, maxRecords);
  const points = await src.metricSeries(name, {
    fromMs: Math.floor(fromMs / HOUR_MS) * HOUR_MS,
    toMs: nowMs,
    periodMs: HOUR_MS,
  });
  const ev: FunctionEvidence = {
    function: name,
    memorySizeMb: fn.memorySize,
    timeoutSeconds: fn.timeout,
    ephemeralStorageMb: fn.ephemeralStorage,
    samples: records.filter((r) => r.startedAt >= fromMs).map(sample),
    provisioned: provisionedEvidence(src, fn),
  };
  if (points !== undefined)
    ev.series = points.map((p) => ({
      startMs: Date.parse(p.start),
      invocations: p.invocations,
      errors: p.errors,
      coldStarts: p.coldStarts,
      maxConcurrency: p.maxConcurrency,
    }));
  return ev;
}

/**
 * Recommendations for `name` (FunctionNotFound when unknown) or for every function of the source,
 * priced at the sheet in force now.
 */
export async function recommendations(
  src: RecommendationSource,
  opts: RecommendationsOptions,
  name?: string,
): Promise<RecommendationReport> {
  const nowMs = (opts.now ?? Date.now)();
  const names = name !== undefined ? [src.getFunction(name).name] : src.listFunctions().map((f) => f.name);
  const sheet = await opts.currentSheet();
  const evidence: FunctionEvidence[] = [];
  // One function at a time: each reads up to maxRecords records, so memory stays bounded.
  for (const n of names) evidence.push(await gatherEvidence(src, n, nowMs, opts.maxRecords));
  const { recommendations: recs, notes } = recommend(evidence, sheet, nowMs);
  const metricsOff = evidence.some((e) => e.series === undefined);
  return {
    generatedAt: new Date(nowMs).toISOString(),
    from: new Date(nowMs - RECOMMENDATION_WINDOW_MS).toISOString(),
    to: new Date(nowMs).toISOString(),
    currency: sheet.currency,
    priceSheet: sheet.description,
    assumptions: [
      `evidence from the last ${RECOMMENDATION_WINDOW_MS / 86_400_000} days: the newest ` +
        `${opts.maxRecords ?? MAX_RECORDS_PER_FUNCTION} invocation records per function` +
        (metricsOff ? "" : " and the hourly metric series"),
      "monthly figures extrapolate the observed traffic to 30 days (a window shorter than a day counts as one day)",
      "savings assume durations stay the same and are priced at the price sheet in force now",
      ...(metricsOff
        ? ["metrics are off: traffic, cold starts and concurrency come from the records only"]
        : []),
    ],
    functions: names.length,
    recommendations: recs,
    notes,
  };
}
