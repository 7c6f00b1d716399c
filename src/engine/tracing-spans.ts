// Turns an invocation's record into its spans with the OpenTelemetry SDK: a SERVER span named after the
// function with the FaaS attributes, and `queued`, `init` and `handler` children, with the times, ids,
// parent and status the event loop recorded. Runs on the span export thread (and in unit tests with an
// in-memory exporter), so the SDK's span bookkeeping stays off the event loop that serves invocations.

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Span } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AlwaysOnSampler, BasicTracerProvider, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { randomHex } from "./random-hex.js";
import type { InvocationSpanRecord } from "./tracing-record.js";

export interface SpanRecorder {
  record(r: InvocationSpanRecord): void;
  /** Flushes the processor (exports what is batched) and stops it. */
  shutdown(): Promise<void>;
}

export function createSpanRecorder(processor: SpanProcessor, serviceName = "vajra"): SpanRecorder {
  // Ids chosen before a span exists: the function learnt its handler span's id (and, for a new trace,
  // the trace id) before the handler ran; the SDK takes them from here when it creates the span.
  const forced: { traceId?: string; spanId?: string } = {};
  const idGenerator = {
    generateTraceId: (): string => forced.traceId ?? randomHex(16),
    generateSpanId: (): string => {
      const id = forced.spanId ?? randomHex(8);
      delete forced.spanId;
      return id;
    },
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    idGenerator,
    // Sampling was decided per invocation on the event loop (only sampled invocations are recorded).
    sampler: new AlwaysOnSampler(),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer("vajra");

  function record(r: InvocationSpanRecord): void {
    const parentCtx =
      r.parentSpanId === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId: r.traceId,
            spanId: r.parentSpanId,
            traceFlags: TraceFlags.SAMPLED,
            isRemote: true,
          });
    forced.traceId = r.traceId;
    const answered = r.handlerStart !== undefined;
    const root = tracer.startSpan(
      r.functionName,
      {
        kind: SpanKind.SERVER,
        startTime: r.queuedAt ?? r.startedAt,
        attributes: {
          "faas.name": r.functionName,
          "faas.version": r.version,
          "faas.invocation_id": r.requestId,
          "faas.trigger": r.trigger,
          "faas.max_memory": r.memoryMb * 1024 * 1024,
          "cloud.provider": "vajra",
          "cloud.region": r.region,
          "cloud.account.id": r.account,
          "cloud.resource_id": r.arn,
          // Known only when the function answered (an invocation refused before has no instance).
          ...(answered ? { "faas.coldstart": r.initStart !== undefined } : {}),
        },
      },
      parentCtx,
    );
    delete forced.traceId;
    const rootCtx = trace.setSpan(ROOT_CONTEXT, root);
    const child = (name: string, from: number, spanId?: string): Span => {
      if (spanId !== undefined) forced.spanId = spanId;
      return tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: from }, rootCtx);
    };
    if (r.queuedAt !== undefined) child("queued", r.queuedAt).end(r.startedAt);
    if (r.handlerStart !== undefined) {
      if (r.initStart !== undefined) child("init", r.initStart).end(r.handlerStart);
      const handler = child("handler", r.handlerStart, r.handlerSpanId);
      if (r.errorType !== undefined) failed(handler, r.errorType);
      handler.end(r.endedAt);
    }
    if (r.errorType !== undefined) failed(root, r.errorType);
    root.end(r.endedAt);
  }

  return { record, shutdown: () => provider.shutdown() };
}

function failed(span: Span, errorType: string): void {
  span.setAttribute("error.type", errorType);
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
}
