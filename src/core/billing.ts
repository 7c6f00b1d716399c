// Billing arithmetic: price sheets (versioned, so a past period is priced at the prices then in force),
// the hourly usage rows the engine meters, their cost, and cost reports grouped by function, version or
// day with the change against the previous period. Pure data and arithmetic, no I/O.

import { invalid } from "./errors.js";

export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Prices per unit; an operator replaces them with what their own hardware costs. */
export interface PriceSheet {
  /** ISO 4217 code the prices are in. */
  currency: string;
  /** Per million requests. */
  requestsPerMillion: number;
  /** Per GB-second of billed duration (memory × billed time) on on-demand instances. */
  durationPerGbSecond: number;
  /** Per GB-second of provisioned concurrency kept ready, busy or not. */
  provisionedConcurrencyPerGbSecond: number;
  /** Per GB-second of billed duration on provisioned instances (in place of durationPerGbSecond). */
  provisionedDurationPerGbSecond: number;
  /** Per GB-second of ephemeral storage (/tmp) configured above the free size, while running. */
  ephemeralStoragePerGbSecond: number;
  /** Ephemeral storage included at no charge, in MB. */
  ephemeralStorageFreeMb: number;
  /** Free text: where the prices come from. */
  description: string;
}

/**
 * AWS Lambda's published x86 prices (us-east-1, first pricing tier): $0.20 per million requests,
 * $0.0000166667 per GB-second, provisioned concurrency $0.0000041667 per GB-second plus
 * $0.0000097222 per GB-second of duration, ephemeral storage above 512 MB $0.0000000309 per GB-second.
 */
export const DEFAULT_PRICE_SHEET: Readonly<PriceSheet> = Object.freeze({
  currency: "USD",
  requestsPerMillion: 0.2,
  durationPerGbSecond: 0.0000166667,
  provisionedConcurrencyPerGbSecond: 0.0000041667,
  provisionedDurationPerGbSecond: 0.0000097222,
  ephemeralStoragePerGbSecond: 0.0000000309,
  ephemeralStorageFreeMb: 512,
  description: "AWS Lambda x86 prices (us-east-1, first tier)",
});

const PRICE_FIELDS = [
  "requestsPerMillion",
  "durationPerGbSecond",
  "provisionedConcurrencyPerGbSecond",
  "provisionedDurationPerGbSecond",
  "ephemeralStoragePerGbSecond",
  "ephemeralStorageFreeMb",
] as const;

/** One version of the price sheet: in force from `effectiveFrom` until the next version's. */
export interface PriceSheetVersion {
  version: number;
  /** Epoch ms. */
  effectiveFrom: number;
  sheet: PriceSheet;
}

/** The built-in sheet, in force until an operator sets one. */
export const DEFAULT_PRICE_VERSION: Readonly<PriceSheetVersion> = Object.freeze({
  version: 0,
  effectiveFrom: 0,
  sheet: DEFAULT_PRICE_SHEET,
});

/**
 * Checks a (partial) price sheet and fills what it leaves out from `base`. An unknown field, a price
 * that is negative or not a number, or a currency that is not three letters is an error naming it.
 */
export function parsePriceSheet(input: unknown, base: PriceSheet = DEFAULT_PRICE_SHEET): PriceSheet {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw invalid("a price sheet must be a JSON object", { field: "priceSheet" });
  const known = new Set<string>(["currency", "description", ...PRICE_FIELDS]);
  for (const key of Object.keys(input)) {
    if (!known.has(key))
      throw invalid(`unknown price-sheet field "${key}"; known fields: ${[...known].join(", ")}`, {
        field: key,
      });
  }
  const o = input as Record<string, unknown>;
  const sheet: PriceSheet = { ...base };
  for (const f of PRICE_FIELDS) {
    const v = o[f];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
      throw invalid(`price-sheet field ${f} must be a number >= 0, got ${JSON.stringify(v)}`, { field: f });
    sheet[f] = v;
  }
  if (o.currency !== undefined) {
    if (typeof o.currency !== "string" || !/^[A-Z]{3}$/.test(o.currency))
      throw invalid(
        `price-sheet field currency must be a three-letter code such as USD, got ${JSON.stringify(o.currency)}`,
        {
          field: "currency",
        },
      );
    sheet.currency = o.currency;
  }
  if (o.description !== undefined) {
    if (typeof o.description !== "string" || o.description.length > 256)
      throw invalid("price-sheet field description must be a string of at most 256 characters", {
        field: "description",
      });
    sheet.description = o.description;
  }
  return sheet;
}

/** The version in force at `ms` (versions in any order; the built-in one when none applies). */
export function sheetAt(versions: readonly PriceSheetVersion[], ms: number): PriceSheetVersion {
  let best: PriceSheetVersion = DEFAULT_PRICE_VERSION;
  for (const v of versions) {
    if (v.effectiveFrom > ms) continue;
    if (
      v.effectiveFrom > best.effectiveFrom ||
      (v.effectiveFrom === best.effectiveFrom && v.version > best.version)
    )
      best = v;
  }
  return best;
}

/**
 * Metered use of one function version in one hour at one configuration (memory, ephemeral storage).
 * Rows with the same key add up.
 */
export interface UsageRow {
  functionName: string;
  version: string;
  /** Start of the hour, epoch ms (a multiple of HOUR_MS). */
  hour: number;
  memoryMb: number;
  ephemeralMb: number;
  requests: number;
  /** Billed duration (ms) of every request, provisioned or not. */
  billedMs: number;
  /** The part of billedMs that ran on provisioned instances. */
  provisionedBilledMs: number;
  /** Provisioned concurrency kept ready: instances × ms. */
  provisionedMs: number;
}

export function usageKey(
  r: Pick<UsageRow, "functionName" | "version" | "hour" | "memoryMb" | "ephemeralMb">,
): string {
  return `${r.functionName}\0${r.version}\0${r.hour}\0${r.memoryMb}\0${r.ephemeralMb}`;
}

export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** Adds `b`'s counts into `a` (same key). */
export function addUsage(a: UsageRow, b: UsageRow): void {
  a.requests += b.requests;
  a.billedMs += b.billedMs;
  a.provisionedBilledMs += b.provisionedBilledMs;
  a.provisionedMs += b.provisionedMs;
}

export interface CostParts {
  requests: number;
  duration: number;
  provisioned: number;
  ephemeral: number;
  total: number;
}

const GB_MB = 1024;

/** GB-seconds of billed duration. */
export function gbSeconds(r: Pick<UsageRow, "billedMs" | "memoryMb">): number {
  return (r.billedMs / 1000) * (r.memoryMb / GB_MB);
}

export function costOf(r: UsageRow, sheet: PriceSheet): CostParts {
  const gbPerMs = r.memoryMb / GB_MB / 1000;
  const onDemandMs = Math.max(0, r.billedMs - r.provisionedBilledMs);
  const requests = (r.requests / 1e6) * sheet.requestsPerMillion;
  const duration =
    onDemandMs * gbPerMs * sheet.durationPerGbSecond +
    r.provisionedBilledMs * gbPerMs * sheet.provisionedDurationPerGbSecond;
  const provisioned = r.provisionedMs * gbPerMs * sheet.provisionedConcurrencyPerGbSecond;
  const extraGb = Math.max(0, r.ephemeralMb - sheet.ephemeralStorageFreeMb) / GB_MB;
  const ephemeral = extraGb * (r.billedMs / 1000) * sheet.ephemeralStoragePerGbSecond;
  return { requests, duration, provisioned, ephemeral, total: requests + duration + provisioned + ephemeral };
}

/** The cost of one invocation (a metering record), at `sheet`. */
export function invocationCost(
  billedMs: number,
  memoryMb: number,
  ephemeralMb: number,
  sheet: PriceSheet,
  provisioned = false,
): number {
  return costOf(
    {
      functionName: "",
      version: "",
      hour: 0,
      memoryMb,
      ephemeralMb,
      requests: 1,
      billedMs,
      provisionedBilledMs: provisioned ? billedMs : 0,
      provisionedMs: 0,
    },
    sheet,
  ).total;
}

export const COST_GROUPINGS = ["function", "version", "day"] as const;
export type CostGrouping = (typeof COST_GROUPINGS)[number];

export interface CostLine {
  /** The group: a function name, `name:version`, or a UTC day (YYYY-MM-DD). */
  key: string;
  requests: number;
  gbSeconds: number;
  billedDurationMs: number;
  provisionedGbSeconds: number;
  cost: CostParts;
  /** The same group's total cost over the previous period (0 when it had none). */
  previousCost: number;
  /** (cost - previous) / previous; null when the previous period cost nothing. */
  change: number | null;
}

export interface CostReport {
  from: string;
  to: string;
  previousFrom: string;
  by: CostGrouping;
  currency: string;
  lines: CostLine[];
  total: Omit<CostLine, "key">;
  /** The price-sheet versions that priced this report's usage. */
  priceSheets: number[];
  warnings: string[];
}

function emptyParts(): CostParts {
  return { requests: 0, duration: 0, provisioned: 0, ephemeral: 0, total: 0 };
}

function addParts(a: CostParts, b: CostParts): void {
  a.requests += b.requests;
  a.duration += b.duration;
  a.provisioned += b.provisioned;
  a.ephemeral += b.ephemeral;
  a.total += b.total;
}

function emptyLine(key: string): CostLine {
  const parts = emptyParts();
  return {
    key,
    requests: 0,
    gbSeconds: 0,
    billedDurationMs: 0,
    provisionedGbSeconds: 0,
    cost: parts,
    previousCost: 0,
    change: null,
  };
}

function groupKey(r: UsageRow, by: CostGrouping): string {
  if (by === "function") return r.functionName;
  if (by === "version") return `${r.functionName}:${r.version}`;
  return new Date(Math.floor(r.hour / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

function change(cost: number, previous: number): number | null {
  return previous > 0 ? (cost - previous) / previous : null;
}

/**
 * Prices `rows` (usage in [fromMs, toMs)) and `previous` (the period of the same length before it), each
 * hour at the sheet then in force, grouped by `by`. Lines are sorted by cost, largest first (by day:
 * oldest first).
 */
export function costReport(
  rows: readonly UsageRow[],
  previous: readonly UsageRow[],
  versions: readonly PriceSheetVersion[],
  range: { fromMs: number; toMs: number },
  by: CostGrouping,
): CostReport {
  const used = new Set<number>();
  const currencies = new Set<string>();
  const price = (r: UsageRow): CostParts => {
    const v = sheetAt(versions, r.hour);
    used.add(v.version);
    currencies.add(v.sheet.currency);
    return costOf(r, v.sheet);
  };
  const lines = new Map<string, CostLine>();
  const total = emptyLine("");
  const line = (key: string): CostLine => {
    let l = lines.get(key);
    if (l === undefined) {
      l = emptyLine(key);
      lines.set(key, l);
    }
    return l;
  };
  for (const r of rows) {
    const parts = price(r);
    const gbs = gbSeconds(r);
    const pgbs = (r.provisionedMs / 1000) * (r.memoryMb / GB_MB);
    for (const l of [line(groupKey(r, by)), total]) {
      l.requests += r.requests;
      l.gbSeconds += gbs;
      l.billedDurationMs += r.billedMs;
      l.provisionedGbSeconds += pgbs;
      addParts(l.cost, parts);
    }
  }
  for (const r of previous) {
    const c = price(r).total;
    total.previousCost += c;
    // By day, the previous period's days are other keys: its total is compared, not its lines.
    if (by !== "day") line(groupKey(r, by)).previousCost += c;
  }
  for (const l of lines.values()) l.change = change(l.cost.total, l.previousCost);
  total.change = change(total.cost.total, total.previousCost);
  const sorted = [...lines.values()].sort((a, b) =>
    by === "day" ? a.key.localeCompare(b.key) : b.cost.total - a.cost.total || a.key.localeCompare(b.key),
  );
  const latest = sheetAt(versions, range.toMs).sheet.currency;
  const warnings =
    currencies.size > 1
      ? [`the period spans price sheets in ${[...currencies].join(" and ")}; totals add them as ${latest}`]
      : [];
  const totals: Omit<CostLine, "key"> & { key?: string } = { ...total };
  delete totals.key;
  return {
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    previousFrom: new Date(2 * range.fromMs - range.toMs).toISOString(),
    by,
    currency: latest,
    lines: sorted,
    total: totals,
    priceSheets: [...used].sort((a, b) => a - b),
    warnings,
  };
}

/** The calendar month (UTC) holding `ms`: [start, end). Budgets run per month. */
export function monthOf(ms: number): { fromMs: number; toMs: number } {
  const d = new Date(ms);
  return {
    fromMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    toMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}
