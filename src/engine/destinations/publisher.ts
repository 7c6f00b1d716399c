// One interface for every kind of destination a record can be sent to (a broker subject, exchange,
// topic or stream, or a webhook), each implemented in its own file with its maintained client. A
// publisher keeps one connection per destination URI and drops it after any error, so the outbox's
// next attempt reconnects: a broker that was down is used again once it is back.

import type { DestinationKind } from "../../core/destination.js";
import { maskDestination } from "../../core/destination.js";

export interface DestinationPublisher {
  readonly kind: Exclude<DestinationKind, "function">;
  /** Sends one message; resolves once the target accepted it (a flush, a confirm, a 2xx). Throws else. */
  publish(uri: string, body: Buffer): Promise<void>;
  /** Closes every connection it holds. */
  close(): Promise<void>;
}

/** How long one publish may take before it counts as failed (and is retried later). */
export const PUBLISH_TIMEOUT_MS = 10_000;

/** Rejects after `ms` with a message naming the destination (masked); the timer is always cleared. */
export async function withTimeout<T>(uri: string, work: Promise<T>, ms = PUBLISH_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from ${maskDestination(uri)} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A cache of one open connection per key, shared by the publishers: `open` makes one, `drop` forgets
 * (and closes) it after an error so the next publish opens a fresh one.
 */
export class ConnectionCache<C> {
  private readonly open = new Map<string, Promise<C>>();

  constructor(private readonly closeOne: (c: C) => Promise<void>) {}

  get(key: string, make: () => Promise<C>): Promise<C> {
    let c = this.open.get(key);
    if (c === undefined) {
      c = make();
      this.open.set(key, c);
      // A failed connect is forgotten at once: the next attempt tries again.
      c.catch(() => {
        if (this.open.get(key) === c) this.open.delete(key);
      });
    }
    return c;
  }

  async drop(key: string): Promise<void> {
    const c = this.open.get(key);
    this.open.delete(key);
    if (c !== undefined) await c.then(this.closeOne).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((k) => this.drop(k)));
  }
}
