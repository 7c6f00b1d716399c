// The Store's metering: hourly usage rows per function version and configuration (what cost reports
// price), the versioned price sheets, and per-invocation metering records read from the invocation
// records. Usage outlives its function: a deleted function's past cost stays in the reports.

import type { PriceSheet, PriceSheetVersion, UsageRow } from "../core/billing.js";
import type { InvocationStatus } from "../core/types.js";

/** One invocation as billed: read from its invocation record (the log left out). */
export interface MeteringRecord {
  requestId: string;
  functionName: string;
  version: string;
  startedAt: number;
  status: InvocationStatus;
  attempt: number;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs: number | undefined;
}

export interface MeteringQuery {
  fromMs: number;
  toMs: number;
  functionName?: string;
  limit: number;
  /** The `next` of the previous page. */
  after?: string;
}

export interface UsageStore {
  /** Adds each row's counts to the stored row with its key (function, version, hour, memory, ephemeral). */
  merge(rows: readonly UsageRow[]): Promise<void>;
  /** The region's rows with `hour` in [fromMs, toMs), of one function or all. */
  list(fromMs: number, toMs: number, functionName?: string): Promise<UsageRow[]>;
  /** Every price-sheet version (they are the host's, shared by all regions), oldest first. */
  listPriceSheets(): Promise<PriceSheetVersion[]>;
  /** Stores `sheet` as the next version, in force from `effectiveFrom`. */
  addPriceSheet(sheet: PriceSheet, effectiveFrom: number): Promise<PriceSheetVersion>;
  /** Invocations started in [fromMs, toMs), oldest first, a page at a time. */
  listMetering(q: MeteringQuery): Promise<{ records: MeteringRecord[]; next?: string }>;
}
