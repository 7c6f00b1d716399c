// Budgets: a monthly amount of money for one function or all of a region's functions, alert thresholds
// in percent of it, where the alerts go, and whether reaching 100 % throttles the scope. This module
// holds the shapes, the checks of a create/update body, and the pure decisions the evaluator makes
// (which thresholds a spend has newly crossed, whether a budget is over); engine/cost/budgets.ts does the
// I/O around them.

import { invalid } from "./errors.js";
import { parseDestination } from "./destination.js";

/** A budget as stored. Amounts are in the price sheet's currency. */
export interface Budget {
  name: string;
  /** Money per UTC calendar month, > 0. */
  monthlyAmount: number;
  /** `all` (every function of the region) or `function:NAME`. */
  scope: string;
  /** Percentages of the amount (1..1000, ascending, distinct) at which an alert goes out. */
  alertAt: number[];
  /** `log` (the server's warning log), a function name or ARN, or an http(s) webhook URL. */
  alertTo: string;
  /** Whether reaching 100 % throttles the scope until the month ends or the budget is raised. */
  enforce: boolean;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
}

/** The record that an alert of `budget` for `thresholdPercent` went out in `period` (YYYY-MM). */
export interface BudgetAlertMark {
  budget: string;
  period: string;
  thresholdPercent: number;
  /** Epoch ms. */
  sentAt: number;
  /** Month-to-date spend when it was decided. */
  spent: number;
}

/** The JSON an alert delivers (to a function as its event, to a webhook as the POST body). */
export interface BudgetAlert {
  budget: string;
  scope: string;
  period: string;
  thresholdPercent: number;
  spent: number;
  amount: number;
  currency: string;
  /** ISO 8601 time of the decision. */
  at: string;
  /** Whether the budget now throttles its scope. */
  enforced: boolean;
}

/** A budget as the native API shows it (`GET /budgets`): times as ISO strings, a webhook's password
 * masked, and where it stands this month. The CLI and the console read this shape. */
export interface BudgetView extends Pick<
  Budget,
  "name" | "monthlyAmount" | "scope" | "alertAt" | "alertTo" | "enforce"
> {
  createdAt: string;
  updatedAt: string;
  state: {
    /** The UTC month, YYYY-MM. */
    period: string;
    spent: number;
    percent: number;
    currency: string;
    alertsSent: Array<{ thresholdPercent: number; sentAt: string }>;
    /** Whether the budget throttles its scope now. */
    enforced: boolean;
  };
}

/** What a create (every field but name optional except monthlyAmount and scope) or update carries. */
export interface BudgetInput {
  monthlyAmount?: number;
  scope?: string;
  alertAt?: number[];
  alertTo?: string;
  enforce?: boolean;
}

export const DEFAULT_ALERT_AT: readonly number[] = [50, 80, 100];
export const BUDGET_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_THRESHOLDS = 20;
const INPUT_FIELDS = ["name", "monthlyAmount", "scope", "alertAt", "alertTo", "enforce"];

export function checkBudgetName(name: unknown): string {
  if (typeof name !== "string" || !BUDGET_NAME_RE.test(name))
    throw invalid(
      `budget name must be 1 to 64 letters, digits, '.', '_' or '-', got ${JSON.stringify(name ?? null)}`,
      { field: "name" },
    );
  return name;
}

/** The month (UTC) of `ms` as YYYY-MM: the period alerts are counted in. */
export function periodOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** The function a scope names, or undefined for `all`. Throws on any other form. */
export function scopeFunction(scope: string): string | undefined {
  if (scope === "all") return undefined;
  const m = /^function:([A-Za-z0-9_-]{1,64})$/.exec(scope);
  if (m?.[1] === undefined)
    throw invalid(`scope must be "all" or "function:NAME", got ${JSON.stringify(scope)}`, { field: "scope" });
  return m[1];
}

export type AlertTarget =
  | { kind: "log" }
  | { kind: "webhook"; url: string }
  | { kind: "function"; functionName: string; qualifier?: string; region?: string };

/** Parses an alert target; that a function target exists is the engine's check. */
export function parseAlertTarget(text: unknown): AlertTarget {
  const forms = `"log", a function name or ARN, or an http(s):// webhook URL`;
  if (typeof text !== "string" || text === "")
    throw invalid(`alertTo must be ${forms}`, { field: "alertTo" });
  if (text === "log") return { kind: "log" };
  if (/^[A-Za-z0-9_-]{1,64}$/.test(text)) return { kind: "function", functionName: text };
  if (text.startsWith("arn:")) {
    const d = parseDestination(text, "alertTo");
    if (d.kind === "function" && d.functionName !== undefined)
      return {
        kind: "function",
        functionName: d.functionName,
        ...(d.qualifier === undefined ? {} : { qualifier: d.qualifier }),
        ...(d.region === undefined ? {} : { region: d.region }),
      };
  }
  if (/^https?:\/\//i.test(text)) {
    const d = parseDestination(text, "alertTo");
    if (d.kind === "http") return { kind: "webhook", url: text };
  }
  throw invalid(`alertTo must be ${forms}, got ${JSON.stringify(text.slice(0, 200))}`, {
    field: "alertTo",
  });
}

function parseThresholds(v: unknown): number[] {
  const items = typeof v === "string" ? v.split(",").map((s) => (s.trim() === "" ? NaN : Number(s))) : v;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_THRESHOLDS)
    throw invalid(`alertAt must be a list of 1 to ${MAX_THRESHOLDS} percentages such as [50, 80, 100]`, {
      field: "alertAt",
    });
  for (const t of items) {
    if (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > 1000)
      throw invalid(`alertAt: every threshold must be a whole percentage from 1 to 1000, got ${String(t)}`, {
        field: "alertAt",
      });
  }
  return [...new Set(items as number[])].sort((a, b) => a - b);
}

/**
 * Checks a create or update body (a JSON object): unknown fields, wrong types and out-of-range values
 * are errors naming the field. Returns only the fields present.
 */
export function parseBudgetInput(body: unknown): BudgetInput & { name?: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("request body must be a JSON object");
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b))
    if (!INPUT_FIELDS.includes(key))
      throw invalid(`unknown budget field "${key}"; known fields: ${INPUT_FIELDS.join(", ")}`, {
        field: key,
      });
  const out: BudgetInput & { name?: string } = {};
  if (b.name !== undefined) out.name = checkBudgetName(b.name);
  if (b.monthlyAmount !== undefined) {
    const a = b.monthlyAmount;
    if (typeof a !== "number" || !Number.isFinite(a) || a <= 0)
      throw invalid(`monthlyAmount must be a number greater than 0, got ${JSON.stringify(a)}`, {
        field: "monthlyAmount",
      });
    out.monthlyAmount = a;
  }
  if (b.scope !== undefined) {
    if (typeof b.scope !== "string")
      throw invalid(`scope must be "all" or "function:NAME"`, { field: "scope" });
    scopeFunction(b.scope);
    out.scope = b.scope;
  }
  if (b.alertAt !== undefined) out.alertAt = parseThresholds(b.alertAt);
  if (b.alertTo !== undefined) {
    parseAlertTarget(b.alertTo);
    out.alertTo = b.alertTo as string;
  }
  if (b.enforce !== undefined) {
    if (typeof b.enforce !== "boolean")
      throw invalid(`enforce must be true or false, got ${JSON.stringify(b.enforce)}`, { field: "enforce" });
    out.enforce = b.enforce;
  }
  return out;
}

/** Percent of the amount spent (may exceed 100). */
export function percentSpent(spent: number, amount: number): number {
  return (spent / amount) * 100;
}

/** Whether `spent` has reached `thresholdPercent` of `amount` (compared without dividing). */
export function reached(spent: number, amount: number, thresholdPercent: number): boolean {
  return spent * 100 >= amount * thresholdPercent;
}

/** The thresholds `spent` has reached that have not been alerted in this period yet, ascending. */
export function newlyCrossed(b: Budget, spent: number, alreadySent: ReadonlySet<number>): number[] {
  return b.alertAt.filter((t) => !alreadySent.has(t) && reached(spent, b.monthlyAmount, t));
}

/** Whether the budget throttles its scope at this spend. */
export function isOver(b: Budget, spent: number): boolean {
  return b.enforce && reached(spent, b.monthlyAmount, 100);
}
