// Keeps the log store within its retention and size bounds in the background: expired events (per
// function retention) and, past the size cap, the oldest events of the whole store go in small batches
// with a yield between them, so no long DELETE ever holds the database while invocations write.

import { DEFAULT_LOG_RETENTION_DAYS } from "./logs.js";
import type { LogStore } from "../store/log-store.js";

export interface LogJanitorOptions {
  /** Size cap of all log events (MB); default 1024. */
  maxMb?: number;
  intervalMs?: number;
  /** Events deleted per batch. */
  batch?: number;
  now?: () => number;
  onError(err: unknown): void;
}

export class LogJanitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  readonly maxBytes: number;

  constructor(
    private readonly store: LogStore,
    private readonly opts: LogJanitorOptions,
  ) {
    this.maxBytes = (opts.maxMb ?? 1024) * 1024 * 1024;
  }

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.opts.intervalMs ?? 60_000);
    this.timer.unref();
  }

  /** One full pass (also what tests call); concurrent calls share the pass in progress. */
  runOnce(): Promise<void> {
    this.running ??= this.pass()
      .catch((err: unknown) => this.opts.onError(err))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const batch = this.opts.batch ?? 500;
    const now = (this.opts.now ?? Date.now)();
    while (
      !this.stopped &&
      (await this.store.deleteExpired(now, DEFAULT_LOG_RETENTION_DAYS, batch)) === batch
    )
      await yieldToOthers();
    while (!this.stopped && (await this.store.totalBytes()) > this.maxBytes) {
      if ((await this.store.deleteOldest(batch)) === 0) break;
      await yieldToOthers();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }
}

const yieldToOthers = (): Promise<void> => new Promise((r) => setImmediate(r));
