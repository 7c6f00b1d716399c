// Live and searchable logs end to end: the SSE follow stream receives a new invocation's lines; searches
// filter by text (FTS and filter patterns), request id, errors, time and version; retention settings
// show in the CloudWatch Logs API; `aws logs` (describe, get, filter, tail --follow) work; bad input
// gets clear errors. Retention and the size cap's deletions are tested in src/engine/log-janitor.test.ts.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { AWS_CLI, awsCli, awsOk, skipWithoutAwsCli } from "./aws-cli.js";
import { BIN, deploy, invoke, startServer, stopAndClean, waitFor, type ServerHandle } from "./harness.js";

interface EventView {
  id: number;
  timestamp: number;
  stream: string;
  version: string;
  requestId: string;
  error: boolean;
  message: string;
}

let s: ServerHandle;
before(async () => {
  s = await startServer();
  const d = await deploy(
    s,
    { name: "logger", runtime: "nodejs20.x", handler: "index.handler", logRetentionDays: 14 },
    "nodejs/logger",
  );
  assert.equal(d.status, 201, JSON.stringify(d.json));
});
after(async () => {
  await stopAndClean(s);
});

async function events(query: string, fn = "logger"): Promise<EventView[]> {
  const r = await s.api(`/functions/${fn}/logs?events=1&${query}`);
  const body = (await r.json()) as { events: EventView[] };
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.events;
}

async function run(event: Record<string, unknown>): Promise<string> {
  const r = await invoke(s, "logger", event);
  const id = r.headers.get("x-vajra-request-id") ?? r.headers.get("x-amz-request-id");
  assert.ok(id !== null, `no request id header: ${[...r.headers.keys()].join(", ")}`);
  return id;
}

test("follow streams a new invocation's lines live as server-sent events", async () => {
  const ac = new AbortController();
  const res = await s.api("/functions/logger/logs?follow=1&limit=1", { signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const received: EventView[] = [];
  let text = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      text += decoder.decode(value, { stream: true });
      const blocks = text.split("\n\n");
      text = blocks.pop() ?? "";
      for (const b of blocks) {
        const data = /^data: (.*)$/m.exec(b)?.[1];
        if (b.startsWith("event: log") && data !== undefined) received.push(JSON.parse(data) as EventView);
      }
    }
  })();
  try {
    const requestId = await run({ lines: ["live-line-one", "live-line-two"] });
    assert.ok(
      await waitFor(() => received.some((e) => e.message.includes("live-line-two")), 10_000),
      `not streamed: ${JSON.stringify(received)}`,
    );
    const mine = received.filter((e) => e.requestId === requestId);
    assert.ok(mine.some((e) => e.message.startsWith("START RequestId:")));
    assert.ok(mine.some((e) => e.message.includes("live-line-one")));
    assert.match(mine[0]?.stream ?? "", /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  } finally {
    ac.abort();
    await reading;
  }
});

test("vajra logs --follow prints a new invocation's lines as they come", async () => {
  const proc = spawn(
    process.execPath,
    [
      BIN,
      "logs",
      "logger",
      "--follow",
      "--filter",
      "cli-follow",
      "--endpoint",
      s.url,
      "--data-dir",
      s.dataDir,
    ],
    {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise((r) => proc.once("exit", r));
  try {
    // Repeated until the follower, which connects asynchronously, has seen one (bounded).
    let n = 0;
    const seen = await waitFor(async () => {
      if (out.includes("cli-follow")) return true;
      await run({ lines: [`cli-follow ${n++}`] });
      return out.includes("cli-follow");
    }, 20_000);
    assert.ok(seen, `vajra logs --follow printed:\n${out}\n${err}`);
    assert.doesNotMatch(out, /START RequestId/, "the filter applies to followed events");
  } finally {
    proc.kill("SIGINT");
    await exited;
  }
});

test("searches filter by text, pattern, request id, errors, time and version", async () => {
  const a = await run({ lines: ["alpha needle-one", "ERR alpha broke"] });
  const b = await run({ lines: ["beta needle-two"], json: { level: "ERROR", latency: 420 } });
  const failed = await run({ lines: ["gamma"], fail: "kaput" });

  const text = await events("filter=needle");
  assert.deepEqual(
    text.map((e) => e.message.split("\t").at(-1)),
    ["alpha needle-one", "beta needle-two"],
  );
  assert.deepEqual(
    (await events(`filter=${encodeURIComponent("needle -beta")}`)).map((e) => e.requestId),
    [a],
  );
  const json = await events(`filter=${encodeURIComponent("{ $.latency > 400 }")}`);
  assert.equal(json.length, 1);
  assert.equal(json[0]?.requestId, b);

  const byId = await events(`requestId=${a}`);
  assert.ok(byId.length >= 5 && byId.every((e) => e.requestId === a), JSON.stringify(byId));
  assert.ok(byId[0]?.message.startsWith("START") && byId.at(-1)?.message.startsWith("REPORT"));

  const errors = await events("errors=1");
  assert.ok(errors.some((e) => e.requestId === a && e.message.includes("ERR alpha broke")));
  assert.ok(errors.some((e) => e.requestId === failed && e.message.includes("gamma")));
  assert.ok(!errors.some((e) => e.requestId === a && e.message.includes("needle-one")));

  const now = Date.now();
  assert.equal((await events(`since=${now + 60_000}`)).length, 0);
  assert.ok((await events("since=1h")).length > 0);
  assert.equal((await events(`until=${new Date(now - 3600_000).toISOString()}`)).length, 0);

  assert.ok((await events("version=$LATEST&filter=needle")).length === 2);
  assert.equal((await events("version=1")).length, 0);

  const limited = await events("limit=2");
  assert.equal(limited.length, 2);
  assert.ok(limited[1]?.message.startsWith("REPORT"), "the newest events, oldest first");

  // The CLI: text search and request id, one line per event.
  const cli = s.cli(["logs", "logger", "--filter", "needle", "--since", "1h"]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /alpha needle-one/);
  assert.match(cli.stdout, /beta needle-two/);
  assert.doesNotMatch(cli.stdout, /gamma/);
  const cliErrors = s.cli(["logs", "logger", "--errors", "--request-id", failed]);
  assert.equal(cliErrors.status, 0, cliErrors.stderr);
  assert.match(cliErrors.stdout, /kaput/);
});

test("bad input gets clear errors naming the field", async () => {
  const inverted = await s.api("/functions/logger/logs?since=1h&until=2h");
  assert.equal(inverted.status, 400);
  assert.match(await inverted.text(), /inverted/);
  const malformed = await s.api(`/functions/logger/logs?filter=${encodeURIComponent("{ $.level = ")}`);
  assert.equal(malformed.status, 400);
  assert.match(await malformed.text(), /filterPattern/);
  const badTime = await s.api("/functions/logger/logs?since=yesterday");
  assert.equal(badTime.status, 400);
  assert.match(await badTime.text(), /since/);
  const unknown = await s.api("/functions/nope/logs?events=1");
  assert.equal(unknown.status, 404);
  const follow = await s.api("/functions/nope/logs?follow=1");
  assert.equal(follow.status, 404);
  // A deploy with a bad retention is refused before anything changes.
  const refused = await deploy(
    s,
    { name: "never-made", runtime: "nodejs20.x", handler: "index.handler", logRetentionDays: 13 },
    "nodejs/logger",
  );
  assert.equal(refused.status, 400);
  assert.match(JSON.stringify(refused.json), /logRetentionDays/);
  assert.equal((await s.api("/functions/never-made")).status, 404);
  const cli = s.cli(["logs", "logger", "--since", "2h", "--until", "3h"]);
  assert.notEqual(cli.status, 0);
  assert.match(cli.stderr, /inverted/);
  const retention = await s.api("/functions/logger/logs/retention", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ logRetentionDays: 13 }),
  });
  assert.equal(retention.status, 400);
  assert.match(await retention.text(), /logRetentionDays/);
});

test("aws logs: describe-log-groups, retention, describe-log-streams, get-log-events, filter-log-events", async (t) => {
  if (skipWithoutAwsCli(t)) return;
  const requestId = await run({ lines: ["aws-visible line"] });
  const groups = awsOk<{ logGroups: Array<Record<string, unknown>> }>(s, [
    "logs",
    "describe-log-groups",
    "--log-group-name-prefix",
    "/aws/lambda/log",
  ]);
  assert.equal(groups.logGroups.length, 1);
  const g = groups.logGroups[0] as Record<string, unknown>;
  assert.equal(g.logGroupName, "/aws/lambda/logger");
  assert.equal(g.retentionInDays, 14);
  assert.match(String(g.arn), /^arn:aws:logs:us-east-1:\d{12}:log-group:\/aws\/lambda\/logger:\*$/);
  assert.ok(Number(g.storedBytes) > 0);

  awsOk(s, [
    "logs",
    "put-retention-policy",
    "--log-group-name",
    "/aws/lambda/logger",
    "--retention-in-days",
    "60",
  ]);
  const after60 = awsOk<{ logGroups: Array<{ retentionInDays?: number }> }>(s, [
    "logs",
    "describe-log-groups",
  ]);
  assert.equal(after60.logGroups[0]?.retentionInDays, 60);
  awsOk(s, ["logs", "delete-retention-policy", "--log-group-name", "/aws/lambda/logger"]);
  const never = awsOk<{ logGroups: Array<{ retentionInDays?: number }> }>(s, ["logs", "describe-log-groups"]);
  assert.equal(never.logGroups[0]?.retentionInDays, undefined);
  const native = (await (await s.api("/functions/logger/logs/retention")).json()) as {
    logRetentionDays: unknown;
  };
  assert.equal(native.logRetentionDays, null);

  const streams = awsOk<{ logStreams: Array<{ logStreamName: string; lastEventTimestamp: number }> }>(s, [
    "logs",
    "describe-log-streams",
    "--log-group-name",
    "/aws/lambda/logger",
    "--order-by",
    "LastEventTime",
    "--descending",
    "--max-items",
    "1",
  ]);
  const stream = streams.logStreams[0]?.logStreamName ?? "";
  assert.match(stream, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);

  const got = awsOk<{
    events: Array<{ message: string }>;
    nextForwardToken: string;
    nextBackwardToken: string;
  }>(s, [
    "logs",
    "get-log-events",
    "--log-group-name",
    "/aws/lambda/logger",
    "--log-stream-name",
    stream,
    "--limit",
    "3",
  ]);
  assert.equal(got.events.length, 3);
  assert.match(got.events[2]?.message ?? "", /^REPORT RequestId: /);
  assert.match(got.nextForwardToken, /^f\//);
  // Forward from the newest event: nothing more, and the same token back (AWS's end-of-stream signal).
  const end = awsOk<{ events: unknown[]; nextForwardToken: string }>(s, [
    "logs",
    "get-log-events",
    "--log-group-name",
    "/aws/lambda/logger",
    "--log-stream-name",
    stream,
    "--next-token",
    got.nextForwardToken,
  ]);
  assert.equal(end.events.length, 0);
  assert.equal(end.nextForwardToken, got.nextForwardToken);
  const back = awsOk<{ events: Array<{ message: string }> }>(s, [
    "logs",
    "get-log-events",
    "--log-group-name",
    "/aws/lambda/logger",
    "--log-stream-name",
    stream,
    "--next-token",
    got.nextBackwardToken,
    "--limit",
    "2",
  ]);
  assert.equal(back.events.length, 2);

  const filtered = awsOk<{ events: Array<{ message: string; logStreamName: string; eventId: string }> }>(s, [
    "logs",
    "filter-log-events",
    "--log-group-name",
    "/aws/lambda/logger",
    "--filter-pattern",
    '"aws-visible line"',
  ]);
  assert.equal(filtered.events.length, 1);
  assert.match(filtered.events[0]?.message ?? "", new RegExp(`${requestId}\tINFO\taws-visible line`));

  const missing = awsCli(s, ["logs", "filter-log-events", "--log-group-name", "/aws/lambda/nope"]);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /ResourceNotFoundException/);
  const bad = awsCli(s, [
    "logs",
    "filter-log-events",
    "--log-group-name",
    "/aws/lambda/logger",
    "--filter-pattern",
    "{ $.x = ",
  ]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /InvalidParameterException/);
  const inverted = awsCli(s, [
    "logs",
    "filter-log-events",
    "--log-group-name",
    "/aws/lambda/logger",
    "--start-time",
    "2000",
    "--end-time",
    "1000",
  ]);
  assert.match(inverted.stderr, /InvalidParameterException/);
});

test("aws logs tail --follow prints new lines", async (t) => {
  if (skipWithoutAwsCli(t)) return;
  await run({ lines: ["tailed-before-start"] });
  // Bounded by `timeout`: tail --follow polls FilterLogEvents every 5 s until interrupted.
  const proc = spawn(
    "timeout",
    [
      "40",
      AWS_CLI,
      "logs",
      "tail",
      "/aws/lambda/logger",
      "--follow",
      "--since",
      "1m",
      "--endpoint-url",
      s.url,
    ],
    {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        LANG: "C.UTF-8",
        HOME: s.dataDir,
        AWS_CONFIG_FILE: join(s.dataDir, "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(s.dataDir, "credentials"),
        AWS_PROFILE: "vajra",
        AWS_PAGER: "",
        // Python buffers a piped stdout: without this nothing shows before the CLI exits.
        PYTHONUNBUFFERED: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise((r) => proc.once("exit", r));
  try {
    // The first poll prints what is already there; the line of an invocation made after it can only
    // come from a later poll.
    assert.ok(
      await waitFor(() => out.includes("tailed-before-start"), 20_000),
      `tail printed:\n${out}\n${err}`,
    );
    await run({ lines: ["tailed-after-start"] });
    assert.ok(
      await waitFor(() => out.includes("tailed-after-start"), 20_000),
      `tail printed:\n${out}\n${err}`,
    );
    assert.match(out, /\/aws\/lambda\/logger|\[\$LATEST\]/);
  } finally {
    proc.kill("SIGINT");
    await exited;
  }
});
