// Shapes `GET /cost` reports and `GET /budgets` states into what the Cost page shows: the report's
// query from the period picker, table rows with money and change as text, the cost-by-day chart's
// columns (days without usage drawn as 0), and a budget's progress. Pure: no fetch, no DOM.

import type { BudgetView, CostLine, CostReport } from "./api.ts";
import type { Column } from "./chart-data.ts";

export const COST_PERIODS = [
  { id: "24h", label: "Last 24 hours", since: "24h" },
  { id: "7d", label: "Last 7 days", since: "7d" },
  { id: "30d", label: "Last 30 days", since: "30d" },
  { id: "custom", label: "Custom range", since: "" },
] as const;
export type CostPeriodId = (typeof COST_PERIODS)[number]["id"];

export const COST_GROUPINGS = ["function", "version", "day"] as const;
export type CostGroupingId = (typeof COST_GROUPINGS)[number];

export interface CostPick {
  period: CostPeriodId;
  /** The custom range as `<input type="datetime-local">` gives it (local time, no zone). */
  since: string;
  until: string;
  by: CostGroupingId;
}

const DAY_MS = 86_400_000;

/** A datetime-local value (the browser's local time) as an ISO instant; undefined when unreadable. */
export function localToIso(value: string): string | undefined {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value.trim())) return undefined;
  const ms = new Date(value.trim()).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * The query string of `GET /cost` for a pick (without `format`), or the reason the custom range cannot
 * be asked for. Whether the range is too long or inverted is the server's to say (its message is shown).
 */
export function costQuery(
  pick: CostPick,
  by: CostGroupingId = pick.by,
): { query: string } | { error: string } {
  const p = new URLSearchParams();
  if (pick.period === "custom") {
    const since = localToIso(pick.since);
    if (since === undefined) return { error: "Choose the start of the custom range (date and time)." };
    p.set("since", since);
    if (pick.until.trim() !== "") {
      const until = localToIso(pick.until);
      if (until === undefined) return { error: "The end of the custom range is not a date and time." };
      p.set("until", until);
    }
  } else {
    const period = COST_PERIODS.find((x) => x.id === pick.period);
    p.set("since", period?.since ?? "30d");
  }
  p.set("by", by);
  return { query: p.toString() };
}

/**
 * Money: two decimals, or two significant digits for amounts under a cent (a function's cost on a test
 * server is a few millionths), written out in full rather than as 6.1e-7.
 */
export function money(amount: number, currency: string): string {
  const abs = Math.abs(amount);
  const decimals = abs >= 0.01 || abs === 0 ? 2 : Math.min(20, 1 - Math.floor(Math.log10(abs)));
  return `${amount.toFixed(decimals)} ${currency}`;
}

/** The change against the previous period: "+25 %", "−10 %", "new" (nothing before), "no change". */
export function changeText(line: Pick<CostLine, "change" | "previousCost" | "cost">): string {
  if (line.change === null) return line.cost.total > 0 && line.previousCost === 0 ? "new" : "–";
  if (line.change === 0) return "no change";
  const pct = line.change * 100;
  const digits = Math.abs(pct) < 10 ? 1 : 0;
  return `${pct > 0 ? "+" : "−"}${Math.abs(pct).toFixed(digits)} %`;
}

export interface CostRow {
  key: string;
  requests: number;
  gbSeconds: string;
  requestCost: string;
  durationCost: string;
  otherCost: string;
  total: string;
  previous: string;
  change: string;
  /** Whether it cost more than before (drawn as a warning). */
  up: boolean;
}

function row(key: string, l: Omit<CostLine, "key">, currency: string): CostRow {
  return {
    key,
    requests: l.requests,
    gbSeconds: l.gbSeconds === 0 ? "0" : Number(l.gbSeconds.toPrecision(4)).toString(),
    requestCost: money(l.cost.requests, currency),
    durationCost: money(l.cost.duration, currency),
    otherCost: money(l.cost.provisioned + l.cost.ephemeral, currency),
    total: money(l.cost.total, currency),
    previous: money(l.previousCost, currency),
    change: changeText(l),
    up: l.change !== null && l.change > 0,
  };
}

/** The table's rows (the report's order) and its total row. */
export function costRows(report: CostReport): { rows: CostRow[]; total: CostRow } {
  return {
    rows: report.lines.map((l) => row(l.key, l, report.currency)),
    total: row("Total", report.total, report.currency),
  };
}

/** What the first column is called for each grouping. */
export function groupLabel(by: CostGroupingId): string {
  return by === "function" ? "Function" : by === "version" ? "Version" : "Day (UTC)";
}

export interface DailyCost {
  /** Seconds since the epoch at each UTC midnight, as uPlot wants. */
  x: number[];
  total: Column;
  requests: Column;
  duration: Column;
}

/**
 * The columns of the cost-by-day chart from a report grouped by day: every day of the report's range,
 * days without usage as 0 (nothing ran, so nothing was billed), so the line does not skip them.
 */
export function dailyCost(report: CostReport): DailyCost {
  const byDay = new Map(report.lines.map((l) => [l.key, l]));
  const out: DailyCost = { x: [], total: [], requests: [], duration: [] };
  const from = Date.parse(report.from);
  const to = Date.parse(report.to);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return out;
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day < to; day += DAY_MS) {
    const l = byDay.get(new Date(day).toISOString().slice(0, 10));
    out.x.push(day / 1000);
    out.total.push(l?.cost.total ?? 0);
    out.requests.push(l?.cost.requests ?? 0);
    out.duration.push(l?.cost.duration ?? 0);
  }
  return out;
}

/** The file name a `Content-Disposition: attachment; filename="…"` header gives, or the fallback. */
export function attachmentName(header: string | null, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(header ?? "");
  const name = m?.[1]?.replace(/[/\\]/g, "_");
  return name === undefined || name === "" ? fallback : name;
}

export interface BudgetProgress {
  /** "0.0012 USD of 5.00 USD". */
  spentText: string;
  /** 0-100, for the bar's width (a spend over the amount fills it). */
  bar: number;
  percentText: string;
  /** The thresholds reached this month (alerts sent), ascending, as "50 %, 80 %"; "none" when none. */
  reached: string;
  /** "ok", "warning" (a threshold reached), "over" (100 % reached) or "throttling" (enforced now). */
  level: "ok" | "warning" | "over" | "throttling";
  status: string;
}

export function budgetProgress(b: BudgetView): BudgetProgress {
  const s = b.state;
  const pct = s.percent;
  const reached = [...s.alertsSent].map((a) => a.thresholdPercent).sort((x, y) => x - y);
  const level = s.enforced ? "throttling" : pct >= 100 ? "over" : reached.length > 0 ? "warning" : "ok";
  const status =
    level === "throttling"
      ? "Throttling: invocations of its scope are refused (429 BudgetExceeded)"
      : level === "over"
        ? b.enforce
          ? "Over the amount: throttles from its next evaluation"
          : "Over the amount (not enforced: alerts only)"
        : b.enforce
          ? "Within budget; throttles at 100 %"
          : "Within budget; alerts only";
  return {
    spentText: `${money(s.spent, s.currency)} of ${money(b.monthlyAmount, s.currency)}`,
    bar: Math.max(0, Math.min(100, pct)),
    percentText: pct > 0 && pct < 0.1 ? "< 0.1 %" : `${pct.toFixed(pct < 10 ? 1 : 0)} %`,
    reached: reached.length === 0 ? "none" : reached.map((t) => `${t} %`).join(", "),
    level,
    status,
  };
}
