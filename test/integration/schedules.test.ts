// Schedules against the real server: a rate(2 seconds) schedule fires a function through the Event
// queue, once per due time even across a restart; pause and resume; cron in a time zone; bad input
// changes nothing; and the AWS CLI drives the EventBridge Scheduler API.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { awsCli, awsOk, skipWithoutAwsCli } from "./aws-cli.js";
import { deploy, startServer, stopAndClean, waitFor, type ServerHandle } from "./harness.js";

let s: ServerHandle;
before(async () => {
  s = await startServer();
  const r = await deploy(
    s,
    { name: "ticker", runtime: "python3.11", handler: "app.handler" },
    "python/scheduled",
  );
  assert.equal(r.status, 201, JSON.stringify(r.json));
});
after(async () => {
  await stopAndClean(s);
});

interface Fire {
  time: string;
  id: string;
  source: string;
  resources: string[];
}

/** Every Scheduled Event the function printed, from its invocation logs. */
async function fires(server: ServerHandle, fn = "ticker"): Promise<Fire[]> {
  const r = await server.api(`/functions/${fn}/logs?limit=500`);
  const { invocations } = (await r.json()) as { invocations: Array<{ log: string }> };
  const out: Fire[] = [];
  for (const i of invocations)
    for (const line of i.log.split("\n")) {
      const at = line.indexOf("FIRED ");
      if (at >= 0) out.push(JSON.parse(line.slice(at + 6)) as Fire);
    }
  return out;
}

function cli(server: ServerHandle, args: string[]): { status: number; stdout: string; stderr: string } {
  return server.cli(["schedule", ...args]);
}

function cliJson<T>(server: ServerHandle, args: string[]): T {
  const r = server.cli(["schedule", ...args, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

function assertNoDuplicates(list: Fire[]): void {
  const times = list.map((f) => f.time);
  assert.equal(new Set(times).size, times.length, `a due time fired twice: ${times.join(", ")}`);
}

test("a rate(2 seconds) schedule fires the function, once per due time across a restart", async () => {
  const created = cliJson<{ arn: string; nextFireTimes: string[] }>(s, [
    "create",
    "tick",
    "--function",
    "ticker",
    "--expression",
    "rate(2 seconds)",
  ]);
  assert.equal(created.nextFireTimes.length, 5);
  assert.ok(await waitFor(async () => (await fires(s)).length >= 2, 30_000), "no fires");
  const first = await fires(s);
  assert.equal(first[0]?.source, "aws.events");
  assert.deepEqual(first[0]?.resources, [created.arn]);
  assertNoDuplicates(first);

  // Stop and start on the same data directory: the schedule goes on without firing a due time twice.
  const dataDir = s.dataDir;
  await s.stop();
  s = await startServer({ dataDir });
  const before = (await fires(s)).length;
  assert.ok(
    await waitFor(async () => (await fires(s)).length >= before + 3, 30_000),
    "no fires after restart",
  );
  assertNoDuplicates(await fires(s));
  const show = cliJson<{ lastFiredDue: string; state: string }>(s, ["show", "tick"]);
  assert.equal(show.state, "ENABLED");
  assert.ok(Date.parse(show.lastFiredDue) > 0);

  // Paused, it fires nothing; resumed, it fires again (and does not catch up on the paused due times).
  const paused = cliJson<{ state: string; nextFireTimes: string[] }>(s, ["pause", "tick"]);
  assert.equal(paused.state, "DISABLED");
  assert.deepEqual(paused.nextFireTimes, []);
  // A fire already queued when the pause came may still land: count from after it.
  await new Promise((r) => setTimeout(r, 1000));
  const pausedAt = Date.now();
  const countAtPause = (await fires(s)).length;
  await new Promise((r) => setTimeout(r, 4500));
  const resumedAt = Date.now();
  assert.equal((await fires(s)).length, countAtPause, "a paused schedule fired");
  assert.equal(cliJson<{ state: string }>(s, ["resume", "tick"]).state, "ENABLED");
  assert.ok(
    await waitFor(async () => (await fires(s)).length >= countAtPause + 2, 30_000),
    "no fires after resume",
  );
  const all = await fires(s);
  assertNoDuplicates(all);
  const duringPause = all.filter(
    (f) => Date.parse(f.time) > pausedAt && Date.parse(f.time) < resumedAt - 1000,
  );
  assert.deepEqual(duringPause, []);

  // Deleted, it is gone at once.
  assert.equal(cli(s, ["delete", "tick", "--yes"]).status, 0);
  const gone = cli(s, ["show", "tick"]);
  assert.notEqual(gone.status, 0);
  assert.match(gone.stderr, /Schedule tick does not exist/);
});

test("cron with a time zone computes its next fire times in that zone", () => {
  const view = cliJson<{ nextFireTimes: string[]; state: string }>(s, [
    "create",
    "paris-morning",
    "--function",
    "ticker",
    "--expression",
    "cron(30 9 ? * MON-FRI *)",
    "--timezone",
    "Europe/Paris",
    "--disabled",
  ]);
  assert.equal(view.state, "DISABLED");
  const shown = cliJson<{ nextFireTimes: string[] }>(s, ["show", "paris-morning"]);
  // Disabled schedules have no next fires; resume to see them, then pause again.
  assert.deepEqual(shown.nextFireTimes, []);
  const resumed = cliJson<{ nextFireTimes: string[] }>(s, ["resume", "paris-morning"]);
  cliJson(s, ["pause", "paris-morning"]);
  assert.equal(resumed.nextFireTimes.length, 5);
  const paris = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris",
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  for (const t of resumed.nextFireTimes) {
    const local = paris.format(new Date(t));
    assert.match(local, /^(Mon|Tue|Wed|Thu|Fri) 09:30$/, `${t} is ${local} in Paris`);
  }
  const sorted = [...resumed.nextFireTimes].sort();
  assert.deepEqual(resumed.nextFireTimes, sorted);
  // The text view lists them too.
  const text = cli(s, ["show", "paris-morning"]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /Europe\/Paris/);
  assert.equal(cli(s, ["delete", "paris-morning", "--yes"]).status, 0);
});

test("bad input is refused with the field named, and changes nothing", () => {
  const bad: Array<[string[], RegExp]> = [
    [["--expression", "cron(0 12 * * *)"], /expression: .*6 fields/],
    [["--expression", "cron(61 12 * * ? *)"], /minutes field's value 61/],
    [["--expression", "rate(5 fortnights)"], /expression: .*unit/],
    [["--expression", "rate(2 seconds)", "--timezone", "Mars/Olympus"], /timezone: 'Mars\/Olympus'/],
  ];
  for (const [args, message] of bad) {
    const r = cli(s, ["create", "bad", "--function", "ticker", ...args]);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.stderr, message);
  }
  const noFn = cli(s, ["create", "bad", "--function", "nope", "--expression", "rate(1 minute)"]);
  assert.notEqual(noFn.status, 0);
  assert.match(noFn.stderr, /function: .*nope/);
  assert.deepEqual(cliJson<unknown[]>(s, ["list"]), []);

  // An update with a bad field leaves the schedule as it was.
  cliJson(s, ["create", "keep", "--function", "ticker", "--expression", "rate(1 hour)", "--disabled"]);
  const r = cli(s, ["update", "keep", "--expression", "cron(0 12 ? * ? *)"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /day-of-month and day-of-week/);
  assert.equal(cliJson<{ expression: string }>(s, ["show", "keep"]).expression, "rate(1 hour)");
  const dup = cli(s, ["create", "keep", "--function", "ticker", "--expression", "rate(1 hour)"]);
  assert.notEqual(dup.status, 0);
  assert.match(dup.stderr, /already exists/);
  assert.equal(cli(s, ["delete", "keep", "--yes"]).status, 0);
});

test("the AWS CLI creates, gets, lists and deletes a schedule", (t) => {
  if (skipWithoutAwsCli(t)) return;
  const fnArn = "arn:aws:lambda:us-east-1:000000000000:function:ticker";
  const target = JSON.stringify({
    Arn: fnArn,
    RoleArn: "arn:aws:iam::000000000000:role/scheduler",
    Input: '{"hello":"world"}',
  });
  const created = awsOk<{ ScheduleArn: string }>(s, [
    "scheduler",
    "create-schedule",
    "--name",
    "aws-made",
    "--schedule-expression",
    "cron(0 9 * * ? *)",
    "--schedule-expression-timezone",
    "Europe/Paris",
    "--flexible-time-window",
    "Mode=FLEXIBLE,MaximumWindowInMinutes=15",
    "--target",
    target,
    "--state",
    "DISABLED",
  ]);
  assert.equal(created.ScheduleArn, "arn:aws:scheduler:us-east-1:000000000000:schedule/default/aws-made");

  const got = awsOk<Record<string, unknown>>(s, ["scheduler", "get-schedule", "--name", "aws-made"]);
  assert.equal(got.Name, "aws-made");
  assert.equal(got.GroupName, "default");
  assert.equal(got.ScheduleExpression, "cron(0 9 * * ? *)");
  assert.equal(got.ScheduleExpressionTimezone, "Europe/Paris");
  assert.equal(got.State, "DISABLED");
  assert.deepEqual(got.FlexibleTimeWindow, { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 });
  assert.deepEqual(got.Target, JSON.parse(target));

  // The native API sees the same schedule.
  assert.equal(cliJson<{ function: string }>(s, ["show", "aws-made"]).function, "ticker");

  const listed = awsOk<{ Schedules: Array<{ Name: string; State: string; Target: { Arn: string } }> }>(s, [
    "scheduler",
    "list-schedules",
  ]);
  assert.deepEqual(
    listed.Schedules.map((x) => [x.Name, x.State, x.Target.Arn]),
    [["aws-made", "DISABLED", fnArn]],
  );

  const dup = awsCli(s, [
    "scheduler",
    "create-schedule",
    "--name",
    "aws-made",
    "--schedule-expression",
    "rate(5 minutes)",
    "--flexible-time-window",
    "Mode=OFF",
    "--target",
    target,
  ]);
  assert.notEqual(dup.status, 0);
  assert.match(dup.stderr, /ConflictException/);
  const invalid = awsCli(s, [
    "scheduler",
    "create-schedule",
    "--name",
    "aws-bad",
    "--schedule-expression",
    "cron(0 9 * * *)",
    "--flexible-time-window",
    "Mode=OFF",
    "--target",
    target,
  ]);
  assert.notEqual(invalid.status, 0);
  assert.match(invalid.stderr, /ValidationException.*6 fields/);

  const updated = awsOk<{ ScheduleArn: string }>(s, [
    "scheduler",
    "update-schedule",
    "--name",
    "aws-made",
    "--schedule-expression",
    "rate(5 minutes)",
    "--flexible-time-window",
    "Mode=OFF",
    "--target",
    target,
    "--state",
    "DISABLED",
  ]);
  assert.equal(updated.ScheduleArn, created.ScheduleArn);
  const after = awsOk<Record<string, unknown>>(s, ["scheduler", "get-schedule", "--name", "aws-made"]);
  assert.equal(after.ScheduleExpression, "rate(5 minutes)");
  assert.equal(after.ScheduleExpressionTimezone, "UTC");
  assert.deepEqual(after.FlexibleTimeWindow, { Mode: "OFF" });

  awsOk(s, ["scheduler", "delete-schedule", "--name", "aws-made"]);
  const missing = awsCli(s, ["scheduler", "get-schedule", "--name", "aws-made"]);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /ResourceNotFoundException/);
  assert.deepEqual(awsOk<{ Schedules: unknown[] }>(s, ["scheduler", "list-schedules"]).Schedules, []);
});

test("a Scheduler API schedule delivers its Target.Input to the function", async (t) => {
  if (skipWithoutAwsCli(t)) return;
  const t0 = Date.now();
  awsOk(s, [
    "scheduler",
    "create-schedule",
    "--name",
    "with-input",
    "--schedule-expression",
    "rate(1 second)",
    "--flexible-time-window",
    "Mode=OFF",
    "--target",
    JSON.stringify({
      Arn: "arn:aws:lambda:us-east-1:000000000000:function:ticker",
      RoleArn: "arn:aws:iam::000000000000:role/scheduler",
      Input: '{"time":"input","id":"x","source":"mine","resources":[]}',
    }),
  ]);
  assert.ok(
    await waitFor(async () => (await fires(s)).some((f) => f.source === "mine"), 30_000),
    `no fire with the input since ${new Date(t0).toISOString()}`,
  );
  awsOk(s, ["scheduler", "delete-schedule", "--name", "with-input"]);
});
