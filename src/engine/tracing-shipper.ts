// Hands sampled invocations' records from the event loop to the span export thread (tracing-worker.ts):
// batched (one postMessage per batch, not per invocation), bounded (when the thread falls behind, records
// are dropped and counted rather than queued without limit), and with a shutdown that waits a bounded
// time for the final export — a collector that refuses connections or never answers must not keep the
// server from exiting on the first SIGTERM (the thread, and its sockets, are terminated after the grace).

import type { Worker } from "node:worker_threads";
import { moduleWorker } from "../store/module-worker.js";
import type {
  FromSpanThread,
  InvocationSpanRecord,
  SpanThreadConfig,
  ToSpanThread,
} from "./tracing-record.js";

/** A batch waits at most this long on the event loop before it is posted (the thread batches again). */
const FLUSH_MS = 50;
/** Records per posted batch. */
const MAX_BATCH = 256;
/** Batches posted and not yet recorded by the thread; beyond this, records are dropped. */
const MAX_UNACKNOWLEDGED = 64;
/** How long shutdown waits for the thread's final export (the collector's answer) before stopping it. */
const SHUTDOWN_GRACE_MS = 3000;
/** How long starting waits for the thread to load the SDK. */
const START_TIMEOUT_MS = 30_000;

export interface SpanShipperOptions extends SpanThreadConfig {
  onWarning?: (message: string) => void;
  shutdownGraceMs?: number;
}

export class SpanShipper {
  private buffer: InvocationSpanRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private unacknowledged = 0;
  private dropped = 0;
  private recordFailed = false;
  private dead: string | undefined;
  private onClosed: ((error: string | undefined) => void) | undefined;
  private closing: Promise<void> | undefined;
  private readonly flushNow = (): void => this.flush();

  private constructor(
    private readonly worker: Worker,
    private readonly o: SpanShipperOptions,
  ) {}

  /** Starts the thread and waits until it has loaded the SDK (a broken install fails the server's start). */
  static async start(o: SpanShipperOptions): Promise<SpanShipper> {
    const config: SpanThreadConfig = { url: o.url, serviceName: o.serviceName };
    const worker = moduleWorker(import.meta.url, "tracing-worker", config);
    // The thread never keeps the process alive: shutdown() ends it, and a process exiting drops it.
    worker.unref();
    const shipper = new SpanShipper(worker, o);
    await new Promise<void>((resolve, reject) => {
      const settle = (err?: Error): void => {
        clearTimeout(timer);
        worker.off("message", ready).off("error", settle).off("exit", exited);
        if (err === undefined) resolve();
        else reject(err);
      };
      const ready = (m: FromSpanThread): void => {
        if (m.type === "ready") settle();
      };
      const exited = (code: number): void =>
        settle(new Error(`the span export thread exited (code ${code})`));
      const timer = setTimeout(
        () => settle(new Error(`the span export thread did not start within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      worker.on("message", ready).on("error", settle).on("exit", exited);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    shipper.listen();
    return shipper;
  }

  private listen(): void {
    this.worker.on("message", (m: FromSpanThread) => {
      if (m.type === "recorded") this.acknowledged(m.error);
      else if (m.type === "closed") this.onClosed?.(m.error);
    });
    this.worker.on("error", (err) => this.died(err.message));
    this.worker.on("exit", (code) => this.died(`it exited (code ${code})`));
  }

  /** One sampled invocation; O(1) on the event loop. */
  add(r: InvocationSpanRecord): void {
    if (this.dead !== undefined || this.closing !== undefined) return;
    if (this.unacknowledged >= MAX_UNACKNOWLEDGED) {
      if (this.dropped++ === 0)
        this.warn("tracing: the span export thread is behind; spans are dropped until it catches up");
      return;
    }
    this.buffer.push(r);
    if (this.buffer.length >= MAX_BATCH) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(this.flushNow, FLUSH_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffer.length === 0 || this.dead !== undefined) return;
    const records = this.buffer;
    this.buffer = [];
    this.unacknowledged++;
    this.worker.postMessage({ type: "spans", records } satisfies ToSpanThread);
  }

  private acknowledged(error: string | undefined): void {
    this.unacknowledged--;
    if (error !== undefined && !this.recordFailed) {
      this.recordFailed = true;
      this.warn(`tracing: a span could not be recorded (reported once): ${error}`);
    }
    if (this.dropped > 0 && this.unacknowledged <= MAX_UNACKNOWLEDGED / 2) {
      this.warn(
        `tracing: dropped the spans of ${this.dropped} invocation(s) while the export thread was behind`,
      );
      this.dropped = 0;
    }
  }

  private died(why: string): void {
    if (this.dead !== undefined) return;
    this.dead = why;
    this.buffer = [];
    this.onClosed?.(`the span export thread stopped: ${why}`);
    if (this.closing === undefined)
      this.warn(`tracing: the span export thread stopped (${why}); tracing is off`);
  }

  private warn(message: string): void {
    this.o.onWarning?.(message);
  }

  /** Exports what is buffered, waiting at most the grace period for the collector, then stops the thread. */
  shutdown(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    this.flush();
    if (this.dead === undefined) {
      const grace = this.o.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
      let timer: NodeJS.Timeout | undefined;
      const outcome = await new Promise<{ error?: string; timedOut?: true }>((resolve) => {
        this.onClosed = (error) => resolve(error === undefined ? {} : { error });
        timer = setTimeout(() => resolve({ timedOut: true }), grace);
        this.worker.postMessage({ type: "shutdown" } satisfies ToSpanThread);
      });
      clearTimeout(timer);
      if (outcome.timedOut === true)
        this.warn(`tracing: the collector did not take the last spans within ${grace} ms; they are dropped`);
      else if (outcome.error !== undefined)
        this.warn(`tracing: the last spans were not exported: ${outcome.error}`);
    }
    this.dead ??= "shut down";
    await this.worker.terminate();
  }
}
