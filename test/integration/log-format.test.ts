// Lambda's LoggingConfig end to end: JSON application logs and platform records in the Invoke tail log
// for Python and Node.js, levels dropping what is below them, Text unchanged, and bad input refused
// (through the AWS SDK and the CLI) without changing anything.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
  type LogFormat,
  type Runtime,
} from "@aws-sdk/client-lambda";
import { FIXTURES, createRoles, startServer, stopAndClean, zipBase64, type ServerHandle } from "./harness.js";
import { lambdaClientFor, rejectsAws } from "./aws-client.js";
import { skipUnlessRuntime } from "./runtime-support.js";

const ROLE = "arn:aws:iam::000000000000:role/test";

let s: ServerHandle;
let lambda: LambdaClient;

before(async () => {
  s = await startServer();
  await createRoles(s, "test");
  lambda = lambdaClientFor(s);
});
after(async () => {
  await stopAndClean(s);
});

type Line = Record<string, unknown>;

async function create(
  name: string,
  runtime: string,
  handler: string,
  fixture: string,
  json: boolean,
): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: runtime as Runtime,
      Role: ROLE,
      Handler: handler,
      Code: { ZipFile: Buffer.from(await zipBase64(join(FIXTURES, fixture)), "base64") },
      ...(json
        ? { LoggingConfig: { LogFormat: "JSON", ApplicationLogLevel: "WARN", SystemLogLevel: "INFO" } }
        : {}),
    }),
  );
}

/** Invokes with LogType Tail; returns the result and the tail log's lines. */
async function tail(name: string, qualifier?: string): Promise<{ result: Line; lines: string[] }> {
  const r = await lambda.send(
    new InvokeCommand({
      FunctionName: name,
      LogType: "Tail",
      ...(qualifier === undefined ? {} : { Qualifier: qualifier }),
    }),
  );
  assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload ?? []).toString());
  const log = Buffer.from(r.LogResult ?? "", "base64").toString();
  return {
    result: JSON.parse(Buffer.from(r.Payload ?? []).toString()) as Line,
    lines: log.split("\n").filter((l) => l !== ""),
  };
}

const isPlatform = (r: Line): boolean => typeof r.type === "string" && r.type.startsWith("platform.");

function parsed(lines: string[]): Line[] {
  return lines.map((l) => {
    try {
      return JSON.parse(l) as Line;
    } catch {
      return { text: l };
    }
  });
}

function assertPlatformRecords(records: Line[], version: string, cold = false): void {
  const init = records.find((r) => r.type === "platform.initStart");
  assert.ok(!cold || init !== undefined, "a cold start logs platform.initStart");
  if (init !== undefined) {
    const rec = init.record as Line;
    assert.equal(rec.phase, "init");
    assert.equal(rec.initializationType, "on-demand");
    assert.equal(rec.functionVersion, version);
    assert.match(String(rec.runtimeVersionArn), /^arn:aws:lambda:[a-z0-9-]+::runtime:[0-9a-f]{64}$/);
    assert.ok(records.indexOf(init) < records.findIndex((r) => r.type === "platform.start"));
  }
  const start = records.find((r) => r.type === "platform.start");
  assert.ok(start, JSON.stringify(records));
  assert.equal((start.record as Line).version, version);
  assert.equal(
    records.find((r) => r.type === "platform.runtimeDone"),
    undefined,
    "runtimeDone is DEBUG",
  );
  const report = records.find((r) => r.type === "platform.report");
  assert.ok(report);
  const rec = report.record as { status: string; metrics: Record<string, number>; requestId: string };
  assert.equal(rec.status, "success");
  assert.equal(rec.metrics.memorySizeMB, 128);
  assert.equal(typeof rec.metrics.durationMs, "number");
  assert.equal(typeof rec.metrics.billedDurationMs, "number");
  assert.equal(typeof rec.metrics.maxMemoryUsedMB, "number");
  assert.equal(rec.requestId, (start.record as Line).requestId);
  assert.match(String(report.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
}

test(
  "Python with JSON + WARN: logging records are JSON, INFO dropped, print plain, platform records JSON",
  { skip: skipUnlessRuntime("python3.12") },
  async () => {
    await create("py-json", "python3.12", "app.handler", "python/logging", true);
    const { result, lines } = await tail("py-json");
    assert.deepEqual(result, { format: "JSON", level: "WARN", group: "/aws/lambda/py-json" });
    const records = parsed(lines);
    assert.ok(
      lines.every((l) => !l.startsWith("START ") && !l.startsWith("REPORT ")),
      lines.join("\n"),
    );
    assert.ok(
      !lines.some((l) => l.includes("info from root") || l.includes("debug from orders")),
      lines.join("\n"),
    );
    const warn = records.find((r) => r.message === "warn from orders");
    assert.ok(warn, lines.join("\n"));
    assert.equal(warn.level, "WARN");
    assert.equal(warn.logger, "orders");
    assert.equal(warn.orderId, 42);
    assert.match(String(warn.requestId), /^[0-9a-f-]{36}$/);
    assert.match(String(warn.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const caught = records.find((r) => r.message === "caught it");
    assert.ok(caught);
    assert.equal(caught.level, "ERROR");
    assert.equal(caught.errorType, "ValueError");
    assert.equal(caught.errorMessage, "bad order");
    assert.ok(Array.isArray(caught.stackTrace));
    assert.ok(lines.includes("plain print line"), "print stays a plain text line");
    assertPlatformRecords(records, "$LATEST", true);
    const report = records.find((r) => r.type === "platform.report") as { record: { metrics: Line } };
    assert.equal(typeof report.record.metrics.initDurationMs, "number", "cold start reports init");
  },
);

test(
  "Node.js with JSON + WARN: console calls are JSON, info/log/debug dropped, errors serialized",
  { skip: skipUnlessRuntime("nodejs20.x") },
  async () => {
    await create("node-json", "nodejs20.x", "index.handler", "nodejs/logging", true);
    const { result, lines } = await tail("node-json");
    assert.deepEqual(result, { format: "JSON", level: "WARN", group: "/aws/lambda/node-json" });
    const records = parsed(lines);
    assert.ok(
      records.every((r) => r.text === undefined),
      `every line is JSON:\n${lines.join("\n")}`,
    );
    assert.ok(!lines.some((l) => /(log|info|debug) from node/.test(l)), lines.join("\n"));
    const warn = records.find((r) => r.level === "WARN");
    assert.ok(warn);
    assert.match(String(warn.message), /warn from node/);
    assert.match(String(warn.requestId), /^[0-9a-f-]{36}$/);
    const err = records.find((r) => r.level === "ERROR");
    assert.ok(err);
    const m = err.message as Line;
    assert.equal(m.errorType, "TypeError");
    assert.equal(m.errorMessage, "bad order");
    assert.ok(Array.isArray(m.stackTrace));
    assertPlatformRecords(records, "$LATEST");
  },
);

test(
  "Text mode is unchanged: START/END/REPORT lines and tab-separated application lines",
  { skip: skipUnlessRuntime("nodejs20.x") },
  async () => {
    await create("node-text", "nodejs20.x", "index.handler", "nodejs/logging", false);
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "node-text" }));
    assert.deepEqual(cfg.LoggingConfig, { LogFormat: "Text", LogGroup: "/aws/lambda/node-text" });
    const { result, lines } = await tail("node-text");
    assert.equal(result.format, "Text");
    assert.equal(result.level, undefined);
    // A cold start: the environment's INIT_START comes first, as AWS logs it.
    assert.match(
      lines[0] ?? "",
      /^INIT_START Runtime Version: nodejs:20\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/,
    );
    assert.match(lines[1] ?? "", /^START RequestId: \S+ Version: \$LATEST$/);
    assert.ok(lines.some((l) => /^END RequestId: /.test(l)));
    assert.ok(lines.some((l) => /^REPORT RequestId: .*Init Duration/.test(l)));
    assert.ok(
      lines.some((l) => /\tINFO\tinfo from node$/.test(l)),
      lines.join("\n"),
    );
    assert.ok(lines.some((l) => /\tDEBUG\tdebug from node$/.test(l)));
  },
);

test(
  "SystemLogLevel WARN drops the platform records; DEBUG adds platform.runtimeDone; versions keep their config",
  { skip: skipUnlessRuntime("nodejs20.x") },
  async () => {
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "node-json",
        LoggingConfig: { SystemLogLevel: "WARN" },
      }),
    );
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "node-json" }));
    assert.deepEqual(cfg.LoggingConfig, {
      LogFormat: "JSON",
      ApplicationLogLevel: "WARN",
      SystemLogLevel: "WARN",
      LogGroup: "/aws/lambda/node-json",
    });
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: "node-json" }));
    const quiet = parsed((await tail("node-json")).lines);
    assert.equal(quiet.filter((r) => isPlatform(r)).length, 0);
    assert.ok(quiet.some((r) => r.level === "WARN"));

    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "node-json",
        LoggingConfig: { SystemLogLevel: "DEBUG", ApplicationLogLevel: "DEBUG" },
      }),
    );
    const loud = parsed((await tail("node-json")).lines);
    assert.ok(loud.some((r) => r.type === "platform.runtimeDone"));
    assert.ok(loud.some((r) => r.level === "DEBUG" && r.message === "debug from node"));
    // The published version snapshot still has SystemLogLevel WARN.
    const old = parsed((await tail("node-json", v1.Version)).lines);
    assert.equal(old.filter((r) => isPlatform(r)).length, 0);
  },
);

test(
  "bad LoggingConfig is refused by the Lambda API and the CLI, and nothing changes",
  { skip: skipUnlessRuntime("nodejs20.x") },
  async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "node-text" }));
    await rejectsAws(
      lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "node-text",
          LoggingConfig: { ApplicationLogLevel: "WARN" },
        }),
      ),
      "InvalidParameterValueException",
      400,
      /applicationLogLevel can be set only when logFormat is JSON/,
    );
    await rejectsAws(
      lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "node-text",
          LoggingConfig: { LogFormat: "Text", SystemLogLevel: "WARN" },
        }),
      ),
      "InvalidParameterValueException",
      400,
    );
    // A value outside the model's enum is refused before anything runs, as AWS's ValidationException.
    await rejectsAws(
      lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: "node-text",
          LoggingConfig: { LogFormat: "XML" as LogFormat },
        }),
      ),
      "ValidationException",
      400,
      /loggingConfig\.logFormat.*enum value set: \[JSON, Text\]/,
    );
    const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "node-text" }));
    assert.equal(after.RevisionId, before.RevisionId);
    assert.deepEqual(after.LoggingConfig, before.LoggingConfig);

    const fixture = join(FIXTURES, "nodejs/logging");
    const refused = s.cli(["deploy", "node-text", fixture, "--log-level", "warn"]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /applicationLogLevel can be set only when logFormat is JSON/);
    const badLevel = s.cli(["deploy", "node-text", fixture, "--log-format", "json", "--log-level", "loud"]);
    assert.notEqual(badLevel.status, 0);
    assert.match(
      badLevel.stderr,
      /applicationLogLevel must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL/,
    );
    const unchanged = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "node-text" }));
    assert.equal(unchanged.RevisionId, before.RevisionId);

    const ok = s.cli([
      "deploy",
      "node-text",
      fixture,
      "--log-format",
      "json",
      "--log-level",
      "error",
      "--system-log-level",
      "warn",
      "--json",
    ]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual((JSON.parse(ok.stdout) as { logging: Line }).logging, {
      logFormat: "JSON",
      applicationLogLevel: "ERROR",
      systemLogLevel: "WARN",
      logGroup: "/aws/lambda/node-text",
    });
    const { lines } = await tail("node-text");
    const records = parsed(lines);
    assert.ok(
      records.every((r) => r.level === "ERROR"),
      lines.join("\n"),
    );
  },
);

test(
  "Java with JSON + WARN: LambdaLogger records are JSON with AWSRequestId, INFO dropped",
  { skip: skipUnlessRuntime("java17") },
  async () => {
    const d = s.cli([
      "deploy",
      "java-json",
      join(FIXTURES, "java/logging"),
      "--runtime",
      "java17",
      "--handler",
      "example.Logs::handleRequest",
      "--log-format",
      "json",
      "--log-level",
      "warn",
    ]);
    assert.equal(d.status, 0, d.stderr);
    const { lines } = await tail("java-json");
    const records = parsed(lines);
    assert.ok(!lines.some((l) => l.includes("info from java")), lines.join("\n"));
    const warn = records.find((r) => r.message === "warn from java");
    assert.ok(warn, lines.join("\n"));
    assert.equal(warn.level, "WARN");
    assert.match(String(warn.AWSRequestId), /^[0-9a-f-]{36}$/);
    const plain = records.find((r) => r.message === "no level from java");
    assert.ok(plain, "a call without a level is kept");
    assert.equal(plain.level, undefined);
    assertPlatformRecords(records, "$LATEST");
  },
);
