// Write-behind buffer for invocation records and logs: the invoke path only appends to memory; a
// timer (or a reader that needs fresh data) writes everything buffered in one store transaction.

import type { InvocationRecord } from "../core/types.js";
import type { Store } from "../store/store.js";

export interface RecordWriterOptions {
  flushIntervalMs: number;
  /** Flush early once this many records wait. */
  maxBuffered: number;
  onError(err: unknown): void;
  /** Told of each batch once it is in the store (the live log stream). */
  onWritten?(batch: readonly InvocationRecord[]): void;
}

export class RecordWriter {
  private buffer: InvocationRecord[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly opts: RecordWriterOptions,
  ) {
    this.timer = setInterval(() => void this.flush(), opts.flushIntervalMs);
    this.timer.unref();
  }

  add(record: InvocationRecord): void {
    this.buffer.push(record);
    if (this.buffer.length >= this.opts.maxBuffered) void this.flush();
  }

  /** Writes everything buffered so far; resolves when it is in the store. */
  flush(): Promise<void> {
    const batch = this.buffer;
    if (batch.length === 0) return this.flushing;
    this.buffer = [];
    this.flushing = this.flushing
      .then(() => this.store.insertInvocations(batch))
      .then(() => this.opts.onWritten?.(batch))
      .catch((err: unknown) => this.opts.onError(err));
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
