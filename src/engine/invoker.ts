// The invocation path of one region: admit (budget, concurrency), hand the event to the executor, and
// tell what ran to everything that observes it — the record writer (records and logs), Prometheus,
// the 1-minute series and usage metering — without I/O on the way (they buffer and write in batches).

import { randomUUID } from "node:crypto";
import { VajraError } from "../core/errors.js";
import type { ArnScope } from "../core/arn-scope.js";
import { functionArn, tailBytes } from "../core/lambda-format.js";
import { LIMITS } from "../core/limits.js";
import { LATEST } from "../core/routing.js";
import type { FunctionConfig, InvocationRecord } from "../core/types.js";
import type { Store } from "../store/store.js";
import type { ConcurrencyGate } from "./concurrency.js";
import { EMPTY_EVENT, ExecutionSpecCache, executionSpec, traceId } from "./execution-spec.js";
import type { FunctionRoles } from "./function-roles.js";
import type { LayerCatalog } from "./layers.js";
import { withInstance } from "./logs.js";
import type { InvokeOptions, InvokeOutcome } from "./platform-types.js";
import { RecordWriter } from "./record-writer.js";
import type { Executor } from "../executor/executor.js";
import type { RuntimeInfo } from "../executor/runtime-discovery.js";
import type { BlobStore } from "../blobs/code-package.js";
import type { VajraMetrics } from "./metrics.js";
import type { LogBus } from "./logs.js";
import type { Tracing } from "./tracing.js";
import { MinuteSeries } from "./minute-series.js";
import { startInvocationTrace } from "./tracing.js";
import { UsageMeter, type ProvisionedCapacity } from "./cost/usage-meter.js";
import type { VersionCatalog } from "./versions.js";

/** What the invocation path uses of the host (a part of the region's RegionShared). */
export interface InvokerShared {
  executor: Executor;
  runtimes: ReadonlyMap<string, RuntimeInfo>;
  blobs: BlobStore;
  metrics?: VajraMetrics;
  tracing?: Tracing;
  logBus: LogBus;
  onError: (err: unknown) => void;
}

export interface InvokerOptions {
  scope: ArnScope;
  store: Store;
  shared: InvokerShared;
  gate: ConcurrencyGate;
  catalog: VersionCatalog;
  layers: LayerCatalog;
  roles: FunctionRoles;
  getFunction: (name: string) => FunctionConfig;
  /** Throws BudgetExceeded when a budget throttles the function. */
  admit: (name: string) => void;
  /** The region stopped accepting invocations. */
  closing: () => boolean;
  /** Provisioned capacity, for metering. */
  provisioned: () => ProvisionedCapacity[];
}

export class Invoker {
  /** Finished invocations with their logs, written behind in batches. */
  readonly records: RecordWriter;
  /** The 1-minute series; absent when metrics are off. */
  readonly series: MinuteSeries | undefined;
  /** Usage for cost reports. */
  readonly meter: UsageMeter;
  private inFlightCount = 0;
  private readonly specs = new ExecutionSpecCache();
  private readonly region: string;

  constructor(private readonly o: InvokerOptions) {
    const { store, shared } = o;
    this.region = o.scope.region;
    this.records = new RecordWriter(store, {
      flushIntervalMs: 100,
      maxBuffered: 500,
      onError: shared.onError,
      onWritten: (batch) => shared.logBus.publish(this.region, batch),
    });
    this.series =
      shared.metrics === undefined
        ? undefined
        : new MinuteSeries(store, {
            flushIntervalMs: 10_000,
            pruneIntervalMs: 3600_000,
            onError: shared.onError,
          });
    this.meter = new UsageMeter(store.usage, {
      ...{ flushIntervalMs: 10_000, provisionedTickMs: 60_000, onError: shared.onError },
      provisioned: o.provisioned,
    });
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  async invoke(name: string, payload: Buffer, opts: InvokeOptions = {}): Promise<InvokeOutcome> {
    const { shared, gate } = this.o;
    if (this.o.closing())
      throw new VajraError("ShuttingDown", "the server is shutting down and accepts no new invocations");
    const { config: fn, version } = this.o.catalog.resolve(this.o.getFunction(name), opts.qualifier);
    if (payload.length > LIMITS.syncPayloadBytes) {
      throw new VajraError(
        "PayloadTooLarge",
        `payload of ${payload.length} bytes exceeds the ${LIMITS.syncPayloadBytes}-byte limit for synchronous invocations`,
      );
    }
    this.o.admit(name);
    const runtime = shared.runtimes.get(fn.runtime);
    if (runtime === undefined || !runtime.available) {
      throw new VajraError(
        "RuntimeUnavailable",
        `runtime ${fn.runtime} is not available on this host: ${runtime?.reason ?? "unknown runtime"}`,
      );
    }
    const metrics = shared.metrics;
    const handle = metrics?.handle(this.region, name, version, opts.qualifier ?? LATEST);
    let release: () => void;
    try {
      release = gate.acquire(name);
    } catch (err) {
      if (handle !== undefined) {
        handle.throttled.value++;
        this.series?.throttle(name);
      }
      throw err;
    }
    this.inFlightCount++;
    const concurrency = gate.current(name);
    if (handle !== undefined) handle.inFlight++;
    const requestId = opts.requestId ?? randomUUID();
    const startedAt = Date.now();
    const trace = startInvocationTrace(shared.tracing, this.o.scope, fn, version, requestId, opts);
    try {
      const result = await shared.executor.invoke(
        this.specs.get(fn, version, runtime, () =>
          executionSpec(
            this.region,
            fn,
            version,
            runtime,
            shared.blobs.codeDir(fn.codeSha256),
            () => this.o.layers.optDir(fn.layers),
            this.o.roles.credentialsFor(fn, version),
          ),
        ),
        {
          requestId,
          // Lambda hands an empty payload to the function as an empty JSON object.
          payload: payload.length === 0 ? EMPTY_EVENT : payload,
          timeoutMs: fn.timeout * 1000,
          invokedFunctionArn: functionArn(name, opts.qualifier),
          traceId: trace?.header ?? traceId(),
          ...(opts.clientContext === undefined ? {} : { clientContext: opts.clientContext }),
        },
      );
      trace?.end(result);
      const r = result.report;
      const record: InvocationRecord = {
        requestId,
        functionName: name,
        version,
        startedAt,
        status: result.ok ? "success" : "error",
        report: r,
        log: result.log,
      };
      if (result.errorType !== undefined) record.errorType = result.errorType;
      if (opts.attempt !== undefined) record.attempt = opts.attempt;
      this.records.add(withInstance(record, result.instance));
      const provisioned = result.instance?.provisioned === true;
      this.meter.invocation(
        name,
        version,
        r.memorySizeMb,
        fn.ephemeralStorage,
        r.billedDurationMs,
        provisioned,
      );
      if (handle !== undefined) {
        metrics?.finished(handle, result.ok, r.durationMs, r.initDurationMs, result.errorType);
        this.series?.invocation(name, result.ok, r.durationMs, r.initDurationMs !== undefined, concurrency);
      }
      const out: InvokeOutcome = { requestId, version, ok: result.ok, body: result.body, report: r };
      if (result.errorType !== undefined) out.errorType = result.errorType;
      if (opts.logTail === true) out.logTail = tailBytes(result.log, LIMITS.logTailBytes);
      return out;
    } catch (err) {
      trace?.fail(err instanceof VajraError ? err.code : "InternalError");
      throw err;
    } finally {
      if (handle !== undefined) handle.inFlight--;
      this.inFlightCount--;
      release();
    }
  }

  /** Drops what is buffered about a deleted function (its records are flushed first by the caller). */
  forget(name: string): void {
    this.series?.forget(name);
    this.o.shared.metrics?.forget(this.region, name);
  }

  /** Writes what is buffered. */
  async close(): Promise<void> {
    await this.records.close();
    await this.series?.close();
    await this.meter.close();
  }
}
