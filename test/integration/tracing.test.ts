// Tracing end to end: a server started with --otlp-endpoint exports one SERVER span per invocation with
// init / handler / queued children to an OTLP/HTTP receiver in this test (the real exporter, JSON
// encoding); an incoming traceparent or X-Amzn-Trace-Id becomes the parent; the function sees the handler
// span in _X_AMZN_TRACE_ID and TRACEPARENT; TracingConfig (Active | PassThrough) through the AWS SDK decides
// what is recorded when the caller made no decision.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { join } from "node:path";
import {
  FIXTURES,
  createRoles,
  deploy,
  invoke,
  startServer,
  stopAndClean,
  waitFor,
  zipBase64,
  type ServerHandle,
} from "./harness.js";
import { lambdaClientFor, rejectsAws } from "./aws-client.js";
import { sharedBuildCache, skipUnlessRuntime, skipUnlessRustCrates } from "./runtime-support.js";

interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: { key: string; value: OtlpValue }[];
  status?: { code?: number; message?: string };
}
interface OtlpRequest {
  resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

const SERVER_KIND = 2;
const STATUS_ERROR = 2;
const spans: OtlpSpan[] = [];
let receiver: Server;
let s: ServerHandle;
let lambda: LambdaClient;

before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/v1/traces" && (req.headers["content-type"] ?? "").includes("json")) {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpRequest;
        for (const rs of body.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const port = (receiver.address() as AddressInfo).port;
  s = await startServer({
    args: ["--otlp-endpoint", `http://127.0.0.1:${port}`],
    env: { OTEL_BSP_SCHEDULE_DELAY: "100", ...sharedBuildCache() },
  });
  const r = await deploy(
    s,
    { name: "traced", runtime: "python3.11", handler: "app.handler", tracing: "active" },
    "python/traced",
  );
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.tracing, "Active");
  await createRoles(s, "test");
  lambda = lambdaClientFor(s);
});
after(async () => {
  try {
    lambda.destroy();
    await stopAndClean(s);
  } finally {
    await new Promise<void>((r) => receiver.close(() => r()));
  }
});

function attr(span: OtlpSpan, key: string): string | boolean | number | undefined {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return v.intValue === undefined ? undefined : Number(v.intValue);
}

/** The invocation's root span and its children, once the exporter has delivered them (bounded wait). */
async function spansOf(requestId: string, children: number): Promise<{ root: OtlpSpan; kids: OtlpSpan[] }> {
  let root: OtlpSpan | undefined;
  let kids: OtlpSpan[] = [];
  const ok = await waitFor(() => {
    root = spans.find((x) => attr(x, "faas.invocation_id") === requestId);
    kids = root === undefined ? [] : spans.filter((x) => x.parentSpanId === root?.spanId);
    return kids.length >= children;
  }, 20_000);
  assert.ok(ok && root !== undefined, `spans of ${requestId} never arrived (have ${spans.length})`);
  return { root, kids };
}

const kid = (kids: OtlpSpan[], name: string): OtlpSpan => {
  const k = kids.find((x) => x.name === name);
  assert.ok(k, `no ${name} span among ${kids.map((x) => x.name).join(",")}`);
  return k;
};

test("one SERVER span per invocation with FaaS attributes, init then handler; coldstart true then false", async () => {
  const first = await invoke(s, "traced", {});
  assert.equal(first.status, 200, first.text);
  const a = await spansOf(first.headers.get("x-vajra-request-id") ?? "", 2);
  assert.equal(a.root.name, "traced");
  assert.equal(a.root.kind, SERVER_KIND);
  assert.equal(a.root.parentSpanId || undefined, undefined);
  assert.equal(attr(a.root, "faas.coldstart"), true);
  assert.equal(attr(a.root, "faas.name"), "traced");
  assert.equal(attr(a.root, "faas.version"), "$LATEST");
  assert.equal(attr(a.root, "faas.trigger"), "other");
  assert.equal(attr(a.root, "faas.max_memory"), 128 * 1024 * 1024);
  assert.equal(attr(a.root, "cloud.region"), "us-east-1");
  assert.equal(attr(a.root, "cloud.account.id"), "000000000000");
  assert.equal(attr(a.root, "cloud.resource_id"), "arn:aws:lambda:us-east-1:000000000000:function:traced");
  const init = kid(a.kids, "init");
  const handler = kid(a.kids, "handler");
  assert.ok(BigInt(init.endTimeUnixNano) <= BigInt(handler.startTimeUnixNano));
  // The function saw its handler span, in both forms.
  const seen = first.json() as { xray: string; traceparent: string };
  const t = a.root.traceId;
  assert.equal(seen.xray, `Root=1-${t.slice(0, 8)}-${t.slice(8)};Parent=${handler.spanId};Sampled=1`);
  assert.equal(seen.traceparent, `00-${t}-${handler.spanId}-01`);

  const second = await invoke(s, "traced", {});
  const b = await spansOf(second.headers.get("x-vajra-request-id") ?? "", 1);
  assert.equal(attr(b.root, "faas.coldstart"), false);
  assert.deepEqual(
    b.kids.map((x) => x.name),
    ["handler"],
  );
  assert.notEqual(b.root.traceId, a.root.traceId);
});

test("an incoming traceparent becomes the parent and the function continues it", async () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const parent = "00f067aa0ba902b7";
  const r = await invoke(s, "traced", {}, { traceparent: `00-${traceId}-${parent}-01` });
  assert.equal(r.status, 200, r.text);
  const { root, kids } = await spansOf(r.headers.get("x-vajra-request-id") ?? "", 1);
  assert.equal(root.traceId, traceId);
  assert.equal(root.parentSpanId, parent);
  const handler = kid(kids, "handler");
  assert.equal((r.json() as { traceparent: string }).traceparent, `00-${traceId}-${handler.spanId}-01`);
});

// The compiled runtimes' shims set TRACEPARENT as the Python and Node.js bootstraps do.
for (const [runtime, skip] of [
  ["go1.19", skipUnlessRuntime("go1.19")],
  ["rust1.70", skipUnlessRuntime("rust1.70") || skipUnlessRustCrates()],
] as const) {
  test(
    `${runtime}: the function sees the handler span in _X_AMZN_TRACE_ID and TRACEPARENT`,
    { skip },
    async () => {
      const name = `traced-${runtime.replace(".", "")}`;
      const dir = runtime === "go1.19" ? "go/toolkit" : "rust/toolkit";
      const d = await deploy(s, { name, runtime, tracing: "active" }, dir);
      assert.equal(d.status, 201, JSON.stringify(d.json));
      const traceId = "0af7651916cd43dd8448eb211c80319c";
      const r = await invoke(
        s,
        name,
        { action: "trace" },
        { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      );
      assert.equal(r.status, 200, r.text);
      const { kids } = await spansOf(r.headers.get("x-vajra-request-id") ?? "", 2);
      const handler = kid(kids, "handler");
      const seen = r.json() as { xray: string; traceparent: string };
      assert.equal(seen.xray, `Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=${handler.spanId};Sampled=1`);
      assert.equal(seen.traceparent, `00-${traceId}-${handler.spanId}-01`);
    },
  );
}

test("X-Amzn-Trace-Id is accepted; an unsampled parent is passed on but not recorded", async () => {
  const r = await invoke(
    s,
    "traced",
    {},
    {
      "x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    },
  );
  const { root } = await spansOf(r.headers.get("x-vajra-request-id") ?? "", 1);
  assert.equal(root.traceId, "5759e988bd862e3fe1be46a994272793");
  assert.equal(root.parentSpanId, "53995c3f42cd8ad8");

  const off = await invoke(
    s,
    "traced",
    {},
    {
      traceparent: "00-11111111111111111111111111111111-2222222222222222-00",
    },
  );
  const seen = off.json() as { xray: string; traceparent: string };
  assert.match(seen.xray, /^Root=1-11111111-111111111111111111111111;Parent=[0-9a-f]{16};Sampled=0$/);
  assert.match(seen.traceparent, /^00-1{32}-[0-9a-f]{16}-00$/);
  // A later sampled invocation's spans arrive; the unsampled one's never do.
  const later = await invoke(s, "traced", {});
  await spansOf(later.headers.get("x-vajra-request-id") ?? "", 1);
  assert.equal(
    spans.some((x) => x.traceId === "11111111111111111111111111111111"),
    false,
  );
});

test("a function error marks the span ERROR with error.type", async () => {
  const r = await invoke(s, "traced", { fail: true });
  const { root, kids } = await spansOf(r.headers.get("x-vajra-request-id") ?? "", 1);
  assert.equal(root.status?.code, STATUS_ERROR);
  assert.equal(attr(root, "error.type"), "ValueError");
  assert.equal(kid(kids, "handler").status?.code, STATUS_ERROR);
});

test("an Event invocation carries the caller's trace through the durable queue", async () => {
  const traceId = "0af7651916cd43dd8448eb211c80319c";
  const parent = "b7ad6b7169203331";
  const r = await s.api("/functions/traced/invoke", {
    method: "POST",
    body: "{}",
    headers: { "x-vajra-invocation-type": "event", traceparent: `00-${traceId}-${parent}-01` },
  });
  assert.equal(r.status, 202);
  const { requestId } = (await r.json()) as { requestId: string };
  const { root, kids } = await spansOf(requestId, 2);
  assert.equal(root.traceId, traceId);
  assert.equal(root.parentSpanId, parent);
  const queued = kid(kids, "queued");
  assert.equal(queued.startTimeUnixNano, root.startTimeUnixNano);
  kid(kids, "handler");
});

test("TracingConfig through the AWS SDK: PassThrough records only sampled callers, Active samples the rest", async () => {
  const zip = Buffer.from(await zipBase64(join(FIXTURES, "python/traced")), "base64");
  const created = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "passthrough",
      Runtime: "python3.11",
      Role: "arn:aws:iam::000000000000:role/test",
      Handler: "app.handler",
      Code: { ZipFile: zip },
    }),
  );
  assert.equal(created.TracingConfig?.Mode, "PassThrough");
  const call = async (payload = "{}"): Promise<string> => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: "passthrough", Payload: Buffer.from(payload) }),
    );
    assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
    return (JSON.parse(Buffer.from(out.Payload ?? []).toString()) as { xray: string }).xray;
  };
  // No caller decision and PassThrough: the function still gets a trace id, nothing is recorded.
  const unrecorded = await call();
  assert.match(unrecorded, /;Sampled=0$/);

  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "passthrough",
      TracingConfig: { Mode: "Active" },
    }),
  );
  const got = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "passthrough" }));
  assert.equal(got.TracingConfig?.Mode, "Active");
  const recorded = await call();
  assert.match(recorded, /;Sampled=1$/);
  const root = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(recorded);
  assert.ok(root);
  const traceId = `${root[1]}${root[2]}`;
  assert.ok(
    await waitFor(() => spans.some((x) => x.traceId === traceId && x.name === "passthrough"), 20_000),
  );
  const unrecordedRoot = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(unrecorded);
  assert.equal(
    spans.some((x) => unrecordedRoot !== null && x.traceId === `${unrecordedRoot[1]}${unrecordedRoot[2]}`),
    false,
  );

  await rejectsAws(
    lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "passthrough",
        TracingConfig: { Mode: "Sometimes" as "Active" },
      }),
    ),
    // The model's enum check answers first, as on AWS.
    "ValidationException",
    400,
    /tracingConfig\.mode/i,
  );
  const unchanged = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "passthrough" }));
  assert.equal(unchanged.TracingConfig?.Mode, "Active");
});

test("native API and CLI: a bad tracing mode is refused naming the field; --tracing sets it", async () => {
  const bad = await deploy(s, { name: "traced", tracing: "sometimes" });
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.json), /tracing/);
  const r = s.cli([
    "deploy",
    "traced",
    join(FIXTURES, "python/traced"),
    "--tracing",
    "passthrough",
    "--json",
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { tracing: string }).tracing, "PassThrough");
});
