// A region's destinations, wired in one place so region.ts only calls it: checks destination inputs
// (event invoke config, DeadLetterConfig, mapping DestinationConfig), turns the end of a queued Event
// invocation into its records (OnSuccess / OnFailure records, the dead-letter message), keeps the
// outbox that delivers them, and sends each to its target: another function of the region (queued as
// an Event invocation, so it is durable in turn) or a broker / webhook through its publisher.

import { randomUUID } from "node:crypto";
import { withArnScope, partitionOf, type ArnScope } from "../../core/arn-scope.js";
import { invalid, isVajraError } from "../../core/errors.js";
import {
  maskDestination,
  parseDestination,
  type DestinationKind,
  type PendingDelivery,
} from "../../core/destination.js";
import type { FunctionConfig, QueuedInvocation } from "../../core/types.js";
import type { Store } from "../../store/store.js";
import type { Settlement } from "../async-queue.js";
import { AmqpPublisher } from "./amqp-publisher.js";
import { HttpPublisher } from "./http-publisher.js";
import { MqttPublisher } from "./mqtt-publisher.js";
import { NatsPublisher } from "./nats-publisher.js";
import { DestinationOutbox, PermanentDeliveryError, type OutboxStats } from "./outbox.js";
import type { DestinationPublisher } from "./publisher.js";
import { RedisPublisher } from "./redis-publisher.js";
import { invocationRecord } from "./records.js";
import type { VajraMetrics } from "../metrics.js";

export interface RegionDestinationsOptions {
  store: Store;
  scope: ArnScope;
  functions: ReadonlyMap<string, FunctionConfig>;
  /** Throws FunctionNotFound (or InvalidParameter for a bad qualifier) when the function does not exist. */
  resolve: (functionName: string, qualifier?: string) => void;
  /** Queues an Event invocation (a function destination). */
  invokeAsync: (functionName: string, payload: Buffer, qualifier?: string) => Promise<string>;
  /** Retry timing of deliveries (tests shorten it); defaults: 1 s doubling to 5 min, give up after 24 h. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  giveUpAfterMs?: number;
  /** The host's logging and (when on) Prometheus metrics (vajra_destination_records_total). */
  host: { onWarning: (message: string) => void; onError: (err: unknown) => void; metrics?: VajraMetrics };
}

export class RegionDestinations {
  readonly outbox: DestinationOutbox;
  private readonly publishers: Record<Exclude<DestinationKind, "function">, DestinationPublisher> = {
    nats: new NatsPublisher(),
    amqp: new AmqpPublisher(),
    mqtt: new MqttPublisher(),
    redis: new RedisPublisher(),
    http: new HttpPublisher(),
  };

  constructor(private readonly opts: RegionDestinationsOptions) {
    this.outbox = new DestinationOutbox(opts.store, {
      deliver: (d) => this.deliver(d),
      // VAJRA_DESTINATION_RETRY_BASE_MS shortens the first retry (tests), as VAJRA_ASYNC_RETRY_BASE_MS does.
      baseDelayMs: opts.retryBaseMs ?? Number(process.env.VAJRA_DESTINATION_RETRY_BASE_MS ?? 1000),
      maxDelayMs: opts.retryMaxMs ?? 300_000,
      giveUpAfterMs: opts.giveUpAfterMs ?? 24 * 3600_000,
      maxInFlight: 16,
      onWarning: opts.host.onWarning,
      onError: opts.host.onError,
      onResult: (d, result) =>
        opts.host.metrics?.destinationResult(opts.scope.region, d.functionName, result),
    });
  }

  /**
   * Checks a destination input (`field` names the request member): its form, and for a function that it
   * exists in this region and account. Resolves the text to store (`previous` when `value` is its masked
   * form). Throws InvalidParameter naming `field`.
   */
  check(value: unknown, field: string, previous?: string): string {
    // A client that read the configuration back sends the masked URI: it means the stored one.
    if (previous !== undefined && value === maskDestination(previous)) return previous;
    const d = parseDestination(value, field);
    if (d.kind === "function") {
      const { region, account } = this.opts.scope;
      if (d.region !== region || d.account !== account)
        throw invalid(
          `${field}: ${d.shown} is in ${d.region ?? ""}/${d.account ?? ""}; a function destination must be in this region and account (${region}/${account})`,
          { field },
        );
      try {
        this.opts.resolve(d.functionName ?? "", d.qualifier);
      } catch (err) {
        if (isVajraError(err) && (err.code === "FunctionNotFound" || err.code === "InvalidParameter"))
          throw invalid(`${field}: the destination function does not exist: ${err.message}`, { field });
        throw err;
      }
    }
    return d.uri;
  }

  /** A deploy's input with its DeadLetterConfig target checked (`existing`: the function before it). */
  checkDeadLetter<T extends { deadLetterTarget?: string | null }>(input: T, existing?: FunctionConfig): T {
    if (typeof input.deadLetterTarget !== "string") return input;
    const field = "DeadLetterConfig.TargetArn";
    return {
      ...input,
      deadLetterTarget: this.check(input.deadLetterTarget, field, existing?.deadLetterTarget),
    };
  }

  /** The records an Event invocation's end produces, from the function's current configuration. */
  settle(item: QueuedInvocation, s: Settlement): PendingDelivery[] {
    const fn = this.opts.functions.get(item.functionName);
    if (fn === undefined) return [];
    const payload = Buffer.from(item.payload, "base64");
    const out: PendingDelivery[] = [];
    const add = (destination: string, origin: string, body: Buffer | string): void => {
      const now = Date.now();
      out.push({
        id: randomUUID(),
        destination,
        body: Buffer.isBuffer(body) ? body.toString("base64") : Buffer.from(body).toString("base64"),
        origin,
        functionName: item.functionName,
        attempts: 0,
        createdAt: now,
        notBefore: now,
      });
    };
    const c = fn.eventInvokeConfig;
    const target = s.condition === "Success" ? c?.onSuccess : c?.onFailure;
    if (target !== undefined) {
      const record = invocationRecord({
        requestId: item.requestId,
        functionArn: this.qualifiedArn(item.functionName, item.qualifier),
        condition: s.condition,
        approximateInvokeCount: s.invokeCount,
        requestPayload: payload,
        ...(s.result === undefined ? {} : { response: s.result }),
      });
      add(target, s.condition === "Success" ? "OnSuccess" : "OnFailure", JSON.stringify(record));
    }
    // As Lambda sends to an SQS/SNS dead-letter queue: the event itself, nothing about the response.
    if (s.condition !== "Success" && fn.deadLetterTarget !== undefined)
      add(fn.deadLetterTarget, "DeadLetter", payload);
    return out;
  }

  /** Commits a record for `destination` to the outbox, then delivers it (mappings' on-failure records). */
  async send(destination: string, origin: string, functionName: string, record: unknown): Promise<void> {
    const now = Date.now();
    await this.outbox.add([
      {
        id: randomUUID(),
        destination,
        body: Buffer.from(JSON.stringify(record)).toString("base64"),
        origin,
        functionName,
        attempts: 0,
        createdAt: now,
        notBefore: now,
      },
    ]);
  }

  stats(): OutboxStats {
    return this.outbox.stats();
  }

  start(): Promise<void> {
    return this.outbox.start();
  }

  async stop(): Promise<void> {
    await this.outbox.stop();
    await Promise.all(Object.values(this.publishers).map((p) => p.close().catch(() => undefined)));
  }

  private qualifiedArn(name: string, qualifier: string | undefined): string {
    const { region, account } = this.opts.scope;
    return `arn:${partitionOf(region)}:lambda:${region}:${account}:function:${name}:${qualifier ?? "$LATEST"}`;
  }

  private async deliver(d: PendingDelivery): Promise<void> {
    const target = parseDestination(d.destination, "destination");
    const body = Buffer.from(d.body, "base64");
    if (target.kind === "function") {
      try {
        await withArnScope(this.opts.scope, () =>
          this.opts.invokeAsync(target.functionName ?? "", body, target.qualifier),
        );
      } catch (err) {
        // A deleted destination function or a record over the Event payload limit will not get better.
        if (
          isVajraError(err) &&
          ["FunctionNotFound", "PayloadTooLarge", "InvalidParameter"].includes(err.code)
        )
          throw new PermanentDeliveryError(err.message, { cause: err });
        throw err;
      }
      return;
    }
    try {
      await this.publishers[target.kind].publish(target.uri, body);
    } catch (err) {
      // Client errors may echo the URI: mask it before the message is stored or logged.
      // The outbox keeps only the (masked) message of this error, never its cause.
      throw new Error(maskDestination(err instanceof Error ? err.message : String(err)), { cause: err });
    }
  }
}
