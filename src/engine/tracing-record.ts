// What the event loop hands the span export thread: one sampled invocation as plain data (strings and
// numbers, cheap to structured-clone), and the messages between the two threads. The thread turns each
// record into spans with the OpenTelemetry SDK (tracing-spans.ts) and exports them (tracing-worker.ts).

import type { FaasTrigger } from "../core/trace-context.js";

export interface InvocationSpanRecord {
  traceId: string;
  /** The handler span's id: the function learns it (as its trace parent) before the span exists. */
  handlerSpanId: string;
  /** The caller's span, a remote parent; absent when the invocation starts a trace. */
  parentSpanId?: string;
  functionName: string;
  version: string;
  /** The invoked ARN (qualified when a qualifier was given): `cloud.resource_id`. */
  arn: string;
  region: string;
  account: string;
  memoryMb: number;
  requestId: string;
  trigger: FaasTrigger;
  /** Epoch ms the invocation started in Vajra; an Event invocation's `queued` span ends here. */
  startedAt: number;
  /** Epoch ms an Event invocation was accepted: the invocation span starts here. */
  queuedAt?: number;
  endedAt: number;
  /** Epoch ms the handler started; absent when the invocation failed before the function answered. */
  handlerStart?: number;
  /** Epoch ms the instance's init started (a cold start). */
  initStart?: number;
  /** Set when the invocation failed: the function's error type or Vajra's error code. */
  errorType?: string;
}

export interface SpanThreadConfig {
  /** The OTLP/HTTP traces URL (already ending in /v1/traces). */
  url: string;
  serviceName: string;
}

/** To the thread: a batch to record (acknowledged once recorded), or shut down (flush, then `closed`). */
export type ToSpanThread = { type: "spans"; records: InvocationSpanRecord[] } | { type: "shutdown" };

/**
 * From the thread. `recorded.error` names a record the SDK refused (the rest of the batch is recorded);
 * `closed.error` says why the final flush failed, if it did.
 */
export type FromSpanThread =
  { type: "ready" } | { type: "recorded"; error?: string } | { type: "closed"; error?: string };
