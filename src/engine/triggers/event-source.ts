// The one interface every trigger implements (schedules today; broker mappings, storage events and
// routes later), so the Region starts and stops its sources without knowing them and a new source is
// one file. A source turns outside events into Event invocations through the same durable queue as
// `InvocationType: Event`, so every fire inherits its retries, maximum age and destinations.

import type { QueuedInvocation } from "../../core/types.js";

/** Where a source hands its events: the region's asynchronous invocation entry point. */
export interface AsyncInvokeSink {
  /**
   * Queues one Event invocation of `functionName[:qualifier]`. `commit` writes the queued invocation
   * durably together with the source's own bookkeeping (one transaction: a schedule's last due time, a
   * broker offset); when it resolves false nothing was queued and this resolves undefined. Throws
   * FunctionNotFound (or InvalidParameter for a bad qualifier) before anything is written.
   */
  invokeAsync(
    functionName: string,
    payload: Buffer,
    qualifier: string | undefined,
    commit: (item: QueuedInvocation) => Promise<boolean>,
  ): Promise<string | undefined>;
}

/** What a source reports about one of its triggers (for `vajra trigger list`-style listings). */
export interface EventSourceStatus {
  kind: string;
  name: string;
  /** ENABLED, DISABLED, or a source-specific state such as a broker's connection failure. */
  state: string;
  functionName: string;
  /** Why it is not delivering, when it is not. */
  reason?: string;
}

export interface EventSource {
  /** `schedule`, later `amqp`, `nats`, `mqtt`, `redis`, `postgres`, `directory`... */
  readonly kind: string;
  /** Loads what the store holds and begins delivering (after the region's functions are loaded). */
  start(): Promise<void>;
  /** Stops delivering at once (timers cleared, connections closed); what is queued stays queued. */
  stop(): void;
  describe(): EventSourceStatus[];
}
