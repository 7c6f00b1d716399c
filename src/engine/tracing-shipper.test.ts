// The event loop's side of tracing with the real export thread: sampled invocations reach an OTLP/HTTP
// receiver as JSON spans (unsampled ones never do), and shutdown ends even when the collector takes the
// connection and never answers.

import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { test } from "node:test";
import type { FunctionConfig } from "../core/types.js";
import { startTracing } from "./tracing.js";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

const fn = { name: "hello", memorySize: 128, tracingMode: "Active" } as FunctionConfig;
const scope = { region: "us-east-1", account: "000000000000" };
const outcome = { ok: true, report: { durationMs: 3 } };

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

test("sampled invocations reach the collector as OTLP JSON; unsampled ones do not", async () => {
  const spans: OtlpSpan[] = [];
  const receiver = createServer((req, res) => {
    void body(req).then((text) => {
      const r = JSON.parse(text) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of r.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const { port } = receiver.address() as AddressInfo;
  try {
    const tracing = await startTracing(`http://127.0.0.1:${port}`);
    const traced = tracing.start({ scope, fn, version: "$LATEST", requestId: "r-1", opts: {} });
    const unsampled = tracing.start({
      scope,
      fn,
      version: "$LATEST",
      requestId: "r-2",
      opts: { trace: { traceId: "1".repeat(32), spanId: "2".repeat(16), sampled: false } },
    });
    assert.match(traced.header, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
    assert.match(unsampled.header, /;Sampled=0$/);
    traced.end(outcome);
    unsampled.end(outcome);
    // Shutdown flushes what the thread holds.
    await tracing.shutdown();
    const root = spans.find((s) => s.name === "hello");
    assert.ok(root, `no invocation span among ${spans.map((s) => s.name).join(",")}`);
    const handler = spans.find((s) => s.name === "handler");
    assert.equal(handler?.parentSpanId, root.spanId);
    assert.equal(
      traced.header,
      `Root=1-${root.traceId.slice(0, 8)}-${root.traceId.slice(8)};Parent=${handler.spanId};Sampled=1`,
    );
    assert.equal(
      spans.some((s) => s.traceId === "1".repeat(32)),
      false,
    );
  } finally {
    await new Promise<void>((r) => receiver.close(() => r()));
  }
});

test("shutdown ends although the collector takes the connection and never answers", async () => {
  const sockets = new Set<Socket>();
  const blackHole = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("data", () => undefined);
  });
  await new Promise<void>((r) => blackHole.listen(0, "127.0.0.1", r));
  const { port } = blackHole.address() as AddressInfo;
  const warnings: string[] = [];
  try {
    const tracing = await startTracing(`http://127.0.0.1:${port}`, {
      shutdownGraceMs: 300,
      onWarning: (m) => warnings.push(m),
    });
    tracing.start({ scope, fn, version: "$LATEST", requestId: "r-1", opts: {} }).end(outcome);
    await tracing.shutdown();
    assert.ok(
      warnings.some((w) => /did not take the last spans/.test(w)),
      warnings.join("\n"),
    );
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => blackHole.close(() => r()));
  }
});
