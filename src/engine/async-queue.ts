// Asynchronous (`Event`) invocations with Lambda's guarantees: an accepted event is committed to the
// store before the caller hears 202, so it runs even if the server is killed right after; it runs at
// least once, is retried twice on function errors with backoff (Lambda's default), waits out throttles,
// and is dropped only past its maximum age. How it ended (success, retries exhausted, too old) is handed
// to `settle`, whose destination records are committed in the same transaction that removes the event.

import { randomUUID } from "node:crypto";
import { VajraError, isVajraError } from "../core/errors.js";
import type { QueuedInvocation } from "../core/types.js";
import type { PendingDelivery } from "../core/destination.js";
import { DueDispatcher } from "./due-dispatcher.js";
import type { Store } from "../store/store.js";

/** Tracing details kept with a queued event: the caller's trace and what queued it. */
export type QueuedMeta = Pick<QueuedInvocation, "trace" | "trigger">;

export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;

/** What one attempt returned: whether the function succeeded, its response, and the version that ran. */
export interface AttemptResult {
  ok: boolean;
  body: Buffer;
  version: string;
}

/** How a queued event ended, for its destinations. */
export interface Settlement {
  condition: "Success" | "RetriesExhausted" | "EventAgeExceeded";
  /** Attempts that ran the function (AWS's approximateInvokeCount). */
  invokeCount: number;
  /** The last attempt's result (absent when the event aged out). */
  result?: AttemptResult;
}

export interface AsyncQueueOptions {
  /** Runs one attempt. Throws for platform errors. */
  run: (item: QueuedInvocation) => Promise<AttemptResult>;
  /** The destination records an event's end produces (committed with its removal from the queue). */
  settle?: (item: QueuedInvocation, s: Settlement) => PendingDelivery[];
  /** Receives those records once they are committed, to deliver them. */
  onSettled?: (deliveries: PendingDelivery[]) => void;
  /** Delay before the first retry; each later one doubles it (Lambda: about 1 then 2 minutes). */
  retryBaseMs: number;
  /** The function's retry limit and maximum event age (its event invoke config, or Lambda's defaults). */
  policy: (functionName: string) => { maxRetries: number; maxAgeMs: number };
  /** Attempts running at once, so a burst of events cannot take every slot from synchronous calls. */
  maxInFlight: number;
  onDrop: (item: QueuedInvocation, why: string) => void;
  onError: (err: unknown) => void;
}

export class AsyncQueue {
  private readonly dispatch: DueDispatcher<QueuedInvocation>;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly opts: AsyncQueueOptions,
  ) {
    // attempt() handles its own errors (a platform error reschedules the event).
    this.dispatch = new DueDispatcher({
      maxInFlight: opts.maxInFlight,
      run: (item) => this.attempt(item),
      onError: opts.onError,
    });
  }

  /** Loads what a previous run left (including attempts a crash interrupted) and starts dispatching. */
  async start(): Promise<void> {
    const stored = await this.store.listQueuedInvocations();
    // Events accepted while the list was read are in both: keep one of each.
    const accepted = new Set(this.dispatch.waiting.map((i) => i.requestId));
    this.dispatch.add(stored.filter((i) => !accepted.has(i.requestId)));
  }

  /**
   * Accepts an event. Resolves with its request id once it is durable. `commit` replaces the plain
   * store write when the event must be written together with the caller's own bookkeeping (a schedule's
   * fire); when it resolves false nothing was written and the event is not run (resolves undefined).
   */
  async enqueue(
    functionName: string,
    payload: Buffer,
    qualifier?: string,
    commit?: undefined,
    meta?: QueuedMeta,
  ): Promise<string>;
  async enqueue(
    functionName: string,
    payload: Buffer,
    qualifier: string | undefined,
    commit: (item: QueuedInvocation) => Promise<boolean>,
    meta?: QueuedMeta,
  ): Promise<string | undefined>;
  async enqueue(
    functionName: string,
    payload: Buffer,
    qualifier?: string,
    commit?: (item: QueuedInvocation) => Promise<boolean>,
    meta: QueuedMeta = {},
  ): Promise<string | undefined> {
    if (this.stopped)
      throw new VajraError("ShuttingDown", "the server is shutting down and accepts no new invocations");
    if (payload.length > ASYNC_PAYLOAD_LIMIT) {
      throw new VajraError(
        "PayloadTooLarge",
        `${payload.length} byte payload is too large for the Event invocation type (limit ${ASYNC_PAYLOAD_LIMIT} bytes)`,
      );
    }
    const now = Date.now();
    const item: QueuedInvocation = {
      requestId: randomUUID(),
      functionName,
      ...(qualifier === undefined ? {} : { qualifier }),
      payload: payload.toString("base64"),
      attempts: 0,
      enqueuedAt: now,
      notBefore: now,
      ...(meta.trace === undefined ? {} : { trace: meta.trace }),
      ...(meta.trigger === undefined ? {} : { trigger: meta.trigger }),
    };
    if (commit === undefined) await this.store.enqueueInvocation(item);
    else if (!(await commit(item))) return undefined;
    this.dispatch.add([item]);
    return item.requestId;
  }

  get depth(): number {
    return this.dispatch.size;
  }

  /** Per function: events waiting, running or between retries, and when the oldest was accepted. */
  stats(): Map<string, { depth: number; oldestEnqueuedAt: number }> {
    const out = new Map<string, { depth: number; oldestEnqueuedAt: number }>();
    for (const list of [this.dispatch.waiting, [...this.dispatch.active]]) {
      for (const item of list) {
        const s = out.get(item.functionName);
        if (s === undefined) out.set(item.functionName, { depth: 1, oldestEnqueuedAt: item.enqueuedAt });
        else {
          s.depth++;
          s.oldestEnqueuedAt = Math.min(s.oldestEnqueuedAt, item.enqueuedAt);
        }
      }
    }
    return out;
  }

  /** Stops starting attempts; running ones finish (the platform bounds them) and stay queued if cut. */
  stop(): void {
    this.stopped = true;
    // The running attempts are awaited by the platform's own drain, not here.
    void this.dispatch.stop();
  }

  private async attempt(item: QueuedInvocation): Promise<void> {
    try {
      const policy = this.opts.policy(item.functionName);
      if (Date.now() - item.enqueuedAt > policy.maxAgeMs)
        return await this.drop(item, "the event is older than its maximum age", {
          condition: "EventAgeExceeded",
          invokeCount: item.attempts,
        });
      let result: AttemptResult;
      try {
        result = await this.opts.run(item);
      } catch (err) {
        if (isVajraError(err) && err.code === "FunctionNotFound")
          return await this.drop(item, "the function no longer exists");
        if (isVajraError(err) && err.code === "ShuttingDown") return; // stays queued for the next start
        if (isVajraError(err) && (err.code === "TooManyRequests" || err.code === "SandboxUnavailable")) {
          // Throttles and capacity problems are retried (without counting as attempts) until max age.
          return await this.later(item, item.attempts, 1000 + Math.random() * 1000);
        }
        // A budget's throttle lasts until it is raised or the month ends: check back less often.
        if (isVajraError(err) && err.code === "BudgetExceeded")
          return await this.later(item, item.attempts, 10_000 + Math.random() * 10_000);
        throw err;
      }
      const attempts = item.attempts + 1;
      if (result.ok) return await this.finish(item, { condition: "Success", invokeCount: attempts, result });
      if (attempts > policy.maxRetries)
        return await this.drop({ ...item, attempts }, `the function failed ${attempts} times`, {
          condition: "RetriesExhausted",
          invokeCount: attempts,
          result,
        });
      await this.later(item, attempts, this.opts.retryBaseMs * 2 ** (attempts - 1));
    } catch (err) {
      this.opts.onError(err);
      await this.later(item, item.attempts, 5000).catch(this.opts.onError);
    }
  }

  private async later(item: QueuedInvocation, attempts: number, delayMs: number): Promise<void> {
    const next = { ...item, attempts, notBefore: Date.now() + delayMs };
    await this.store.updateQueuedInvocation(next);
    if (!this.stopped) this.dispatch.add([next]);
  }

  private async drop(item: QueuedInvocation, why: string, s?: Settlement): Promise<void> {
    await this.finish(item, s);
    this.opts.onDrop(item, why);
  }

  /** Removes the event and, in the same transaction, stores the destination records its end produced. */
  private async finish(item: QueuedInvocation, s: Settlement | undefined): Promise<void> {
    const deliveries = s === undefined ? [] : (this.opts.settle?.(item, s) ?? []);
    await this.store.dequeueInvocation(item.requestId, deliveries);
    if (deliveries.length > 0) this.opts.onSettled?.(deliveries);
  }
}
