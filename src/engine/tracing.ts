// OpenTelemetry spans per invocation (FaaS semantic conventions), exported over OTLP/HTTP. Loaded only when an
// endpoint is configured, so a server without tracing never imports the SDK and its invoke path pays nothing.

import { randomFillSync } from "node:crypto";
import type { Span, Tracer } from "@opentelemetry/api";
import { functionArn } from "../core/lambda-format.js";
import {
  formatXrayHeader,
  sampledFor,
  type FaasTrigger,
  type TraceContext,
  type TracingMode,
} from "../core/trace-context.js";
import type { FunctionConfig, QueuedInvocation } from "../core/types.js";

export type { FaasTrigger };

export interface InvocationTraceInfo {
  functionName: string;
  version: string;
  /** The invoked ARN (qualified when a qualifier was given): `cloud.resource_id`. */
  arn: string;
  region: string;
  account: string;
  memoryMb: number;
  requestId: string;
  trigger: FaasTrigger;
  parent?: TraceContext;
  mode?: TracingMode;
  /** Epoch ms an Event invocation was accepted; the time until it runs is a `queued` child span. */
  queuedAt?: number;
}

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

export interface Tracing {
  start(info: InvocationTraceInfo): InvocationTrace;
  /** Exports what is buffered and stops. */
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

/**
 * Random ids cut from a pool refilled 4 KiB at a time: a randomBytes call per id (three per invocation)
 * was a tenth of what tracing cost the invoke path. Still crypto-random, as W3C Trace Context asks.
 */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;
const hex = (bytes: number): string => {
  if (poolAt + bytes > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  poolAt += bytes;
  return POOL.toString("hex", poolAt - bytes, poolAt);
};

export async function startTracing(endpoint: string, serviceName = "vajra"): Promise<Tracing> {
  const [api, sdk, exporterMod, resources] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  // Ids chosen before a span exists: the function must learn its handler span's id (and, for a new trace,
  // the trace id) before the handler runs, while the span itself is recorded afterwards with exact times.
  const forced: { traceId?: string; spanId?: string } = {};
  const idGenerator = {
    generateTraceId: (): string => forced.traceId ?? hex(16),
    generateSpanId: (): string => {
      const id = forced.spanId ?? hex(8);
      delete forced.spanId;
      return id;
    },
  };
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": serviceName }),
    idGenerator,
    // Sampling is decided per invocation below (the caller's decision, else the function's TracingConfig).
    sampler: new sdk.AlwaysOnSampler(),
    spanProcessors: [
      new sdk.BatchSpanProcessor(new exporterMod.OTLPTraceExporter({ url: tracesUrl(endpoint) })),
    ],
  });
  const tracer: Tracer = provider.getTracer("vajra");
  const { SpanKind, SpanStatusCode, ROOT_CONTEXT, TraceFlags } = api;

  function start(info: InvocationTraceInfo): InvocationTrace {
    const startedAt = Date.now();
    const parent = info.parent;
    const sampled = sampledFor(info.mode, parent);
    const traceId = parent?.traceId ?? hex(16);
    const handlerSpanId = hex(8);
    const header = formatXrayHeader({ traceId, spanId: handlerSpanId, sampled });
    if (!sampled) return { header, end: () => undefined, fail: () => undefined };

    const parentCtx =
      parent?.spanId === undefined
        ? ROOT_CONTEXT
        : api.trace.setSpanContext(ROOT_CONTEXT, {
            traceId,
            spanId: parent.spanId,
            traceFlags: TraceFlags.SAMPLED,
            isRemote: true,
          });
    forced.traceId = traceId;
    const root = tracer.startSpan(
      info.functionName,
      {
        kind: SpanKind.SERVER,
        startTime: info.queuedAt ?? startedAt,
        attributes: {
          "faas.name": info.functionName,
          "faas.version": info.version,
          "faas.invocation_id": info.requestId,
          "faas.trigger": info.trigger,
          "faas.max_memory": info.memoryMb * 1024 * 1024,
          "cloud.provider": "vajra",
          "cloud.region": info.region,
          "cloud.account.id": info.account,
          "cloud.resource_id": info.arn,
        },
      },
      parentCtx,
    );
    delete forced.traceId;
    const rootCtx = api.trace.setSpan(ROOT_CONTEXT, root);
    const child = (name: string, from: number, spanId?: string): Span => {
      if (spanId !== undefined) forced.spanId = spanId;
      return tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: from }, rootCtx);
    };
    if (info.queuedAt !== undefined) child("queued", info.queuedAt).end(startedAt);

    const failRoot = (errorType: string, end: number): void => {
      root.setAttribute("error.type", errorType);
      root.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
      root.end(end);
    };
    return {
      header,
      end({ ok, errorType: failure, report: outcome }) {
        const now = Date.now();
        const handlerStart = Math.max(startedAt, now - outcome.durationMs);
        const cold = outcome.initDurationMs !== undefined;
        root.setAttribute("faas.coldstart", cold);
        if (cold)
          child("init", Math.max(startedAt, handlerStart - (outcome.initDurationMs ?? 0))).end(handlerStart);
        const handler = child("handler", handlerStart, handlerSpanId);
        if (ok) {
          handler.end(now);
          root.end(now);
          return;
        }
        const errorType = failure ?? "Unhandled";
        handler.setAttribute("error.type", errorType);
        handler.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
        handler.end(now);
        failRoot(errorType, now);
      },
      fail(errorType) {
        failRoot(errorType, Date.now());
      },
    };
  }

  return {
    start,
    shutdown: () => provider.shutdown(),
  };
}

/** The region's call: one line there, the attribute mapping here. Undefined when tracing is off. */
export function startInvocationTrace(
  tracing: Tracing | undefined,
  scope: { region: string; account: string },
  fn: FunctionConfig,
  version: string,
  requestId: string,
  opts: { qualifier?: string; trace?: TraceContext; trigger?: FaasTrigger; queuedAt?: number },
): InvocationTrace | undefined {
  if (tracing === undefined) return undefined;
  return tracing.start({
    functionName: fn.name,
    version,
    arn: functionArn(fn.name, opts.qualifier, scope.region, scope.account),
    region: scope.region,
    account: scope.account,
    memoryMb: fn.memorySize,
    requestId,
    trigger: opts.trigger ?? "other",
    ...(fn.tracingMode === undefined ? {} : { mode: fn.tracingMode }),
    ...(opts.trace === undefined ? {} : { parent: opts.trace }),
    ...(opts.queuedAt === undefined ? {} : { queuedAt: opts.queuedAt }),
  });
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
