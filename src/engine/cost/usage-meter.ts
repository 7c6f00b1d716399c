// Metering: every finished invocation adds its billed duration to an in-memory usage row per function
// version, hour and configuration (O(1), no I/O on the invoke path); provisioned concurrency adds the
// instance time it keeps ready on a timer. A timer (or a reader that needs fresh figures) writes the
// accumulated deltas in one store transaction.

import { HOUR_MS, hourOf, usageKey, type UsageRow } from "../../core/billing.js";
import type { UsageStore } from "../../store/usage-store.js";

/** Provisioned concurrency kept ready right now, per function version. */
export interface ProvisionedCapacity {
  functionName: string;
  version: string;
  memoryMb: number;
  ephemeralMb: number;
  /** Instances initialised and kept (Lambda bills what is allocated). */
  instances: number;
}

export interface UsageMeterOptions {
  flushIntervalMs: number;
  /** How often provisioned capacity is sampled and billed. */
  provisionedTickMs: number;
  provisioned: () => ProvisionedCapacity[];
  now?: () => number;
  onError(err: unknown): void;
}

export class UsageMeter {
  private pending = new Map<string, UsageRow>();
  private writing: Promise<void> = Promise.resolve();
  private readonly flushTimer: NodeJS.Timeout;
  private readonly tickTimer: NodeJS.Timeout;
  private readonly now: () => number;
  private lastTick: number;
  private lastCapacity: ProvisionedCapacity[] = [];

  constructor(
    private readonly store: UsageStore,
    private readonly opts: UsageMeterOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.lastTick = this.now();
    this.flushTimer = setInterval(() => void this.flush(), opts.flushIntervalMs);
    this.flushTimer.unref();
    this.tickTimer = setInterval(() => this.tick(), opts.provisionedTickMs);
    this.tickTimer.unref();
  }

  private row(
    functionName: string,
    version: string,
    hour: number,
    memoryMb: number,
    ephemeralMb: number,
  ): UsageRow {
    const key = usageKey({ functionName, version, hour, memoryMb, ephemeralMb });
    let r = this.pending.get(key);
    if (r === undefined) {
      r = {
        functionName,
        version,
        hour,
        memoryMb,
        ephemeralMb,
        requests: 0,
        billedMs: 0,
        provisionedBilledMs: 0,
        provisionedMs: 0,
      };
      this.pending.set(key, r);
    }
    return r;
  }

  /** One finished invocation (errors are billed too, as on Lambda). */
  invocation(
    functionName: string,
    version: string,
    memoryMb: number,
    ephemeralMb: number,
    billedMs: number,
    provisioned: boolean,
  ): void {
    const r = this.row(functionName, version, hourOf(this.now()), memoryMb, ephemeralMb);
    r.requests++;
    r.billedMs += billedMs;
    if (provisioned) r.provisionedBilledMs += billedMs;
  }

  /**
   * Bills the provisioned capacity seen at the last sample for the time since, split at hour boundaries,
   * and samples it again. Capacity is billed from the first sample that sees it (at most one tick late),
   * never for time before it was allocated.
   */
  tick(): void {
    const now = this.now();
    const from = Math.min(this.lastTick, now);
    this.lastTick = now;
    const billed = this.lastCapacity;
    try {
      this.lastCapacity = this.opts.provisioned();
    } catch (err) {
      this.lastCapacity = [];
      this.opts.onError(err);
    }
    for (const c of billed) {
      if (c.instances <= 0) continue;
      for (let t = from; t < now;) {
        const hour = hourOf(t);
        const end = Math.min(now, hour + HOUR_MS);
        this.row(c.functionName, c.version, hour, c.memoryMb, c.ephemeralMb).provisionedMs +=
          c.instances * (end - t);
        t = end;
      }
    }
  }

  /** Writes every delta so far in one transaction; resolves when they are in the store. */
  flush(): Promise<void> {
    if (this.pending.size === 0) return this.writing;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.writing = this.writing
      .then(() => this.store.merge(batch))
      .catch((err: unknown) => this.opts.onError(err));
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.tickTimer);
    this.tick();
    await this.flush();
  }
}
