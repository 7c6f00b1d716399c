// Runs one event source mapping against its broker, the same way for every broker: connect, take a
// batch (BatchSize, MaximumBatchingWindowInSeconds), invoke the function synchronously with it, and
// acknowledge each message only after the function succeeded for it (at-least-once). Failed messages
// are retried before any later message is taken, so order is kept per queue/stream; with
// ReportBatchItemFailures only the items the function names are retried. A lost broker is retried with
// backoff and the mapping's StateTransitionReason says why until it is back. A batch that fails as a
// whole may be bisected to isolate the poison message; messages given up (after their retries, or older
// than MaximumRecordAgeInSeconds) go to the on-failure destination, and are acknowledged only once its
// record is durably stored. ScalingConfig.MaximumConcurrency runs that many batches at once.

import { matchesPattern, parseFilterPattern, type FilterPattern } from "../../core/event-filter.js";
import { maskUri, type MappingRecord, type SourceUri } from "../../core/event-source-mapping.js";
import { LIMITS } from "../../core/limits.js";
import type { BrokerAdapter, BrokerConsumer, BrokerMessage } from "./broker.js";

/** What the runner needs from the region: a synchronous (RequestResponse) invocation. */
export type SyncInvoke = (
  functionName: string,
  qualifier: string | undefined,
  payload: Buffer,
) => Promise<{ ok: boolean; body: Buffer; requestId?: string; version?: string }>;

/** Messages the runner gives up, for the mapping's on-failure destination. */
export interface MappingFailure {
  condition: "RetryAttemptsExhausted" | "RecordAgeExceeded";
  /** Invocations made with these messages (0 when they aged out before any). */
  attempts: number;
  messages: BrokerMessage[];
  /** The messages' event, as the function received (or would have received) it. */
  event: unknown;
  /** The last invocation's result. */
  response?: { ok: boolean; body: Buffer; requestId?: string; version?: string };
  /** When each message arrived (epoch ms), in order. */
  arrivals: number[];
}

export interface RunnerStatus {
  /** USER_INITIATED, or `PROBLEM: …` while the broker cannot be used. */
  stateTransitionReason: string;
  /** OK, No records processed, or `PROBLEM: …` after a failed batch. */
  lastProcessingResult: string;
  /** Messages acknowledged after success, and given up after their retries (since start). */
  processed: number;
  discarded: number;
  /** Messages no FilterCriteria pattern matched: acknowledged without invoking. */
  filtered: number;
}

export interface RunnerOptions {
  record: MappingRecord;
  source: SourceUri;
  adapter: BrokerAdapter;
  invoke: SyncInvoke;
  onWarning: (message: string) => void;
  /**
   * Durably stores the on-failure record of given-up messages (the mapping has a destination); the
   * runner acknowledges them once this resolves. Without it, given-up messages are rejected.
   */
  onFailure?: (failure: MappingFailure) => Promise<void>;
  /** Each batch the function is invoked with: its size and its oldest message's age (metrics). */
  onBatch?: (size: number, oldestAgeMs: number) => void;
  /** First reconnect / retry delay; doubles up to maxBackoffMs. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
}

export class MappingRunner {
  readonly status: RunnerStatus = {
    stateTransitionReason: "USER_INITIATED",
    lastProcessingResult: "No records processed",
    processed: 0,
    discarded: 0,
    filtered: 0,
  };
  private readonly filters: FilterPattern[];
  private readonly abort = new AbortController();
  private consumer: BrokerConsumer | undefined;
  private done: Promise<void> | undefined;
  private readonly base: number;
  private readonly max: number;
  /** When the runner received each message still held (the fallback for its age). */
  private readonly received = new WeakMap<BrokerMessage, number>();

  constructor(private readonly opts: RunnerOptions) {
    this.base = opts.backoffBaseMs ?? 200;
    this.max = opts.maxBackoffMs ?? 10_000;
    this.filters = (opts.record.filters ?? []).map((f) => parseFilterPattern(f));
  }

  start(): void {
    this.done ??= this.loop();
  }

  /** Stops at once: what is not acknowledged is redelivered by the broker. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.consumer?.close().catch(() => undefined);
    await this.done;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private mask(text: string): string {
    const pw = this.opts.source.password;
    const masked = maskUri(text);
    return pw === undefined || pw === "" ? masked : masked.split(pw).join("****");
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        this.consumer = await this.opts.adapter.open(this.opts.source, {
          uuid: this.opts.record.uuid,
          batchSize: this.opts.record.batchSize,
          ...(this.opts.record.startingPosition === undefined
            ? {}
            : { startingPosition: this.opts.record.startingPosition }),
        });
      } catch (err) {
        this.problem(err);
        await this.sleep(this.backoff(failures++));
        continue;
      }
      if (this.stopped) {
        // Stopped while connecting: stop() had no consumer to close yet.
        await this.consumer.close().catch(() => undefined);
        break;
      }
      this.status.stateTransitionReason = "USER_INITIATED";
      failures = 0;
      const consumer = this.consumer;
      const lostAbort = new AbortController();
      const lost = consumer.lost.then((err) => {
        lostAbort.abort();
        return err;
      });
      const signal = AbortSignal.any([this.abort.signal, lostAbort.signal]);
      const slots = new Slots(this.opts.record.maximumConcurrency ?? 1);
      try {
        while (!signal.aborted) {
          const batch = await consumer.next(
            this.opts.record.batchSize,
            this.opts.record.maximumBatchingWindowInSeconds * 1000,
            signal,
          );
          const now = Date.now();
          for (const m of batch) this.received.set(m, now);
          for (const part of this.fit(batch)) await slots.run(() => this.process(consumer, part, signal));
        }
        await slots.idle();
      } catch (err) {
        if (!this.stopped) this.problem(err);
      }
      await slots.idle().catch(() => undefined); // the error of a lost connection was reported above
      await consumer.close().catch(() => undefined);
      if (this.stopped) break;
      if (lostAbort.signal.aborted) this.problem(await lost);
      await this.sleep(this.backoff(failures++));
    }
  }

  private problem(err: unknown): void {
    const text = err instanceof Error ? err.message : String(err);
    this.status.stateTransitionReason = `PROBLEM: Connection error. ${this.mask(text)}`;
    this.opts.onWarning(
      `event source mapping ${this.opts.record.uuid} (${this.opts.record.source}): ${this.status.stateTransitionReason}`,
    );
  }

  /**
   * Splits a batch whose event would exceed the 6 MB invocation payload (as Lambda cuts a batch short
   * at that size). A single message larger than that stays alone; its invocation fails and is retried.
   */
  private fit(batch: BrokerMessage[]): BrokerMessage[][] {
    if (batch.length <= 1) return batch.length === 0 ? [] : [batch];
    const { adapter, record } = this.opts;
    const size = (ms: BrokerMessage[]): number =>
      Buffer.byteLength(JSON.stringify(adapter.event(record.source, this.opts.source, ms)));
    if (size(batch) <= LIMITS.syncPayloadBytes) return [batch];
    const empty = size([]);
    const parts: BrokerMessage[][] = [];
    let part: BrokerMessage[] = [];
    let bytes = empty;
    for (const m of batch) {
      const add = size([m]) - empty + 1;
      if (part.length > 0 && bytes + add > LIMITS.syncPayloadBytes) {
        parts.push(part);
        part = [];
        bytes = empty;
      }
      part.push(m);
      bytes += add;
    }
    parts.push(part);
    return parts;
  }

  /** Invokes until every message of the batch succeeded or was given up; acknowledges as it goes. */
  private async process(
    consumer: BrokerConsumer,
    batch: BrokerMessage[],
    signal: AbortSignal,
  ): Promise<void> {
    let pending = batch;
    if (this.filters.length > 0) {
      pending = [];
      const dropped: BrokerMessage[] = [];
      for (const m of batch) {
        const view = this.opts.adapter.filterView(m);
        if (this.filters.some((f) => matchesPattern(f, view))) pending.push(m);
        else dropped.push(m);
      }
      await ackAll(consumer, dropped);
      this.status.filtered += dropped.length;
    }
    await this.attempts(consumer, pending, signal);
  }

  /** Messages of `batch` older than MaximumRecordAgeInSeconds: sent to on-failure, acknowledged. */
  private async expire(consumer: BrokerConsumer, batch: BrokerMessage[]): Promise<BrokerMessage[]> {
    const maxAge = this.opts.record.maximumRecordAgeInSeconds ?? -1;
    if (maxAge < 0) return batch;
    const now = Date.now();
    const old = batch.filter((m) => now - this.arrival(m) > maxAge * 1000);
    if (old.length === 0) return batch;
    await this.giveUp(consumer, old, "RecordAgeExceeded", 0, undefined);
    return batch.filter((m) => !old.includes(m));
  }

  private arrival(m: BrokerMessage): number {
    return this.opts.adapter.arrivedAt?.(m) ?? this.received.get(m) ?? Date.now();
  }

  /** Gives messages up: their on-failure record stored, then acknowledged (or rejected without one). */
  private async giveUp(
    consumer: BrokerConsumer,
    messages: BrokerMessage[],
    condition: MappingFailure["condition"],
    attempts: number,
    response: MappingFailure["response"],
  ): Promise<void> {
    const r = this.opts.record;
    if (this.opts.onFailure !== undefined) {
      const { adapter, source } = this.opts;
      await this.opts.onFailure({
        condition,
        attempts,
        messages,
        event: adapter.event(r.source, source, messages),
        arrivals: messages.map((m) => this.arrival(m)),
        ...(response === undefined ? {} : { response }),
      });
      await ackAll(consumer, messages);
    } else for (const m of messages) await consumer.reject(m);
    this.status.discarded += messages.length;
    this.opts.onWarning(
      `event source mapping ${r.uuid}: gave up ${messages.length} message(s) (${condition} after ${attempts} attempt(s))${this.opts.onFailure === undefined ? "" : "; their record went to the on-failure destination"}`,
    );
  }

  /** Invokes with `batch` until each message succeeded or was given up; bisects a failing batch. */
  private async attempts(
    consumer: BrokerConsumer,
    batch: BrokerMessage[],
    signal: AbortSignal,
  ): Promise<void> {
    const r = this.opts.record;
    let pending = batch;
    for (let attempt = 0; pending.length > 0 && !signal.aborted; attempt++) {
      pending = await this.expire(consumer, pending);
      if (pending.length === 0) return;
      const { failed, response } = await this.invoke(pending);
      const done = pending.filter((m) => !failed.has(m));
      await ackAll(consumer, done);
      this.status.processed += done.length;
      if (failed.size === 0) {
        this.status.lastProcessingResult = "OK";
        return;
      }
      this.status.lastProcessingResult = "PROBLEM: Function call failed";
      const whole = failed.size === pending.length;
      pending = pending.filter((m) => failed.has(m));
      // Splitting does not count against the retries (as on AWS): each half starts afresh, in order.
      if (r.bisectBatchOnFunctionError === true && whole && pending.length > 1) {
        const half = Math.ceil(pending.length / 2);
        await this.attempts(consumer, pending.slice(0, half), signal);
        await this.attempts(consumer, pending.slice(half), signal);
        return;
      }
      if (r.maximumRetryAttempts >= 0 && attempt >= r.maximumRetryAttempts) {
        await this.giveUp(consumer, pending, "RetryAttemptsExhausted", attempt + 1, response);
        return;
      }
      await this.sleep(this.backoff(attempt), signal);
    }
  }

  /** The messages of `batch` that failed: all when the invocation failed, else those the function named. */
  private async invoke(
    batch: BrokerMessage[],
  ): Promise<{ failed: Set<BrokerMessage>; response?: MappingFailure["response"] }> {
    const { adapter, record: r } = this.opts;
    const payload = Buffer.from(JSON.stringify(adapter.event(r.source, this.opts.source, batch)));
    if (this.opts.onBatch !== undefined) {
      const oldest = Math.min(...batch.map((m) => this.arrival(m)));
      this.opts.onBatch(batch.length, Date.now() - oldest);
    }
    let outcome: Awaited<ReturnType<SyncInvoke>>;
    try {
      outcome = await this.opts.invoke(r.functionName, r.qualifier, payload);
    } catch (err) {
      this.opts.onWarning(
        `event source mapping ${r.uuid}: invoking ${r.functionName} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      return { failed: new Set(batch) };
    }
    if (!outcome.ok) return { failed: new Set(batch), response: outcome };
    if (!r.functionResponseTypes.includes("ReportBatchItemFailures"))
      return { failed: new Set(), response: outcome };
    return { failed: this.reportedFailures(batch, outcome.body), response: outcome };
  }

  /** Lambda's rules: an empty or absent list is success; invalid JSON or an unknown identifier fails all. */
  private reportedFailures(batch: BrokerMessage[], body: Buffer): Set<BrokerMessage> {
    let parsed: unknown;
    try {
      const text = body.toString("utf8");
      parsed = text.trim() === "" ? null : JSON.parse(text);
    } catch {
      return new Set(batch);
    }
    if (typeof parsed !== "object" || parsed === null) return new Set();
    const list = (parsed as { batchItemFailures?: unknown }).batchItemFailures;
    if (list === undefined || list === null) return new Set();
    if (!Array.isArray(list)) return new Set(batch);
    const byId = new Map(batch.map((m, i) => [this.opts.adapter.itemId(m, i), m]));
    const failed = new Set<BrokerMessage>();
    for (const item of list as unknown[]) {
      const id = (item as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const m = typeof id === "string" || typeof id === "number" ? byId.get(String(id)) : undefined;
      if (m === undefined) return new Set(batch);
      failed.add(m);
    }
    return failed;
  }

  private backoff(n: number): number {
    return Math.min(this.max, this.base * 2 ** Math.min(n, 20));
  }

  private sleep(ms: number, signal: AbortSignal = this.abort.signal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

/**
 * Acknowledges a batch's messages together: a confirmed ack is a round trip to the broker (JetStream's
 * ackAck), and one after the other they cost a batch of 100 about as much as invoking it.
 */
async function ackAll(consumer: BrokerConsumer, ms: readonly BrokerMessage[]): Promise<void> {
  await Promise.all(ms.map((m) => consumer.ack(m)));
}

/**
 * Runs up to `limit` tasks at once (ScalingConfig.MaximumConcurrency); `run` waits for a free slot. With
 * a limit of one each task runs to its end before the next starts, so order is kept.
 */
class Slots {
  private readonly running = new Set<Promise<void>>();
  /** The first error of a task run in the background; the next `run` or `idle` throws it. */
  private failure: { err: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    // One slot: the task runs inline, so its error reaches the caller as before (and order is kept).
    if (this.limit <= 1) return task();
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.rethrow();
    const p: Promise<void> = task()
      .catch((err: unknown) => {
        this.failure ??= { err };
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async idle(): Promise<void> {
    await Promise.all([...this.running]);
    this.rethrow();
  }

  private rethrow(): void {
    const f = this.failure;
    this.failure = undefined;
    if (f !== undefined) throw f.err;
  }
}
