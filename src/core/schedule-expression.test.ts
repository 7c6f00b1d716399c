import { test } from "node:test";
import assert from "node:assert/strict";
import { isVajraError } from "./errors.js";
import {
  checkTimezone,
  latestDueTime,
  localToInstant,
  nextFireTimes,
  parseScheduleExpression,
  type FireWindow,
} from "./schedule-expression.js";

const iso = (ms: number[]): string[] => ms.map((t) => new Date(t).toISOString().replace(".000Z", "Z"));
const from = Date.parse("2026-03-27T00:00:00Z");
const win = (timezone: string): FireWindow => ({ timezone, anchorMs: from });

function next(text: string, tz = "UTC", count = 4, after = from): string[] {
  return iso(nextFireTimes(parseScheduleExpression(text), win(tz), after, count));
}

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseScheduleExpression(text),
    (err: unknown) =>
      isVajraError(err) &&
      err.code === "InvalidParameter" &&
      err.message.startsWith("scheduleExpression:") &&
      pattern.test(err.message),
  );
}

test("a rate fires every period from its anchor", () => {
  assert.deepEqual(next("rate(5 minutes)", "UTC", 3), [
    "2026-03-27T00:05:00Z",
    "2026-03-27T00:10:00Z",
    "2026-03-27T00:15:00Z",
  ]);
  assert.deepEqual(next("rate(1 day)", "UTC", 1), ["2026-03-28T00:00:00Z"]);
  assert.deepEqual(next("rate(2 seconds)", "UTC", 2, from + 3000), [
    "2026-03-27T00:00:04Z",
    "2026-03-27T00:00:06Z",
  ]);
  assert.deepEqual(next("rate(1 hour)", "UTC", 1, from + 90 * 60_000), ["2026-03-27T02:00:00Z"]);
});

test("cron uses AWS's day numbering (1 = Sunday) and names", () => {
  assert.deepEqual(next("cron(0 10 ? * 2 *)", "UTC", 2), ["2026-03-30T10:00:00Z", "2026-04-06T10:00:00Z"]);
  assert.deepEqual(next("cron(0 8 ? * 1 *)", "UTC", 1), ["2026-03-29T08:00:00Z"]);
  assert.deepEqual(next("cron(0 8 ? * SUN *)", "UTC", 1), ["2026-03-29T08:00:00Z"]);
  assert.deepEqual(next("cron(0 8 ? * 7 *)", "UTC", 1), ["2026-03-28T08:00:00Z"]);
  assert.deepEqual(next("cron(0 10 ? * MON-FRI *)", "UTC", 3), [
    "2026-03-27T10:00:00Z",
    "2026-03-30T10:00:00Z",
    "2026-03-31T10:00:00Z",
  ]);
});

test("cron supports L, W, #, steps, lists and the year field", () => {
  assert.deepEqual(next("cron(0 12 L * ? *)", "UTC", 2), ["2026-03-31T12:00:00Z", "2026-04-30T12:00:00Z"]);
  // 2026-08-15 is a Saturday: 15W is the Friday before.
  assert.deepEqual(next("cron(0 12 15W 8 ? *)", "UTC", 1), ["2026-08-14T12:00:00Z"]);
  assert.deepEqual(next("cron(0 12 ? * 6#3 *)", "UTC", 2), ["2026-04-17T12:00:00Z", "2026-05-15T12:00:00Z"]);
  assert.deepEqual(next("cron(0 12 ? * 6L *)", "UTC", 2), ["2026-03-27T12:00:00Z", "2026-04-24T12:00:00Z"]);
  assert.deepEqual(next("cron(0/20 * * * ? *)", "UTC", 3), [
    "2026-03-27T00:20:00Z",
    "2026-03-27T00:40:00Z",
    "2026-03-27T01:00:00Z",
  ]);
  assert.deepEqual(next("cron(15,45 9 1 JAN,JUL ? 2027-2028)", "UTC", 3), [
    "2027-01-01T09:15:00Z",
    "2027-01-01T09:45:00Z",
    "2027-07-01T09:15:00Z",
  ]);
  assert.deepEqual(next("cron(0 8 1 1 ? 2026)", "UTC", 1), []);
});

test("cron in a time zone follows its daylight saving changes", () => {
  // Paris moves to summer time on 2026-03-29 (02:00 -> 03:00): 09:00 local is 08:00Z, then 07:00Z.
  assert.deepEqual(next("cron(0 9 * * ? *)", "Europe/Paris", 4), [
    "2026-03-27T08:00:00Z",
    "2026-03-28T08:00:00Z",
    "2026-03-29T07:00:00Z",
    "2026-03-30T07:00:00Z",
  ]);
  // 02:30 does not exist that night: it fires at the first valid time after the gap.
  assert.deepEqual(next("cron(30 2 * * ? *)", "Europe/Paris", 3), [
    "2026-03-27T01:30:00Z",
    "2026-03-28T01:30:00Z",
    "2026-03-29T01:00:00Z",
  ]);
  // New York falls back on 2026-11-01: 01:30 local happens twice, it fires once.
  const ny = Date.parse("2026-10-31T00:00:00Z");
  assert.deepEqual(next("cron(30 1 * * ? *)", "America/New_York", 3, ny), [
    "2026-10-31T05:30:00Z",
    "2026-11-01T05:30:00Z",
    "2026-11-02T06:30:00Z",
  ]);
  assert.deepEqual(next("cron(0 9 ? * MON *)", "Asia/Kolkata", 1), ["2026-03-30T03:30:00Z"]);
});

test("at() fires once at a local time of its zone", () => {
  assert.deepEqual(next("at(2027-01-01T09:00:00)", "UTC"), ["2027-01-01T09:00:00Z"]);
  assert.deepEqual(next("at(2027-01-01T09:00:00)", "Europe/Paris"), ["2027-01-01T08:00:00Z"]);
  assert.deepEqual(next("at(2027-07-01T09:00:00)", "Europe/Paris"), ["2027-07-01T07:00:00Z"]);
  assert.deepEqual(next("at(2020-01-01T09:00:00)", "UTC"), []);
  assert.equal(
    new Date(localToInstant("2026-03-29T02:30:00", "Europe/Paris")).toISOString(),
    "2026-03-29T01:30:00.000Z",
  );
});

test("start and end dates bound the fires", () => {
  const expr = parseScheduleExpression("rate(1 hour)");
  const w = { ...win("UTC"), endMs: from + 3 * 3_600_000 };
  assert.deepEqual(iso(nextFireTimes(expr, w, from, 10)), ["2026-03-27T01:00:00Z", "2026-03-27T02:00:00Z"]);
  const cron = parseScheduleExpression("cron(0 * * * ? *)");
  const started = { ...win("UTC"), startMs: from + 5 * 3_600_000 };
  assert.deepEqual(iso(nextFireTimes(cron, started, from, 1)), ["2026-03-27T05:00:00Z"]);
});

test("the latest due time finds the fire missed while the server was down", () => {
  const rate = parseScheduleExpression("rate(2 seconds)");
  assert.equal(latestDueTime(rate, win("UTC"), from + 2000, from + 7500), from + 6000);
  assert.equal(latestDueTime(rate, win("UTC"), from + 6000, from + 7500), undefined);
  const cron = parseScheduleExpression("cron(0 * * * ? *)");
  assert.equal(latestDueTime(cron, win("UTC"), from, from + 2.5 * 3_600_000), from + 2 * 3_600_000);
});

test("malformed expressions are refused with the field and the reason", () => {
  rejects("every 5 minutes", /rate\(N unit\)/);
  rejects("rate(5 fortnights)", /unit/);
  rejects("rate(0 minutes)", /at least 1/);
  rejects("rate(1 minutes)", /rate\(1 minute\)/);
  rejects("rate(5 minute)", /rate\(N minutes\)/);
  rejects("cron(0 12 * * *)", /6 fields/);
  rejects("cron(0 12 * * * *)", /exactly one of day-of-month and day-of-week/);
  rejects("cron(0 12 ? * ? *)", /exactly one of day-of-month and day-of-week/);
  rejects("cron(61 12 * * ? *)", /minutes field's value 61/);
  rejects("cron(0 25 * * ? *)", /hours field's value 25/);
  rejects("cron(0 12 * 13 ? *)", /month field's value 13/);
  rejects("cron(0 12 ? * 8 *)", /day-of-week field's value 8/);
  rejects("cron(0 12 ? * FOO *)", /names 'FOO'/);
  rejects("cron(0 12 ? * 2#6 *)", /#6/);
  rejects("cron(0 12 * * ? 1900)", /year field's value 1900/);
  rejects("at(2027-02-30T09:00:00)", /not a date and time that exists/);
  rejects("at(tomorrow)", /yyyy-mm-ddThh:mm:ss/);
  assert.throws(() => parseScheduleExpression(""), /scheduleExpression is required/);
});

test("time zones are IANA names", () => {
  assert.equal(checkTimezone("Europe/Paris"), "Europe/Paris");
  assert.throws(() => checkTimezone("Mars/Olympus"), /timezone: 'Mars\/Olympus' is not an IANA time zone/);
});
