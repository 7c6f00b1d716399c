// The time arguments of cost reports and metering exports (`--since 30d`, `--until 2026-12-01`, epoch
// ms), checked one way for the API and the CLI. Usage is kept in hours, so report bounds are whole hours.

import { invalid } from "./errors.js";
import { HOUR_MS, DAY_MS, COST_GROUPINGS, type CostGrouping } from "./billing.js";
import { parseLogTime } from "./log-time.js";

/** The longest report: a bit over a year, so a yearly comparison works and a typo does not scan forever. */
export const MAX_COST_RANGE_MS = 400 * DAY_MS;

export interface CostRange {
  fromMs: number;
  toMs: number;
}

function at(field: string, v: string, now: number): number {
  const t = parseLogTime(v, now);
  if (t === undefined)
    throw invalid(
      `${field} '${v}' is not a duration ago (30d, 12h, 2w), an ISO 8601 time or epoch milliseconds`,
      {
        field,
      },
    );
  return t;
}

/**
 * [since, until) rounded out to whole hours; since defaults to 30 days ago, until to now. An inverted or
 * over-long range is an error that names it.
 */
export function costRange(q: { since?: string; until?: string }, now: number, hours = true): CostRange {
  const toRaw = q.until === undefined ? now : at("until", q.until, now);
  const fromRaw = q.since === undefined ? now - 30 * DAY_MS : at("since", q.since, now);
  if (fromRaw >= toRaw)
    throw invalid(
      `since (${new Date(fromRaw).toISOString()}) must be before until (${new Date(toRaw).toISOString()})`,
      { field: "since" },
    );
  if (toRaw - fromRaw > MAX_COST_RANGE_MS)
    throw invalid(`the range from since to until is longer than ${MAX_COST_RANGE_MS / DAY_MS} days`, {
      field: "since",
    });
  if (!hours) return { fromMs: fromRaw, toMs: toRaw };
  return {
    fromMs: Math.floor(fromRaw / HOUR_MS) * HOUR_MS,
    toMs: Math.ceil(toRaw / HOUR_MS) * HOUR_MS,
  };
}

export function costGrouping(by: string | undefined): CostGrouping {
  if (by === undefined) return "function";
  if ((COST_GROUPINGS as readonly string[]).includes(by)) return by as CostGrouping;
  throw invalid(`by must be one of ${COST_GROUPINGS.join(", ")}, got '${by}'`, { field: "by" });
}
