// Vajra's own time series of a region's functions: the invoke path adds to an in-memory bucket per
// function for the current minute (O(1)); a timer writes what accumulated as deltas in one store
// transaction (never per invocation), and prunes buckets past the 14-day retention in the background.

import {
  METRICS_RETENTION_MS,
  aggregate,
  emptyBucket,
  histIndex,
  minuteOf,
  type MetricPoint,
  type MetricsRange,
  type MinuteBucket,
} from "../core/metric-series.js";
import type { Store } from "../store/store.js";

export interface MinuteSeriesOptions {
  flushIntervalMs: number;
  /** How often old buckets are pruned (the first prune runs at start). */
  pruneIntervalMs: number;
  /** Clock (tests pass their own). */
  now?: () => number;
  onError(err: unknown): void;
}

export class MinuteSeries {
  /** Deltas not yet written: the newest bucket of each function. */
  private live = new Map<string, MinuteBucket>();
  /** Deltas of minutes that ended before the last flush. */
  private done: Array<{ functionName: string; bucket: MinuteBucket }> = [];
  private readonly flushTimer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly opts: MinuteSeriesOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.flushTimer = setInterval(() => void this.flush(), opts.flushIntervalMs);
    this.flushTimer.unref();
    this.pruneTimer = setInterval(() => void this.prune(), opts.pruneIntervalMs);
    this.pruneTimer.unref();
  }

  private bucket(functionName: string): MinuteBucket {
    const minute = minuteOf(this.now());
    let b = this.live.get(functionName);
    if (b === undefined || b.minute !== minute) {
      if (b !== undefined) this.done.push({ functionName, bucket: b });
      b = emptyBucket(minute);
      this.live.set(functionName, b);
    }
    return b;
  }

  /** One finished invocation; `concurrency` is how many of the function ran when it started. */
  invocation(
    functionName: string,
    ok: boolean,
    durationMs: number,
    cold: boolean,
    concurrency: number,
  ): void {
    const b = this.bucket(functionName);
    b.invocations++;
    if (!ok) b.errors++;
    if (cold) b.coldStarts++;
    if (concurrency > b.maxConcurrency) b.maxConcurrency = concurrency;
    b.durationSumMs += durationMs;
    if (durationMs > b.durationMaxMs) b.durationMaxMs = durationMs;
    const i = histIndex(durationMs);
    b.hist[i] = (b.hist[i] ?? 0) + 1;
  }

  throttle(functionName: string): void {
    this.bucket(functionName).throttles++;
  }

  /** Writes every delta so far in one transaction; resolves when they are in the store. */
  flush(): Promise<void> {
    const batch = this.done;
    for (const [functionName, bucket] of this.live) batch.push({ functionName, bucket });
    if (batch.length === 0) return this.writing;
    this.done = [];
    this.live = new Map();
    this.writing = this.writing
      .then(() => this.store.mergeMetricBuckets(batch))
      .catch((err: unknown) => this.opts.onError(err));
    return this.writing;
  }

  /** Drops deltas of a deleted function (the store deletes its buckets with it). */
  forget(functionName: string): void {
    this.live.delete(functionName);
    this.done = this.done.filter((d) => d.functionName !== functionName);
  }

  /** The function's series over `range`, flushed first so the current minute is included. */
  async query(functionName: string, range: MetricsRange): Promise<MetricPoint[]> {
    await this.flush();
    const buckets = await this.store.listMetricBuckets(functionName, range.fromMs, range.toMs);
    return aggregate(buckets, range.fromMs, range.toMs, range.periodMs);
  }

  /** Deletes buckets past the retention (all regions: the store's retention is global). */
  async prune(): Promise<void> {
    try {
      await this.store.pruneMetricBuckets(minuteOf(this.now() - METRICS_RETENTION_MS));
    } catch (err) {
      this.opts.onError(err);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    await this.flush();
  }
}
