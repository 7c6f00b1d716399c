// The span export thread: records the batches of invocation records the event loop sends as spans
// (tracing-spans.ts) and exports them with the SDK's BatchSpanProcessor and OTLP/HTTP exporter (JSON),
// so that span bookkeeping, JSON encoding and HTTP to the collector cost the event loop nothing.
// OTEL_BSP_* and OTEL_EXPORTER_OTLP_* settings apply here (a worker thread sees the process's environment).

import { parentPort, workerData } from "node:worker_threads";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createSpanRecorder } from "./tracing-spans.js";
import type { FromSpanThread, SpanThreadConfig, ToSpanThread } from "./tracing-record.js";

const { url, serviceName } = workerData as SpanThreadConfig;
const recorder = createSpanRecorder(new BatchSpanProcessor(new OTLPTraceExporter({ url })), serviceName);
const port = parentPort;
const reply = (m: FromSpanThread): void => port?.postMessage(m);

port?.on("message", (m: ToSpanThread) => {
  if (m.type === "spans") {
    let error: string | undefined;
    for (const r of m.records) {
      try {
        recorder.record(r);
      } catch (err) {
        // One bad record must not cost the batch, nor stop the thread.
        error ??= `${r.functionName} ${r.requestId}: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    reply(error === undefined ? { type: "recorded" } : { type: "recorded", error });
    return;
  }
  recorder.shutdown().then(
    () => reply({ type: "closed" }),
    (err: unknown) => reply({ type: "closed", error: err instanceof Error ? err.message : String(err) }),
  );
});
reply({ type: "ready" });
