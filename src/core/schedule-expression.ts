// Schedule expressions as EventBridge Scheduler writes them — `rate(N unit)`, six-field
// `cron(min hour dom month dow year)` and one-shot `at(yyyy-mm-ddThh:mm:ss)` — checked field by field
// and evaluated in an IANA time zone. Cron evaluation is croner's: this file only translates AWS's
// syntax to croner's (a seconds field in front, AWS's 1-7 = SUN-SAT day numbering, `0/15` steps).
// AWS reference: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html

import { Cron } from "croner";
import { invalid } from "./errors.js";

export type ScheduleExpression =
  | { kind: "rate"; text: string; everyMs: number }
  | { kind: "cron"; text: string; pattern: string }
  | { kind: "at"; text: string; local: string };

const RATE_UNITS: Record<string, number> = {
  second: 1000, // Vajra extension: EventBridge's smallest unit is the minute.
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** Each AWS cron field: its name in messages, the characters it may hold, and its numeric range. */
const CRON_FIELDS = [
  { name: "minutes", chars: /^[0-9,\-*/]+$/, min: 0, max: 59 },
  { name: "hours", chars: /^[0-9,\-*/]+$/, min: 0, max: 23 },
  { name: "day-of-month", chars: /^[0-9,\-*/?LW]+$/, min: 1, max: 31 },
  { name: "month", chars: /^[0-9A-Za-z,\-*/]+$/, min: 1, max: 12 },
  { name: "day-of-week", chars: /^[0-9A-Za-z,\-*/?L#]+$/, min: 1, max: 7 },
  { name: "year", chars: /^[0-9,\-*/]+$/, min: 1970, max: 2199 },
] as const;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function fail(field: string, text: string, why: string): never {
  throw invalid(`${field}: '${text}' is not a valid schedule expression: ${why}`);
}

function checkCronField(
  field: string,
  text: string,
  spec: (typeof CRON_FIELDS)[number],
  value: string,
): void {
  if (!spec.chars.test(value))
    fail(field, text, `the ${spec.name} field '${value}' holds a character it may not`);
  const names = spec.name === "month" ? MONTHS : spec.name === "day-of-week" ? DAYS : [];
  for (const word of value.match(/[A-Za-z]+/g) ?? []) {
    const w = word.toUpperCase();
    if (w === "L" || w === "W" || (w === "LW" && spec.name === "day-of-month")) continue;
    if (!names.includes(w))
      fail(
        field,
        text,
        `the ${spec.name} field names '${word}', which is not one of ${names.join(", ") || "its values"}`,
      );
  }
  for (const part of value.split(",")) {
    // The step after '/' and the occurrence after '#' are counts, not values of the field.
    const [range = "", step] = part.split("/");
    if (step !== undefined && !/^[1-9][0-9]*$/.test(step))
      fail(field, text, `the ${spec.name} field's step '/${step}' must be a positive number`);
    const [values = "", nth] = range.split("#");
    if (nth !== undefined && !/^[1-5]$/.test(nth))
      fail(field, text, `the ${spec.name} field's '#${nth}' must be 1 to 5 (the week of the month)`);
    for (const n of values.match(/[0-9]+/g) ?? []) {
      const v = Number(n);
      if (v < spec.min || v > spec.max)
        fail(field, text, `the ${spec.name} field's value ${n} is outside ${spec.min}-${spec.max}`);
    }
  }
}

function parseCron(field: string, text: string, body: string): ScheduleExpression {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6)
    fail(
      field,
      text,
      `cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`,
    );
  parts.forEach((p, i) => checkCronField(field, text, CRON_FIELDS[i] as (typeof CRON_FIELDS)[number], p));
  const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  // AWS: "You can't specify the Day-of-month and Day-of-week fields in the same cron expression."
  if ((dom === "?") === (dow === "?"))
    fail(field, text, "exactly one of day-of-month and day-of-week must be '?' (the other says which days)");
  const pattern = `0 ${min} ${hour} ${dom} ${month} ${dow} ${year}`;
  try {
    croner(pattern, "UTC");
  } catch (err) {
    fail(field, text, (err as Error).message);
  }
  return { kind: "cron", text, pattern };
}

function croner(pattern: string, timezone: string, startAt?: number, stopAt?: number): Cron {
  return new Cron(pattern, {
    paused: true,
    timezone,
    mode: "7-part",
    alternativeWeekdays: true, // AWS numbers days 1-7 from Sunday, as Quartz does.
    sloppyRanges: true, // AWS writes steps as `0/15`.
    ...(startAt === undefined ? {} : { startAt: new Date(startAt) }),
    ...(stopAt === undefined ? {} : { stopAt: new Date(stopAt) }),
  });
}

/** Parses and checks an expression; a bad one is an InvalidParameter error naming `field`. */
export function parseScheduleExpression(text: unknown, field = "scheduleExpression"): ScheduleExpression {
  if (typeof text !== "string" || text.trim() === "")
    throw invalid(`${field} is required: rate(5 minutes), cron(0 12 * * ? *) or at(2027-01-01T09:00:00)`);
  const m = /^\s*(rate|cron|at)\((.*)\)\s*$/.exec(text);
  if (m === null)
    fail(field, text, "write rate(N unit), cron(min hour dom month dow year) or at(yyyy-mm-ddThh:mm:ss)");
  const [, kind, body = ""] = m;
  if (kind === "cron") return parseCron(field, text, body);
  if (kind === "at") {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(body.trim()))
      fail(field, text, "at() takes a local date and time yyyy-mm-ddThh:mm:ss");
    const local = body.trim();
    const [y, mo, d, h, mi, s] = local.split(/[-T:]/).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const back = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
      fail(field, text, `${local} is not a date and time that exists`);
    return { kind: "at", text, local };
  }
  const r = /^\s*([0-9]+)\s+([a-z]+?)(s?)\s*$/.exec(body);
  const unit = r?.[2] ?? "";
  if (r === null || RATE_UNITS[unit] === undefined)
    fail(
      field,
      text,
      "rate() takes a positive whole number and a unit: second(s), minute(s), hour(s) or day(s)",
    );
  const n = Number(r[1]);
  if (!Number.isSafeInteger(n) || n < 1)
    fail(field, text, "the rate's value must be a whole number of at least 1");
  // AWS: "If the value is equal to 1, then the unit must be singular" (and plural otherwise).
  if ((n === 1) !== (r[3] === "")) fail(field, text, `write rate(1 ${unit}) or rate(N ${unit}s)`);
  return { kind: "rate", text, everyMs: n * RATE_UNITS[unit] };
}

/** Checks an IANA time zone name (Europe/Paris, UTC); a bad one is an error naming `field`. */
export function checkTimezone(tz: unknown, field = "timezone"): string {
  if (typeof tz !== "string" || tz === "")
    throw invalid(`${field} must be an IANA time zone name such as Europe/Paris`);
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    throw invalid(
      `${field}: '${tz}' is not an IANA time zone name (such as UTC, Europe/Paris or America/New_York)`,
    );
  }
  return tz;
}

/** The zone's offset from UTC (ms) at an instant. */
function zoneOffsetMs(ms: number, tz: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(ms));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of a local date-time in a zone. A time skipped by a DST change moves forward by the
 * change (02:30 on a spring-forward night is 03:30); a repeated time is its first occurrence.
 */
export function localToInstant(local: string, tz: string): number {
  const [y, mo, d, h, mi, s] = local.split(/[-T:]/).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const first = wall - zoneOffsetMs(wall, tz);
  const second = wall - zoneOffsetMs(first, tz);
  // Candidates that read back as the same wall time exist; none do inside a DST gap.
  const exact = [first, second].filter((t) => t + zoneOffsetMs(t, tz) === wall);
  return exact.length > 0 ? Math.min(...exact) : Math.max(first, second);
}

export interface FireWindow {
  timezone: string;
  /** Where a rate counts from (its first fire is one period later). */
  anchorMs: number;
  startMs?: number;
  endMs?: number;
}

/** Up to `count` due times strictly after `afterMs`, in order. */
export function nextFireTimes(
  expr: ScheduleExpression,
  w: FireWindow,
  afterMs: number,
  count: number,
): number[] {
  const end = w.endMs ?? Infinity;
  const from = Math.max(afterMs, (w.startMs ?? -Infinity) - 1);
  if (expr.kind === "at") {
    const t = localToInstant(expr.local, w.timezone);
    return t > from && t < end && count > 0 ? [t] : [];
  }
  if (expr.kind === "rate") {
    const out: number[] = [];
    const k = Math.max(1, Math.floor((from - w.anchorMs) / expr.everyMs) + 1);
    for (let t = w.anchorMs + k * expr.everyMs; out.length < count && t < end; t += expr.everyMs)
      if (t > from) out.push(t);
    return out;
  }
  const cron = croner(expr.pattern, w.timezone, w.startMs, w.endMs);
  return cron
    .nextRuns(count, new Date(from))
    .map((d) => d.getTime())
    .filter((t) => t > from && t < end);
}

/** The latest due time at or before `atMs` and after `afterMs`, if any (a fire missed while down). */
export function latestDueTime(
  expr: ScheduleExpression,
  w: FireWindow,
  afterMs: number,
  atMs: number,
): number | undefined {
  if (expr.kind === "at") {
    const t = localToInstant(expr.local, w.timezone);
    return t > afterMs && t <= atMs && t >= (w.startMs ?? -Infinity) && t < (w.endMs ?? Infinity)
      ? t
      : undefined;
  }
  const until = Math.min(atMs, (w.endMs ?? Infinity) - 1);
  let t: number | undefined;
  if (expr.kind === "rate") {
    const k = Math.floor((until - w.anchorMs) / expr.everyMs);
    t = k >= 1 ? w.anchorMs + k * expr.everyMs : undefined;
  } else {
    const cron = croner(expr.pattern, w.timezone, w.startMs);
    t = cron.previousRuns(1, new Date(until + 1))[0]?.getTime();
  }
  return t !== undefined && t > afterMs && t >= (w.startMs ?? -Infinity) ? t : undefined;
}
