// Delivers the records waiting in the store's outbox to their destinations, with retries and
// exponential backoff until the destination accepts. A record leaves the outbox only once delivered,
// or when it has waited longer than the give-up bound (default 24 hours); then it is logged with its
// destination (masked) and counted, never dropped silently. The outbox survives restarts: what was
// waiting is loaded and retried on start.

import { maskDestination, type PendingDelivery } from "../../core/destination.js";
import { DueDispatcher } from "../due-dispatcher.js";
import type { Store } from "../../store/store.js";

/** A delivery error no retry can fix (the destination function is gone, the record is too large). */
export class PermanentDeliveryError extends Error {}

export interface OutboxOptions {
  /** Sends one record; resolves once its destination accepted it, throws otherwise. */
  deliver: (d: PendingDelivery) => Promise<void>;
  /** First retry delay; doubles per attempt up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** After this long undelivered, a record is given up (logged and counted). */
  giveUpAfterMs: number;
  /** Deliveries running at once. */
  maxInFlight: number;
  onWarning: (message: string) => void;
  onError: (err: unknown) => void;
  /** Counts each result (the region's Prometheus counter). */
  onResult?: (d: PendingDelivery, result: "delivered" | "failed_attempt" | "given_up") => void;
}

export interface OutboxStats {
  waiting: number;
  delivered: number;
  failedAttempts: number;
  givenUp: number;
}

export class DestinationOutbox {
  /** Held until start() has loaded what the store kept. */
  private readonly dispatch: DueDispatcher<PendingDelivery>;
  private stopped = true;
  readonly counts = { delivered: 0, failedAttempts: 0, givenUp: 0 };

  constructor(
    private readonly store: Store,
    private readonly opts: OutboxOptions,
  ) {
    this.dispatch = new DueDispatcher(
      { maxInFlight: opts.maxInFlight, run: (d) => this.attempt(d), onError: opts.onError },
      false,
    );
  }

  async start(): Promise<void> {
    const stored = await this.store.listDeliveries();
    const known = new Set(this.dispatch.waiting.map((d) => d.id));
    this.dispatch.add(stored.filter((d) => !known.has(d.id)));
    this.stopped = false;
    this.dispatch.start();
  }

  /** Takes records already committed to the store (by the caller's own transaction) into delivery. */
  accept(items: readonly PendingDelivery[]): void {
    this.dispatch.add(items);
  }

  /** Commits records to the store, then delivers them. */
  async add(items: readonly PendingDelivery[]): Promise<void> {
    if (items.length === 0) return;
    await this.store.putDeliveries(items);
    this.accept(items);
  }

  stats(): OutboxStats {
    return { waiting: this.dispatch.size, ...this.counts };
  }

  /** Stops starting deliveries and waits for the running ones (each bounded by its publish timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.dispatch.stop();
  }

  private async attempt(d: PendingDelivery): Promise<void> {
    try {
      await this.opts.deliver(d);
    } catch (err) {
      this.counts.failedAttempts++;
      this.opts.onResult?.(d, "failed_attempt");
      const why = maskDestination(err instanceof Error ? err.message : String(err));
      const attempts = d.attempts + 1;
      if (err instanceof PermanentDeliveryError || Date.now() - d.createdAt >= this.opts.giveUpAfterMs) {
        await this.store.deleteDelivery(d.id);
        this.counts.givenUp++;
        this.opts.onResult?.(d, "given_up");
        this.opts.onWarning(
          `destination record ${d.id} (${d.origin} of ${d.functionName}) given up after ${attempts} attempts: ${maskDestination(d.destination)} did not accept it (${why})`,
        );
        return;
      }
      const delay = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(d.attempts, 20));
      const next: PendingDelivery = { ...d, attempts, notBefore: Date.now() + delay, lastError: why };
      await this.store.putDeliveries([next]);
      if (!this.stopped) this.dispatch.add([next]);
      return;
    }
    await this.store.deleteDelivery(d.id);
    this.counts.delivered++;
    this.opts.onResult?.(d, "delivered");
  }
}
