// Runs one event source mapping against its broker, the same way for every broker: connect, take a
// batch (BatchSize, MaximumBatchingWindowInSeconds), invoke the function synchronously with it, and
// acknowledge each message only after the function succeeded for it (at-least-once). Failed messages
// are retried before any later message is taken, so order is kept per queue/stream; with
// ReportBatchItemFailures only the items the function names are retried. A lost broker is retried with
// backoff and the mapping's StateTransitionReason says why until it is back.

import { matchesPattern, parseFilterPattern, type FilterPattern } from "../../core/event-filter.js";
import { maskUri, type MappingRecord, type SourceUri } from "../../core/event-source-mapping.js";
import { LIMITS } from "../../core/limits.js";
import type { BrokerAdapter, BrokerConsumer, BrokerMessage } from "./broker.js";

/** What the runner needs from the region: a synchronous (RequestResponse) invocation. */
export type SyncInvoke = (
  functionName: string,
  qualifier: string | undefined,
  payload: Buffer,
) => Promise<{ ok: boolean; body: Buffer }>;

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
      try {
        while (!signal.aborted) {
          const batch = await consumer.next(
            this.opts.record.batchSize,
            this.opts.record.maximumBatchingWindowInSeconds * 1000,
            signal,
          );
          for (const part of this.fit(batch)) await this.process(consumer, part, signal);
        }
      } catch (err) {
        if (!this.stopped) this.problem(err);
      }
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
    const r = this.opts.record;
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
    for (let attempt = 0; pending.length > 0 && !signal.aborted; attempt++) {
      const failed = await this.invoke(pending);
      const done = pending.filter((m) => !failed.has(m));
      await ackAll(consumer, done);
      this.status.processed += done.length;
      if (failed.size === 0) {
        this.status.lastProcessingResult = "OK";
        return;
      }
      this.status.lastProcessingResult = "PROBLEM: Function call failed";
      pending = pending.filter((m) => failed.has(m));
      if (r.maximumRetryAttempts >= 0 && attempt >= r.maximumRetryAttempts) {
        for (const m of pending) await consumer.reject(m);
        this.status.discarded += pending.length;
        this.opts.onWarning(
          `event source mapping ${r.uuid}: gave up ${pending.length} message(s) after ${attempt + 1} attempt(s)`,
        );
        return;
      }
      await this.sleep(this.backoff(attempt), signal);
    }
  }

  /** The messages of `batch` that failed: all when the invocation failed, else those the function named. */
  private async invoke(batch: BrokerMessage[]): Promise<Set<BrokerMessage>> {
    const { adapter, record: r } = this.opts;
    const payload = Buffer.from(JSON.stringify(adapter.event(r.source, this.opts.source, batch)));
    let outcome: { ok: boolean; body: Buffer };
    try {
      outcome = await this.opts.invoke(r.functionName, r.qualifier, payload);
    } catch (err) {
      this.opts.onWarning(
        `event source mapping ${r.uuid}: invoking ${r.functionName} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      return new Set(batch);
    }
    if (!outcome.ok) return new Set(batch);
    if (!r.functionResponseTypes.includes("ReportBatchItemFailures")) return new Set();
    return this.reportedFailures(batch, outcome.body);
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
