// A region's cost ledger: prices metered usage with the price-sheet version in force when it ran, into
// reports by function, version or day with the change against the previous period, exports metering
// records with their cost, and answers "how much has this scope spent" for budgets.

import { VajraError, invalid } from "../../core/errors.js";
import {
  DEFAULT_PRICE_VERSION,
  costReport,
  invocationCost,
  parsePriceSheet,
  sheetAt,
  costOf,
  type CostReport,
  type PriceSheet,
  type PriceSheetVersion,
} from "../../core/billing.js";
import { costGrouping, costRange } from "../../core/cost-range.js";
import type { MeteringRecord, UsageStore } from "../../store/usage-store.js";
import type { UsageMeter } from "./usage-meter.js";

export const DEFAULT_METERING_LIMIT = 1000;
export const MAX_METERING_LIMIT = 10_000;
/** A new price sheet may start this far in the past (clock skew between caller and server), no more. */
const PAST_SLACK_MS = 60_000;

export interface CostQuery {
  since?: string;
  until?: string;
  by?: string;
  functionName?: string;
}

export interface MeteringPage {
  currency: string;
  records: Array<MeteringRecord & { ephemeralStorageMb?: number; cost: number; priceSheet: number }>;
  next?: string;
}

export interface CostLedgerDeps {
  usage: UsageStore;
  meter: UsageMeter;
  /** Writes buffered invocation records (metering records are read from them). */
  flushRecords: () => Promise<void>;
  /** Whether a function of this name exists now (a deleted one is still reported if it has usage). */
  functionExists: (name: string) => boolean;
  /** Ephemeral storage of a function now (metering records predate nothing better). */
  ephemeralMb: (name: string) => number | undefined;
  now?: () => number;
}

export class CostLedger {
  private readonly now: () => number;

  constructor(private readonly d: CostLedgerDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Every version, the built-in one (0) first. */
  async priceSheets(): Promise<PriceSheetVersion[]> {
    return [DEFAULT_PRICE_VERSION, ...(await this.d.usage.listPriceSheets())];
  }

  async currentSheet(): Promise<PriceSheet> {
    return sheetAt(await this.d.usage.listPriceSheets(), this.now()).sheet;
  }

  /**
   * Stores a new version from `input` (fields left out keep the values in force at `effectiveFrom`),
   * in force from `effectiveFrom` (default now). It may not start in the past: past usage keeps the
   * prices it ran at.
   */
  async setPriceSheet(input: unknown, effectiveFrom?: string): Promise<PriceSheetVersion> {
    const now = this.now();
    let from = now;
    if (effectiveFrom !== undefined) {
      const t = /^\d{10,}$/.test(effectiveFrom) ? Number(effectiveFrom) : Date.parse(effectiveFrom);
      if (!Number.isFinite(t))
        throw invalid(`effectiveFrom '${effectiveFrom}' is not an ISO 8601 time or epoch milliseconds`, {
          field: "effectiveFrom",
        });
      if (t < now - PAST_SLACK_MS)
        throw invalid(
          `effectiveFrom ${new Date(t).toISOString()} is in the past: usage already metered keeps the prices in force when it ran`,
          { field: "effectiveFrom" },
        );
      from = Math.max(t, now);
    }
    const versions = await this.d.usage.listPriceSheets();
    const sheet = parsePriceSheet(input, sheetAt(versions, from).sheet);
    return this.d.usage.addPriceSheet(sheet, from);
  }

  private checkFunction(name: string | undefined, hasUsage: boolean): void {
    if (name !== undefined && !hasUsage && !this.d.functionExists(name))
      throw new VajraError("FunctionNotFound", `Function not found: ${name} (and it has no metered usage)`);
  }

  async report(q: CostQuery): Promise<CostReport> {
    const by = costGrouping(q.by);
    const range = costRange(q, this.now());
    this.d.meter.tick();
    await this.d.meter.flush();
    const prevFrom = 2 * range.fromMs - range.toMs;
    const [rows, previous, versions] = await Promise.all([
      this.d.usage.list(range.fromMs, range.toMs, q.functionName),
      this.d.usage.list(prevFrom, range.fromMs, q.functionName),
      this.d.usage.listPriceSheets(),
    ]);
    this.checkFunction(q.functionName, rows.length + previous.length > 0);
    return costReport(rows, previous, versions, range, by);
  }

  /** Per-invocation metering records in [since, until), oldest first, each with its cost. */
  async records(q: CostQuery & { limit?: number; after?: string }): Promise<MeteringPage> {
    const range = costRange(q, this.now(), false);
    const limit = q.limit ?? DEFAULT_METERING_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_METERING_LIMIT)
      throw invalid(`limit must be an integer from 1 to ${MAX_METERING_LIMIT}`, { field: "limit" });
    if (q.after !== undefined && !/^\d+\.\d+$/.test(q.after))
      throw invalid(`after '${q.after}' is not a page token from a previous response`, { field: "after" });
    this.checkFunction(q.functionName, false);
    await this.d.flushRecords();
    const page = await this.d.usage.listMetering({
      ...range,
      limit,
      ...(q.functionName === undefined ? {} : { functionName: q.functionName }),
      ...(q.after === undefined ? {} : { after: q.after }),
    });
    const versions = await this.d.usage.listPriceSheets();
    const records = page.records.map((r) => {
      const v = sheetAt(versions, r.startedAt);
      const eph = this.d.ephemeralMb(r.functionName);
      return {
        ...r,
        ...(eph === undefined ? {} : { ephemeralStorageMb: eph }),
        cost: invocationCost(r.billedDurationMs, r.memorySizeMb, eph ?? 512, v.sheet),
        priceSheet: v.version,
      };
    });
    const out: MeteringPage = { currency: sheetAt(versions, range.toMs).sheet.currency, records };
    if (page.next !== undefined) out.next = page.next;
    return out;
  }

  /** What `functionName` (or every function) cost in [fromMs, toMs), usage not yet flushed included. */
  async spend(fromMs: number, toMs: number, functionName?: string): Promise<number> {
    this.d.meter.tick();
    await this.d.meter.flush();
    const [rows, versions] = await Promise.all([
      this.d.usage.list(fromMs, toMs, functionName),
      this.d.usage.listPriceSheets(),
    ]);
    let total = 0;
    for (const r of rows) total += costOf(r, sheetAt(versions, r.hour).sheet).total;
    return total;
  }
}
