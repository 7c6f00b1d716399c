// Event source mappings, the broker EventSource: each mapping wires a RabbitMQ queue or NATS JetStream
// stream to a function, with one MappingRunner (mapping-runner.ts) per enabled mapping. Unlike
// schedules, a mapping invokes synchronously per batch (as Lambda's pollers do) and acknowledges to
// the broker only after success. Inputs are checked here, with messages naming the field, before
// anything is stored; the source's password is stored apart from the record and shown as ****.

import { randomUUID } from "node:crypto";
import { VajraError, invalid } from "../../core/errors.js";
import type { ArnScope } from "../../core/arn-scope.js";
import {
  formatSourceUri,
  parseSourceUri,
  type MappingKind,
  type MappingRecord,
  type SourceUri,
} from "../../core/event-source-mapping.js";
import type { Store } from "../../store/store.js";
import type { BrokerAdapter } from "./broker.js";
import type { EventSource, EventSourceStatus } from "./event-source.js";
import { MappingRunner, type MappingFailure, type SyncInvoke } from "./mapping-runner.js";
import { mappingFailureRecord } from "../destinations/records.js";
import { partitionOf } from "../../core/arn-scope.js";
import { mqttAdapter } from "./mqtt.js";
import { natsAdapter } from "./nats.js";
import { postgresAdapter } from "./postgres.js";
import { rabbitmqAdapter } from "./rabbitmq.js";
import { redisAdapter } from "./redis.js";
import { parseTarget } from "./schedule-input.js";
import { parseFilterPattern } from "../../core/event-filter.js";

const ADAPTERS: Record<MappingKind, BrokerAdapter> = {
  amqp: rabbitmqAdapter,
  nats: natsAdapter,
  mqtt: mqttAdapter,
  redis: redisAdapter,
  postgres: postgresAdapter,
};

/** The fields a create sets and an update may change (undefined: unchanged). */
export interface MappingInput {
  /** A function name, name:qualifier or function ARN of this region. */
  functionName?: string;
  /** The source URI, e.g. amqp://user:pass@host:5672/vhost?queue=Q or nats://host:4222?stream=S. */
  source?: string;
  enabled?: boolean;
  batchSize?: number;
  maximumBatchingWindowInSeconds?: number;
  maximumRetryAttempts?: number;
  functionResponseTypes?: string[];
  startingPosition?: "TRIM_HORIZON" | "LATEST";
  /** FilterCriteria patterns (JSON texts); an empty list removes filtering. */
  filters?: string[];
  /** DestinationConfig.OnFailure.Destination; null (or an empty text) removes it. */
  onFailure?: string | null;
  bisectBatchOnFunctionError?: boolean;
  /** -1 (no limit) or 60–604800 seconds. */
  maximumRecordAgeInSeconds?: number;
  /** ScalingConfig.MaximumConcurrency, 2–1000; null removes it. */
  maximumConcurrency?: number | null;
}

/** What mappings need of the region's destinations (engine/destinations/region-destinations.ts). */
export interface MappingDestinations {
  check(value: unknown, field: string, previous?: string): string;
  /** Durably stores a record for the destination (resolves once committed), then delivers it. */
  send(destination: string, origin: string, functionName: string, record: unknown): Promise<void>;
}

export interface MappingView extends MappingRecord {
  state: "Creating" | "Enabled" | "Disabled" | "Deleting";
  stateTransitionReason: string;
  lastProcessingResult: string;
  processed: number;
  discarded: number;
  filtered: number;
}

export interface MappingSourceOptions {
  store: Store;
  scope: ArnScope;
  invoke: SyncInvoke;
  /** Throws FunctionNotFound (or InvalidParameter for a qualifier) when the target does not exist. */
  resolve: (functionName: string, qualifier?: string) => void;
  onWarning: (message: string) => void;
  destinations?: MappingDestinations;
  /** Each batch a mapping invokes its function with (size, oldest message's age), for metrics. */
  onBatch?: (record: MappingRecord, size: number, oldestAgeMs: number) => void;
}

interface Entry {
  record: MappingRecord;
  source: SourceUri;
  runner: MappingRunner | undefined;
}

const FIELD_LIMITS = {
  batchSize: [1, 10000],
  maximumBatchingWindowInSeconds: [0, 300],
  maximumRetryAttempts: [-1, 10000],
  maximumRecordAgeInSeconds: [-1, 604800],
  maximumConcurrency: [2, 1000],
} as const;

export function mappingNotFound(uuid: string): VajraError {
  return new VajraError(
    "NotFound",
    `The resource you requested does not exist. (event source mapping ${uuid})`,
  );
}

function checkInt(field: keyof typeof FIELD_LIMITS, v: unknown): number {
  const [lo, hi] = FIELD_LIMITS[field];
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi)
    throw invalid(`${field}: ${JSON.stringify(v)} must be an integer from ${lo} to ${hi}`);
  return v;
}

export class MappingSource implements EventSource {
  readonly kind = "mapping";
  private readonly entries = new Map<string, Entry>();
  private stopped = true;

  constructor(private readonly opts: MappingSourceOptions) {}

  async start(): Promise<void> {
    for (const { record, secret } of await this.opts.store.listMappings()) {
      const source = parseSourceUri(record.source);
      if (secret !== undefined) source.password = secret;
      this.entries.set(record.uuid, { record, source, runner: undefined });
    }
    this.stopped = false;
    for (const e of this.entries.values()) this.run(e);
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) {
      void e.runner?.stop();
      e.runner = undefined;
    }
  }

  describe(): EventSourceStatus[] {
    return this.list().map((v) => ({
      kind: v.kind,
      name: v.uuid,
      state: v.state,
      functionName: v.functionName,
      ...(v.stateTransitionReason === "USER_INITIATED" ? {} : { reason: v.stateTransitionReason }),
    }));
  }

  list(functionName?: string): MappingView[] {
    return [...this.entries.values()]
      .filter((e) => functionName === undefined || e.record.functionName === functionName)
      .sort(
        (a, b) => a.record.lastModified - b.record.lastModified || a.record.uuid.localeCompare(b.record.uuid),
      )
      .map((e) => this.view(e));
  }

  get(uuid: string): MappingView {
    return this.view(this.entry(uuid));
  }

  async create(input: MappingInput): Promise<MappingView> {
    if (input.functionName === undefined) throw invalid("FunctionName is required");
    if (input.source === undefined) throw invalid("EventSourceArn is required");
    const e = this.build(undefined, input);
    await this.save(e);
    return { ...this.view(e), state: "Creating" };
  }

  async update(uuid: string, input: MappingInput): Promise<MappingView> {
    const prev = this.entry(uuid);
    if (input.source !== undefined)
      throw invalid("EventSourceArn cannot be changed; delete the mapping and create another");
    const e = this.build(prev, input);
    await prev.runner?.stop();
    prev.runner = undefined;
    await this.save(e);
    return this.view(e);
  }

  async delete(uuid: string): Promise<MappingView> {
    const e = this.entry(uuid);
    await e.runner?.stop();
    e.runner = undefined;
    await this.opts.store.deleteMapping(uuid);
    this.entries.delete(uuid);
    // Best effort: a NATS durable consumer left behind only holds a position.
    void ADAPTERS[e.record.kind].dispose(e.source, uuid).catch(() => undefined);
    return { ...this.view(e), state: "Deleting" };
  }

  private entry(uuid: string): Entry {
    const e = this.entries.get(uuid);
    if (e === undefined) throw mappingNotFound(uuid);
    return e;
  }

  private build(prev: Entry | undefined, input: MappingInput): Entry {
    const source = input.source === undefined ? (prev as Entry).source : parseSourceUri(input.source);
    let functionName = prev?.record.functionName ?? "";
    let qualifier = prev?.record.qualifier;
    if (input.functionName !== undefined) {
      const t = parseTarget(input.functionName, undefined, this.opts.scope);
      functionName = t.functionName;
      qualifier = t.qualifier;
    }
    this.opts.resolve(functionName, qualifier);
    const record: MappingRecord = {
      uuid: prev?.record.uuid ?? randomUUID(),
      functionName,
      source: formatSourceUri(source),
      kind: source.kind,
      enabled: input.enabled ?? prev?.record.enabled ?? true,
      batchSize: checkInt("batchSize", input.batchSize ?? prev?.record.batchSize ?? 100),
      maximumBatchingWindowInSeconds: checkInt(
        "maximumBatchingWindowInSeconds",
        input.maximumBatchingWindowInSeconds ?? prev?.record.maximumBatchingWindowInSeconds ?? 0,
      ),
      maximumRetryAttempts: checkInt(
        "maximumRetryAttempts",
        input.maximumRetryAttempts ?? prev?.record.maximumRetryAttempts ?? -1,
      ),
      functionResponseTypes: input.functionResponseTypes ?? prev?.record.functionResponseTypes ?? [],
      lastModified: Date.now(),
    };
    if (qualifier !== undefined) record.qualifier = qualifier;
    if (typeof input.enabled !== "boolean" && input.enabled !== undefined)
      throw invalid("enabled must be true or false");
    for (const t of record.functionResponseTypes)
      if (t !== "ReportBatchItemFailures")
        throw invalid(`functionResponseTypes: ${JSON.stringify(t)} is not ReportBatchItemFailures`);
    const filters = input.filters ?? prev?.record.filters ?? [];
    if (filters.length > 5) throw invalid("FilterCriteria.Filters: at most 5 filters");
    for (const f of filters) parseFilterPattern(f);
    if (filters.length > 0) record.filters = filters;
    this.applyFailureHandling(record, prev?.record, input);
    const sp = input.startingPosition ?? prev?.record.startingPosition;
    if (sp !== undefined) {
      if (sp !== "TRIM_HORIZON" && sp !== "LATEST")
        throw invalid(`startingPosition: ${JSON.stringify(sp)} must be TRIM_HORIZON or LATEST`);
      if (source.kind !== "nats" && source.kind !== "redis")
        throw invalid("startingPosition applies to nats:// and redis:// streams only");
      record.startingPosition = sp;
    }
    return { record, source, runner: undefined };
  }

  /** DestinationConfig, BisectBatchOnFunctionError, MaximumRecordAgeInSeconds and ScalingConfig. */
  private applyFailureHandling(
    record: MappingRecord,
    prev: MappingRecord | undefined,
    input: MappingInput,
  ): void {
    const field = "DestinationConfig.OnFailure.Destination";
    const dest = input.onFailure === undefined ? prev?.onFailure : input.onFailure;
    if (dest !== undefined && dest !== null && dest !== "") {
      if (this.opts.destinations === undefined)
        throw invalid(`${field}: destinations are not available here`);
      record.onFailure = this.opts.destinations.check(dest, field, prev?.onFailure);
    }
    const bisect = input.bisectBatchOnFunctionError ?? prev?.bisectBatchOnFunctionError;
    if (bisect !== undefined && typeof bisect !== "boolean")
      throw invalid("BisectBatchOnFunctionError must be true or false");
    if (bisect === true) record.bisectBatchOnFunctionError = true;
    const age = input.maximumRecordAgeInSeconds ?? prev?.maximumRecordAgeInSeconds;
    if (age !== undefined) {
      checkInt("maximumRecordAgeInSeconds", age);
      if (age >= 0 && age < 60)
        throw invalid(`maximumRecordAgeInSeconds: ${age} must be -1 (no limit) or from 60 to 604800`);
      if (age !== -1) record.maximumRecordAgeInSeconds = age;
    }
    const mc = input.maximumConcurrency === undefined ? prev?.maximumConcurrency : input.maximumConcurrency;
    if (mc !== undefined && mc !== null) record.maximumConcurrency = checkInt("maximumConcurrency", mc);
  }

  private async save(e: Entry): Promise<void> {
    await this.opts.store.putMapping({
      record: e.record,
      ...(e.source.password === undefined ? {} : { secret: e.source.password }),
    });
    this.entries.set(e.record.uuid, e);
    this.run(e);
  }

  private run(e: Entry): void {
    if (this.stopped || !e.record.enabled || e.runner !== undefined) return;
    e.runner = new MappingRunner({
      record: e.record,
      source: e.source,
      adapter: ADAPTERS[e.record.kind],
      invoke: this.opts.invoke,
      onWarning: this.opts.onWarning,
      ...(this.opts.onBatch === undefined
        ? {}
        : { onBatch: (n: number, age: number) => this.opts.onBatch?.(e.record, n, age) }),
      ...(e.record.onFailure === undefined ? {} : { onFailure: (f) => this.onFailure(e.record, f) }),
    });
    e.runner.start();
  }

  /** Stores the on-failure record of messages a runner gave up (AWS's shape, see records.ts). */
  private onFailure(record: MappingRecord, f: MappingFailure): Promise<void> {
    const { region, account } = this.opts.scope;
    const fnArn = `arn:${partitionOf(region)}:lambda:${region}:${account}:function:${record.functionName}`;
    const adapter = ADAPTERS[record.kind];
    const first = f.arrivals[0];
    const last = f.arrivals[f.arrivals.length - 1];
    const body = mappingFailureRecord({
      requestId: f.response?.requestId ?? randomUUID(),
      functionArn: `${fnArn}:${record.qualifier ?? "$LATEST"}`,
      mappingArn: `arn:${partitionOf(region)}:lambda:${region}:${account}:event-source-mapping:${record.uuid}`,
      condition: f.condition,
      approximateInvokeCount: f.attempts,
      batch: {
        eventSourceArn: record.source,
        kind: record.kind,
        batchSize: f.messages.length,
        messageIds: f.messages.map((m, i) => adapter.itemId(m, i)),
        ...(first === undefined ? {} : { approximateArrivalOfFirstRecord: new Date(first).toISOString() }),
        ...(last === undefined ? {} : { approximateArrivalOfLastRecord: new Date(last).toISOString() }),
      },
      payload: f.event,
      ...(f.response === undefined
        ? {}
        : {
            response: {
              ok: f.response.ok,
              body: f.response.body,
              version: f.response.version ?? record.qualifier ?? "$LATEST",
            },
          }),
    });
    const dest = record.onFailure ?? "";
    // Checked when the mapping was saved; without destinations the runner has no onFailure at all.
    const destinations = this.opts.destinations as MappingDestinations;
    return destinations.send(dest, `mapping ${record.uuid}`, record.functionName, body);
  }

  private view(e: Entry): MappingView {
    const s = e.runner?.status;
    return {
      ...e.record,
      state: e.record.enabled ? "Enabled" : "Disabled",
      stateTransitionReason: s?.stateTransitionReason ?? "USER_INITIATED",
      lastProcessingResult: s?.lastProcessingResult ?? "No records processed",
      processed: s?.processed ?? 0,
      discarded: s?.discarded ?? 0,
      filtered: s?.filtered ?? 0,
    };
  }
}
