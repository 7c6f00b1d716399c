// Prometheus metrics (prom-client): counters and histograms are updated where invocations are
// recorded, through cells of plain numbers cached per function/version/qualifier (metric-cells.ts), so
// the hot path does one map lookup and a few additions; gauges (instances, concurrency, queues, provisioned concurrency) are
// read from the engine when /metrics is scraped. Labels are bounded: region, function, version,
// qualifier (all things that exist), error type (capped per function) and closed lists — never ids.

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { collectProcessMetrics } from "./process-metrics.js";
import { CellCounter, CellHistogram, type CounterCell, type HistogramCell } from "./metric-cells.js";

/** Seconds; from a 1 ms handler to Lambda's 15-minute maximum. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const INIT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Messages per batch, up to the largest BatchSize a mapping takes. */
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 10000];
/** Seconds a batch's oldest message waited, from milliseconds to a week (MaximumRecordAgeInSeconds). */
const LAG_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.5, 1, 5, 30, 60, 300, 3600, 86400, 604800];
/** Distinct error types kept per function; later ones are counted as "Other" (user code names them). */
const MAX_ERROR_TYPES = 20;

export type DropReason = "max_age" | "function_deleted" | "retries_exhausted";
export type DestinationResult = "delivered" | "failed_attempt" | "given_up";

/** What the engine reports about one function when /metrics is scraped. */
export interface FunctionGauges {
  region: string;
  functionName: string;
  concurrent: number;
  idle: number;
  busy: number;
  queueDepth: number;
  /** Age of the oldest queued Event invocation (ms); absent when none waits. */
  queueOldestAgeMs?: number;
  provisioned: Array<{ qualifier: string; version: string; requested: number; allocated: number }>;
}

/** The label children of one function/version/qualifier, bound once and reused. */
export interface MetricHandle {
  readonly region: string;
  readonly functionName: string;
  readonly version: string;
  readonly qualifier: string;
  /** Invocations of this version now running (for provisioned-concurrency utilisation). */
  inFlight: number;
  readonly ok: CounterCell;
  readonly failed: CounterCell;
  readonly throttled: CounterCell;
  readonly cold: CounterCell;
  readonly duration: HistogramCell;
  readonly init: HistogramCell;
  readonly errorTypes: Map<string, CounterCell>;
}

export class VajraMetrics {
  readonly registry = new Registry();
  /**
   * Handles by region, function, qualifier and version: nested maps keyed by strings the engine already
   * holds, so the per-invocation lookup neither builds nor hashes a fresh composite key.
   */
  private readonly handles = new Map<string, Map<string, Map<string, Map<string, MetricHandle>>>>();
  private readonly invocations = new CellCounter(
    "vajra_invocations_total",
    "Finished invocations (status success or error), as Lambda's Invocations metric.",
    this.registry,
  );
  private readonly errors = new CellCounter(
    "vajra_invocation_errors_total",
    "Invocations that ended in a function error, by error type (at most 20 types per function, then Other).",
    this.registry,
  );
  private readonly throttles = new CellCounter(
    "vajra_throttles_total",
    "Invocations refused because a concurrency limit was reached (HTTP 429).",
    this.registry,
  );
  private readonly coldStarts = new CellCounter(
    "vajra_cold_starts_total",
    "Invocations that started a new instance (they have an init duration).",
    this.registry,
  );
  private readonly duration = new CellHistogram(
    "vajra_invocation_duration_seconds",
    "Handler duration of finished invocations (REPORT Duration).",
    this.registry,
    DURATION_BUCKETS,
  );
  private readonly initDuration = new CellHistogram(
    "vajra_init_duration_seconds",
    "Init duration of cold starts (REPORT Init Duration).",
    this.registry,
    INIT_BUCKETS,
  );
  private readonly dropped = new Counter({
    name: "vajra_async_events_dropped_total",
    help: "Event invocations given up (reason max_age, function_deleted or retries_exhausted).",
    labelNames: ["region", "function", "reason"],
    registers: [this.registry],
  });
  private readonly destinationResults = new Counter({
    name: "vajra_destination_records_total",
    help: "Destination records (invocation records, dead letters, mapping on-failure records) by result: delivered, failed_attempt (retried), given_up (after the bound, logged).",
    labelNames: ["region", "function", "result"],
    registers: [this.registry],
  });
  private readonly batchSize = new Histogram({
    name: "vajra_event_source_batch_size",
    help: "Messages in each batch an event source mapping invoked its function with (retries included).",
    labelNames: ["region", "function", "source"],
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  private readonly sourceLag = new Histogram({
    name: "vajra_event_source_lag_seconds",
    help: "Age of a batch's oldest message when the mapping invoked the function with it (broker publish time where the broker gives one, else arrival at Vajra).",
    labelNames: ["region", "function", "source"],
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });
  private readonly concurrent = new Gauge({
    name: "vajra_concurrent_executions",
    help: "Invocations of the function running now.",
    labelNames: ["region", "function"],
    registers: [this.registry],
  });
  private readonly instances = new Gauge({
    name: "vajra_instances",
    help: "Instances of the function by state (idle = warm, busy = running an invocation).",
    labelNames: ["region", "function", "state"],
    registers: [this.registry],
  });
  private readonly queueDepth = new Gauge({
    name: "vajra_async_queue_depth",
    help: "Event invocations accepted and not finished (waiting, running or between retries).",
    labelNames: ["region", "function"],
    registers: [this.registry],
  });
  private readonly queueAge = new Gauge({
    name: "vajra_async_queue_oldest_age_seconds",
    help: "Age of the oldest Event invocation in the queue (Lambda's AsyncEventAge); 0 when none waits.",
    labelNames: ["region", "function"],
    registers: [this.registry],
  });
  private readonly provisioned = new Gauge({
    name: "vajra_provisioned_concurrency",
    help: "Provisioned concurrency of a version or alias: requested and allocated instances.",
    labelNames: ["region", "function", "qualifier", "kind"],
    registers: [this.registry],
  });
  private readonly provisionedUse = new Gauge({
    name: "vajra_provisioned_concurrency_utilization",
    help: "Running invocations of the provisioned version divided by its allocated instances (0..1).",
    labelNames: ["region", "function", "qualifier"],
    registers: [this.registry],
  });

  constructor(private readonly gauges: () => FunctionGauges[]) {
    collectProcessMetrics(this.registry);
  }

  /** The cached label children of `function:qualifier` running `version` (created on first use). */
  handle(region: string, functionName: string, version: string, qualifier: string): MetricHandle {
    const h = this.handles.get(region)?.get(functionName)?.get(qualifier)?.get(version);
    return h ?? this.newHandle(region, functionName, version, qualifier);
  }

  private newHandle(region: string, functionName: string, version: string, qualifier: string): MetricHandle {
    const labels = { region, function: functionName, version, qualifier };
    const h: MetricHandle = {
      region,
      functionName,
      version,
      qualifier,
      inFlight: 0,
      ok: this.invocations.cell({ ...labels, status: "success" }),
      failed: this.invocations.cell({ ...labels, status: "error" }),
      throttled: this.throttles.cell(labels),
      cold: this.coldStarts.cell(labels),
      duration: this.duration.cell(labels),
      init: this.initDuration.cell(labels),
      errorTypes: new Map(),
    };
    const level = <V>(m: Map<string, V>, key: string, empty: () => V): V => {
      let v = m.get(key);
      if (v === undefined) m.set(key, (v = empty()));
      return v;
    };
    type ByVersion = Map<string, MetricHandle>;
    const byFunction = level(this.handles, region, () => new Map<string, Map<string, ByVersion>>());
    const byQualifier = level(byFunction, functionName, () => new Map<string, ByVersion>());
    level(byQualifier, qualifier, (): ByVersion => new Map()).set(version, h);
    return h;
  }

  /** One finished invocation: O(1), no allocation once the handle and its error type exist. */
  finished(
    h: MetricHandle,
    ok: boolean,
    durationMs: number,
    initDurationMs?: number,
    errorType?: string,
  ): void {
    (ok ? h.ok : h.failed).value++;
    this.duration.observe(h.duration, durationMs / 1000);
    if (initDurationMs !== undefined) {
      h.cold.value++;
      this.initDuration.observe(h.init, initDurationMs / 1000);
    }
    if (!ok) this.errorOf(h, errorType ?? "Unhandled").value++;
  }

  private errorOf(h: MetricHandle, type: string): CounterCell {
    let c = h.errorTypes.get(type);
    if (c === undefined) {
      const t = h.errorTypes.size >= MAX_ERROR_TYPES ? "Other" : type;
      c =
        h.errorTypes.get(t) ??
        this.errors.cell({
          region: h.region,
          function: h.functionName,
          version: h.version,
          qualifier: h.qualifier,
          error_type: t,
        });
      if (t === type) h.errorTypes.set(type, c);
      else h.errorTypes.set("Other", c);
    }
    return c;
  }

  eventDropped(region: string, functionName: string, reason: DropReason): void {
    this.dropped.inc({ region, function: functionName, reason });
  }

  /** One batch an event source mapping invoked `functionName` with (`source` is the broker kind). */
  eventSourceBatch(region: string, functionName: string, source: string, size: number, lagMs: number): void {
    const labels = { region, function: functionName, source };
    this.batchSize.observe(labels, size);
    this.sourceLag.observe(labels, Math.max(0, lagMs) / 1000);
  }

  destinationResult(region: string, functionName: string, result: DestinationResult): void {
    this.destinationResults.inc({ region, function: functionName, result });
  }

  /** Removes a deleted function's series, so a scrape no longer lists it. */
  forget(region: string, functionName: string): void {
    this.handles.get(region)?.delete(functionName);
    const mine = (l: Record<string, string>): boolean => l.region === region && l.function === functionName;
    for (const m of [this.invocations, this.errors, this.throttles, this.coldStarts]) m.remove(mine);
    for (const m of [this.duration, this.initDuration]) m.remove(mine);
    for (const reason of ["max_age", "function_deleted", "retries_exhausted"])
      this.dropped.remove({ region, function: functionName, reason });
  }

  /** Running invocations of `version` of the function, over every qualifier it was invoked by. */
  private inFlightOf(region: string, functionName: string, version: string): number {
    let n = 0;
    for (const byVersion of this.handles.get(region)?.get(functionName)?.values() ?? [])
      n += byVersion.get(version)?.inFlight ?? 0;
    return n;
  }

  /** The Prometheus text exposition, with gauges read from the engine now. */
  async scrape(): Promise<string> {
    for (const g of [this.concurrent, this.instances, this.queueDepth, this.queueAge]) g.reset();
    this.provisioned.reset();
    this.provisionedUse.reset();
    for (const f of this.gauges()) {
      const l = { region: f.region, function: f.functionName };
      this.concurrent.set(l, f.concurrent);
      this.instances.set({ ...l, state: "idle" }, f.idle);
      this.instances.set({ ...l, state: "busy" }, f.busy);
      this.queueDepth.set(l, f.queueDepth);
      this.queueAge.set(l, f.queueOldestAgeMs === undefined ? 0 : Math.max(0, f.queueOldestAgeMs) / 1000);
      for (const p of f.provisioned) {
        const pl = { ...l, qualifier: p.qualifier };
        this.provisioned.set({ ...pl, kind: "requested" }, p.requested);
        this.provisioned.set({ ...pl, kind: "allocated" }, p.allocated);
        const running = this.inFlightOf(f.region, f.functionName, p.version);
        this.provisionedUse.set(pl, p.allocated === 0 ? 0 : Math.min(1, running / p.allocated));
      }
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Maps the async queue's reason for dropping an event to a bounded label value. */
export function dropReason(why: string): DropReason {
  if (why.includes("maximum age")) return "max_age";
  if (why.includes("no longer exists")) return "function_deleted";
  return "retries_exhausted";
}
