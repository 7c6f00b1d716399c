// The Platform's option and result types, kept apart so the class file holds behaviour only.

import type { InvocationReport } from "../core/types.js";
import type { ExternalS3Options } from "./code-fetch.js";
import type { TraceContext } from "../core/trace-context.js";
import type { FaasTrigger } from "./tracing.js";

export interface PlatformOptions {
  dataDir?: string;
  keepAliveSeconds?: number;
  accountConcurrency?: number;
  /** Warm instances are evicted past this total (MB); default half the host's memory. */
  maxWarmMemoryMb?: number;
  /** Freeze idle instances between invocations, as Lambda does (default true; VAJRA_FREEZE=off). */
  freezeIdle?: boolean;
  /** Delay before the first retry of a failed Event invocation (doubles after); default 60 s as in Lambda. */
  asyncRetryBaseMs?: number;
  /** The server's region: ARNs outside a SigV4 request (native API, CLI, Event invocations) use it. */
  region?: string;
  /** The account id that owns every function and layer (default 000000000000). */
  accountId?: string;
  /** Fetch Code.S3Bucket/S3Key from this S3-compatible store instead of Vajra's own code bucket. */
  codeS3?: ExternalS3Options;
  /** Network mode of functions that do not name one: none (default) or egress. */
  defaultNetwork?: string;
  /** Collect metrics (Prometheus and the 1-minute series); default true, VAJRA_METRICS=off turns them off. */
  metrics?: boolean;
  /** Size cap of the log store (MB, all functions); default 1024. */
  logMaxMb?: number;
  /** OTLP/HTTP endpoint to export invocation traces to (default OTEL_EXPORTER_OTLP_ENDPOINT; unset: off). */
  otlpEndpoint?: string;
  onWarning?: (message: string) => void;
  onError?: (err: unknown) => void;
}

export interface InvokeOptions {
  /** Return the last 4 KB of the log with the result. */
  logTail?: boolean;
  /** JSON text of the client context, handed to the handler's context. */
  clientContext?: string;
  /** The request id to use (an Event invocation keeps the one it was accepted with). */
  requestId?: string;
  /** Retry number of an Event invocation. */
  attempt?: number;
  /** Version number or alias; $LATEST when absent. */
  qualifier?: string;
  /** The caller's trace context (traceparent / X-Amzn-Trace-Id), the parent of the invocation's span. */
  trace?: TraceContext;
  /** What caused the invocation, for `faas.trigger` (default other). */
  trigger?: FaasTrigger;
  /** Epoch ms an Event invocation was accepted (its queued time becomes a span). */
  queuedAt?: number;
}

export interface InvokeOutcome {
  requestId: string;
  version: string;
  ok: boolean;
  body: Buffer;
  errorType?: string;
  report: InvocationReport;
  logTail?: Buffer;
}

export interface RuntimeListing {
  id: string;
  family: string;
  available: boolean;
  deprecated: boolean;
  version?: string;
  /** The interpreter, or for compiled families the toolchain's home (JAVA_HOME, GOROOT, Rust sysroot, .NET root). */
  path?: string;
  reason?: string;
  /** Python and Node.js: the AWS SDK functions get without packaging it, or how to provide it. */
  sdk?: string;
}
