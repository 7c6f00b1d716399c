// What a broker adapter provides to the shared mapping runner (mapping-runner.ts): a consumer that
// hands over messages in batches and acknowledges them one by one, and the event shape of its source.
// A new broker (MQTT, Redis, PostgreSQL) is one adapter file implementing BrokerAdapter plus a run of
// the contract suite (broker-contract.ts).

import type { MappingKind, SourceUri } from "../../core/event-source-mapping.js";

/** One delivered, not yet acknowledged message; `raw` is the adapter's own handle. */
export interface BrokerMessage<Raw = unknown> {
  raw: Raw;
}

export interface BrokerConsumer<Raw = unknown> {
  /**
   * Up to `max` messages, in broker order: as soon as `max` are there, or `windowMs` after the first
   * one arrived. Resolves empty only when `signal` aborts or the consumer was lost.
   */
  next(max: number, windowMs: number, signal: AbortSignal): Promise<BrokerMessage<Raw>[]>;
  /** Acknowledges one processed message; throws when the connection is gone (it will be redelivered). */
  ack(m: BrokerMessage<Raw>): Promise<void>;
  /** Gives a message up after its retries (RabbitMQ: rejected to the queue's dead-letter exchange). */
  reject(m: BrokerMessage<Raw>): Promise<void>;
  /** Resolves with why when the connection is lost (not after close()). */
  readonly lost: Promise<Error>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** The mapping's UUID (names its durable consumer where the broker has one). */
  uuid: string;
  batchSize: number;
  startingPosition?: "TRIM_HORIZON" | "LATEST";
}

export interface BrokerAdapter<Raw = unknown> {
  readonly kind: MappingKind;
  /** Connects and starts consuming; throws (a clear message) when the broker or the queue is not there. */
  open(source: SourceUri, opts: OpenOptions): Promise<BrokerConsumer<Raw>>;
  /** The function's event for a batch; `sourceArn` is the masked source URI. */
  event(sourceArn: string, source: SourceUri, batch: BrokerMessage<Raw>[]): unknown;
  /** The `itemIdentifier` a function reports in `batchItemFailures` for the batch's i-th message. */
  itemId(m: BrokerMessage<Raw>, index: number): string;
  /** When the broker received the message (epoch ms), if it says; else the runner uses its receipt time. */
  arrivedAt?(m: BrokerMessage<Raw>): number | undefined;
  /** What FilterCriteria patterns are matched against (the message's record, its body parsed as JSON). */
  filterView(m: BrokerMessage<Raw>): unknown;
  /** Removes what the mapping left on the broker (a durable consumer), best effort, after a delete. */
  dispose(source: SourceUri, uuid: string): Promise<void>;
}

/** The in-memory queue between a broker's push delivery and the runner's batch pulls. */
export class MessageBuffer<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;

  push(item: T): void {
    this.items.push(item);
    this.notify();
  }

  /** Wakes waiters for good (the consumer is gone). */
  end(): void {
    this.ended = true;
    this.items = [];
    this.notify();
  }

  get size(): number {
    return this.items.length;
  }

  async take(max: number, windowMs: number, signal: AbortSignal): Promise<T[]> {
    while (this.items.length === 0) {
      if (signal.aborted || this.ended) return [];
      await this.waitFor(signal, undefined);
    }
    const until = Date.now() + windowMs;
    while (this.items.length < max && !signal.aborted && !this.ended) {
      const left = until - Date.now();
      if (left <= 0) break;
      await this.waitFor(signal, left);
    }
    if (this.ended) return [];
    return this.items.splice(0, max);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private waitFor(signal: AbortSignal, ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.wake = done;
    });
  }
}
