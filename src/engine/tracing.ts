// OpenTelemetry spans per invocation (FaaS semantic conventions), exported over OTLP/HTTP. The SDK is loaded
// only when an endpoint is configured, and then on its own thread (tracing-shipper.ts), so a server without
// tracing never imports it and a traced invocation costs the event loop a sampling decision, two ids and
// one plain record: building the spans and encoding them for export took about 70 µs of event-loop time
// per invocation.

import { functionArn } from "../core/lambda-format.js";
import { formatXrayHeader, sampledFor, type FaasTrigger, type TraceContext } from "../core/trace-context.js";
import type { FunctionConfig, QueuedInvocation } from "../core/types.js";
import { randomHex } from "./random-hex.js";
import type { InvocationSpanRecord } from "./tracing-record.js";
import { SpanShipper } from "./tracing-shipper.js";

export type { FaasTrigger };

/** What the executor reports about a finished invocation (the part spans need). */
export interface InvocationOutcome {
  ok: boolean;
  errorType?: string;
  report: { durationMs: number; initDurationMs?: number };
}

export interface InvocationTrace {
  /** The trace in X-Ray form for the function (`_X_AMZN_TRACE_ID`): Parent is the handler span. */
  readonly header: string;
  end(outcome: InvocationOutcome): void;
  /** The invocation failed before the function answered (no instance, throttled, shut down). */
  fail(errorType: string): void;
}

/** The invocation's side of a trace: what ran and how it was asked for. */
export interface TraceStart {
  scope: { region: string; account: string };
  fn: FunctionConfig;
  version: string;
  requestId: string;
  opts: TraceOptions;
}

/** The invoke options tracing reads. */
export interface TraceOptions {
  qualifier?: string;
  /** The caller's trace context (traceparent / X-Amzn-Trace-Id). */
  trace?: TraceContext;
  trigger?: FaasTrigger;
  /** Epoch ms an Event invocation was accepted; the time until it runs is a `queued` child span. */
  queuedAt?: number;
}

export interface Tracing {
  start(s: TraceStart): InvocationTrace;
  /** Exports what is buffered (waiting a bounded time for the collector) and stops. */
  shutdown(): Promise<void>;
}

/** The endpoint from `--otlp-endpoint` or OTEL_EXPORTER_OTLP_ENDPOINT; undefined turns tracing off. */
export function otlpEndpoint(option: string | undefined): string | undefined {
  const v =
    option ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/** OTEL_EXPORTER_OTLP_ENDPOINT is a base URL; traces go to its /v1/traces (the spec's rule). */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, "");
  return base.endsWith("/v1/traces") ? base : `${base}/v1/traces`;
}

export interface TracingOptions {
  serviceName?: string;
  /** The export thread fell behind, stopped, or could not deliver the last spans at shutdown. */
  onWarning?: (message: string) => void;
  /** How long shutdown waits for the collector to take the last spans (default 3 s). */
  shutdownGraceMs?: number;
}

/** An invocation that is not recorded: the function still gets a trace id (Sampled=0). */
class UnsampledInvocation implements InvocationTrace {
  constructor(readonly header: string) {}
  end(): void {}
  fail(): void {}
}

/** A recorded invocation: its record goes to the export thread when it ends. */
class SampledInvocation implements InvocationTrace {
  constructor(
    readonly header: string,
    private readonly record: InvocationSpanRecord,
    private readonly shipper: SpanShipper,
  ) {}

  end({ ok, errorType, report }: InvocationOutcome): void {
    const r = this.record;
    const now = Date.now();
    r.endedAt = now;
    // The handler ran for the last `durationMs`, after the init (if this invocation started the instance).
    r.handlerStart = Math.max(r.startedAt, now - report.durationMs);
    if (report.initDurationMs !== undefined)
      r.initStart = Math.max(r.startedAt, r.handlerStart - report.initDurationMs);
    if (!ok) r.errorType = errorType ?? "Unhandled";
    this.shipper.add(r);
  }

  fail(errorType: string): void {
    this.record.endedAt = Date.now();
    this.record.errorType = errorType;
    this.shipper.add(this.record);
  }
}

export async function startTracing(endpoint: string, o: TracingOptions = {}): Promise<Tracing> {
  const shipper = await SpanShipper.start({
    url: tracesUrl(endpoint),
    serviceName: o.serviceName ?? "vajra",
    ...(o.onWarning === undefined ? {} : { onWarning: o.onWarning }),
    ...(o.shutdownGraceMs === undefined ? {} : { shutdownGraceMs: o.shutdownGraceMs }),
  });

  function start({ scope, fn, version, requestId, opts }: TraceStart): InvocationTrace {
    const startedAt = Date.now();
    const parent = opts.trace;
    const sampled = sampledFor(fn.tracingMode, parent);
    const traceId = parent?.traceId ?? randomHex(16);
    const handlerSpanId = randomHex(8);
    const header = formatXrayHeader({ traceId, spanId: handlerSpanId, sampled });
    if (!sampled) return new UnsampledInvocation(header);
    const record: InvocationSpanRecord = {
      traceId,
      handlerSpanId,
      functionName: fn.name,
      version,
      arn: functionArn(fn.name, opts.qualifier, scope.region, scope.account),
      region: scope.region,
      account: scope.account,
      memoryMb: fn.memorySize,
      requestId,
      trigger: opts.trigger ?? "other",
      startedAt,
      endedAt: startedAt,
    };
    if (parent?.spanId !== undefined) record.parentSpanId = parent.spanId;
    if (opts.queuedAt !== undefined) record.queuedAt = opts.queuedAt;
    return new SampledInvocation(header, record, shipper);
  }

  return { start, shutdown: () => shipper.shutdown() };
}

/** The region's call: one line there. Undefined when tracing is off. */
export function startInvocationTrace(
  tracing: Tracing | undefined,
  scope: { region: string; account: string },
  fn: FunctionConfig,
  version: string,
  requestId: string,
  opts: TraceOptions,
): InvocationTrace | undefined {
  return tracing?.start({ scope, fn, version, requestId, opts });
}

/** The invoke options that let a queued Event invocation continue its caller's trace. */
export function queuedTraceOptions(item: QueuedInvocation): {
  trace?: TraceContext;
  trigger?: FaasTrigger;
  queuedAt: number;
} {
  return {
    queuedAt: item.enqueuedAt,
    ...(item.trace === undefined ? {} : { trace: item.trace }),
    ...(item.trigger === undefined ? {} : { trigger: item.trigger }),
  };
}
