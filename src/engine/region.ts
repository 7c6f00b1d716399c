// One region's functions: deploy (atomic), route, admit, invoke, record, delete. As on AWS, a region's
// functions, versions, aliases, layers, concurrency and queued events are its own (the same name may
// exist in two regions); the Platform holds one Region per region it has seen and shares the host's
// executor, code blobs and builder between them. Function configuration is served from memory; the
// store is the source of truth and every change goes through it first.

import { VajraError, invalid } from "../core/errors.js";
import { withArnScope, type ArnScope } from "../core/arn-scope.js";
import { functionArn } from "../core/lambda-format.js";
import { policyAllows } from "../core/policy.js";
import { LATEST, parseQualifier } from "../core/routing.js";
import type {
  Alias,
  BuildRecord,
  FunctionConfig,
  FunctionVersion,
  InvocationRecord,
  NetworkMode,
  QueuedInvocation,
} from "../core/types.js";
import type { BlobStore } from "../blobs/code-package.js";
import type { Executor } from "../executor/executor.js";
import type { SessionCredentials } from "./credentials.js";
import type { RoleCatalog } from "./roles.js";
import { FunctionRoles } from "./function-roles.js";
import type { RuntimeInfo } from "../executor/runtime-discovery.js";
import type { Store } from "../store/store.js";
import { ConcurrencyGate } from "./concurrency.js";
import { deployFunction, type DeployInput, type DeployOptions, type DeployResult } from "./deploy.js";
import { AsyncQueue } from "./async-queue.js";
import type { PackageBuilder } from "./builds.js";
import { EMPTY_EVENT, functionId, poolKey } from "./execution-spec.js";
import { FunctionSettings } from "./function-settings.js";
import { LayerCatalog } from "./layers.js";
import type { InvokeOptions, InvokeOutcome } from "./platform-types.js";
import { Provisioning, type ProvisionedView } from "./provisioning.js";
import { VersionCatalog, type AliasInput } from "./versions.js";
import type { RecordWriter } from "./record-writer.js";
import { Invoker } from "./invoker.js";
import { FunctionLogs, type LogBus } from "./logs.js";
import { queuedTraceOptions, type FaasTrigger, type Tracing } from "./tracing.js";
import type { TraceContext } from "../core/trace-context.js";
import { dropReason, type FunctionGauges, type VajraMetrics } from "./metrics.js";
import { CostLedger } from "./cost/ledger.js";
import type { Budgets } from "./cost/budgets.js";
import { regionBudgets } from "./cost/region-budgets.js";
import type { MetricPoint, MetricsRange } from "../core/metric-series.js";
import type { EventSource } from "./triggers/event-source.js";
import type { ScheduleSource } from "./triggers/schedules.js";
import type { MappingSource } from "./triggers/mappings.js";
import type { StorageTriggerSource } from "./triggers/storage.js";
import { RegionDestinations } from "./destinations/region-destinations.js";
import { regionSources } from "./region-sources.js";

/** What every region shares: the host's executor, code and builder. */
export interface RegionShared {
  dataDir: string;
  blobs: BlobStore;
  executor: Executor;
  runtimes: ReadonlyMap<string, RuntimeInfo>;
  builder: PackageBuilder;
  /** Code of deploys in progress (kept by blob collection until their commit). */
  pendingDigests: Set<string>;
  account: string;
  accountConcurrency: number;
  /** The network of a function created without one. */
  defaultNetwork: NetworkMode;
  /** Checks a function's `network` value against the named networks that exist. */
  checkNetwork: (value: unknown) => string;
  asyncRetryBaseMs: number;
  /** Execution roles (per account, shared by every region) and the instances' session credentials. */
  roles: RoleCatalog;
  credentials: SessionCredentials;
  /** Code every region's functions, versions and layers still need. */
  liveDigests: () => Set<string>;
  /** Prometheus metrics; absent when metrics are off (VAJRA_METRICS=off). */
  metrics?: VajraMetrics;
  logBus: LogBus;
  /** OpenTelemetry spans; absent unless an OTLP endpoint is configured. */
  tracing?: Tracing;
  onWarning: (message: string) => void;
  onError: (err: unknown) => void;
}

export class Region {
  readonly scope: ArnScope;
  private readonly functions = new Map<string, FunctionConfig>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private closing = false;
  private readonly queue: AsyncQueue;
  private readonly catalog: VersionCatalog;
  /** Lambda layers: published, listed and merged into /opt (the API calls it directly). */
  readonly layers: LayerCatalog;
  /** Metadata settings (tags, event invoke config, function URL, resource policy): no restart needed. */
  readonly settings: FunctionSettings;
  private readonly provisioning: Provisioning;
  /** Lambda's concurrency quota is per account and region. */
  private readonly gate: ConcurrencyGate;
  private readonly records: RecordWriter;
  private readonly invoker: Invoker;
  readonly logEvents: FunctionLogs;
  private readonly metrics: VajraMetrics | undefined;
  /** Metered usage priced: cost reports, metering records, spend for budgets. */
  readonly cost: CostLedger;
  /** Monthly budgets: alerts, and the throttle `invoke()` checks before admission. */
  readonly budgets: Budgets;
  private readonly runtimes: ReadonlyMap<string, RuntimeInfo>;
  private readonly blobs: BlobStore;
  private readonly executor: Executor;
  /** Schedules that fire this region's functions (an EventSource, as later triggers will be). */
  readonly schedules: ScheduleSource;
  /** Event source mappings: broker queues and streams invoking functions synchronously per batch. */
  readonly mappings: MappingSource;
  /** Directory and S3 webhook triggers: S3 event notifications as Event invocations. */
  readonly storage: StorageTriggerSource;
  private readonly sources: EventSource[];
  /** Destinations and dead-letter targets of Event invocations and mappings, with their outbox. */
  readonly destinations: RegionDestinations;
  /** The roles functions run as and their instances' credentials. */
  readonly roles: FunctionRoles;

  constructor(
    readonly name: string,
    private readonly store: Store,
    private readonly shared: RegionShared,
  ) {
    this.scope = { region: name, account: shared.account };
    this.runtimes = shared.runtimes;
    this.blobs = shared.blobs;
    this.executor = shared.executor;
    this.gate = new ConcurrencyGate(shared.accountConcurrency);
    this.logEvents = new FunctionLogs({
      region: name,
      store: store.logs,
      bus: shared.logBus,
      flush: () => this.records.flush(),
      checkFunction: (n) => void this.getFunction(n),
      aliasVersion: (n, a) => this.catalog.getAlias(n, a).functionVersion,
      listFunctions: () => this.listFunctions(),
    });
    this.metrics = shared.metrics;
    this.catalog = new VersionCatalog(store);
    this.roles = new FunctionRoles({
      scope: this.scope,
      roles: shared.roles,
      credentials: shared.credentials,
      functions: this.functions,
      catalog: this.catalog,
      retire: (fname) => this.executor.retire(this.id(fname)),
    });
    this.layers = new LayerCatalog(store, shared.blobs, shared.dataDir);
    this.invoker = new Invoker({
      ...{ scope: this.scope, store, shared, gate: this.gate, catalog: this.catalog },
      ...{ layers: this.layers, roles: this.roles, getFunction: (f) => this.getFunction(f) },
      admit: (f) => this.budgets.admit(f),
      closing: () => this.closing,
      provisioned: () => this.provisioning.capacity(),
    });
    this.records = this.invoker.records;
    this.cost = new CostLedger({
      ...{ usage: store.usage, meter: this.invoker.meter, functionExists: (n) => this.functions.has(n) },
      ephemeralMb: (n) => this.functions.get(n)?.ephemeralStorage,
      flushRecords: () => this.records.flush(),
    });
    this.budgets = regionBudgets(store, this.cost, this.functions, shared, (f, p, q) =>
      this.queue.enqueue(f, p, q),
    );
    this.provisioning = new Provisioning({
      region: name,
      store,
      functions: this.functions,
      executor: shared.executor,
      catalog: this.catalog,
      runtimes: shared.runtimes,
      blobs: shared.blobs,
      gate: this.gate,
      getFunction: (fname) => this.getFunction(fname),
      resolveFunction: (fname, qualifier) => this.resolveFunction(fname, qualifier),
      serialize: (fname, fn) => this.serialize(fname, fn),
      optDir: (fn) => this.layers.optDir(fn.layers),
      credentials: (fn, version) => this.roles.credentialsFor(fn, version),
    });
    this.settings = new FunctionSettings({
      store,
      functions: this.functions,
      getFunction: (fname) => this.getFunction(fname),
      serialize: (fname, fn) => this.serialize(fname, fn),
      checkDestination: (v, field, prev) => this.destinations.check(v, field, prev),
    });
    this.destinations = new RegionDestinations({
      ...{ store, scope: this.scope, functions: this.functions, host: shared },
      resolve: (f, q) => void this.resolveFunction(f, q),
      invokeAsync: (f, payload, q) => this.invokeAsync(f, payload, q),
    });
    this.queue = new AsyncQueue(store, {
      // Queued work runs outside any request: its ARNs are its region's.
      run: (item) =>
        withArnScope(this.scope, () =>
          this.invoke(item.functionName, Buffer.from(item.payload, "base64"), {
            requestId: item.requestId,
            attempt: item.attempts,
            ...(item.qualifier === undefined ? {} : { qualifier: item.qualifier }),
            ...queuedTraceOptions(item),
          }),
        ),
      settle: (item, s) => this.destinations.settle(item, s),
      onSettled: (deliveries) => this.destinations.outbox.accept(deliveries),
      retryBaseMs: shared.asyncRetryBaseMs,
      policy: (functionName) => {
        const c = this.functions.get(functionName)?.eventInvokeConfig;
        return {
          maxRetries: c?.maximumRetryAttempts ?? 2,
          maxAgeMs: (c?.maximumEventAgeInSeconds ?? 21600) * 1000,
        };
      },
      maxInFlight: Math.max(1, Math.floor(this.gate.accountLimit / 10)),
      onDrop: (item, why) => {
        this.metrics?.eventDropped(this.name, item.functionName, dropReason(why));
        shared.onWarning(`dropped Event invocation ${item.requestId} of ${item.functionName}: ${why}`);
      },
      onError: shared.onError,
    });
    const sources = regionSources({
      name,
      store,
      scope: this.scope,
      dataDir: shared.dataDir,
      destinations: this.destinations,
      metrics: this.metrics,
      enqueue: (fname, payload, qualifier, commit, trigger) =>
        this.enqueueEvent(fname, payload, qualifier, commit, trigger),
      // Batches run outside any request: errors name ARNs of this region.
      invoke: (fname, payload, opts) => withArnScope(this.scope, () => this.invoke(fname, payload, opts)),
      resolve: (fname, qualifier) => void this.resolveFunction(fname, qualifier),
      onWarning: shared.onWarning,
      onError: shared.onError,
    });
    this.schedules = sources.schedules;
    this.storage = sources.storage;
    this.mappings = sources.mappings;
    this.sources = sources.all;
  }

  /** Loads the region's functions, versions and layers; starts its provisioned pools and queued events. */
  async load(): Promise<void> {
    await this.catalog.load();
    await this.layers.load();
    for (const fn of await this.store.listFunctions()) {
      this.functions.set(fn.name, fn);
      this.gate.setReservation(fn.name, fn.reservedConcurrency);
    }
  }

  /** Starts provisioned concurrency and the queue of Event invocations (after every region is loaded). */
  async start(): Promise<void> {
    for (const name of this.functions.keys()) this.provisioning.apply(name);
    await this.queue.start();
    for (const source of this.sources) await source.start();
    await this.destinations.start();
    await this.budgets.start();
    void this.invoker.series?.prune();
  }

  /** Code this region's functions, versions and layers use. */
  digests(): Set<string> {
    const keep = this.catalog.digests();
    for (const d of this.layers.digests()) keep.add(d);
    for (const f of this.functions.values()) {
      keep.add(f.codeSha256);
      for (const l of f.layers ?? []) keep.add(l.codeSha256);
    }
    return keep;
  }

  /** Keys of the build records the region's functions and versions were built by. */
  buildKeys(): Set<string> {
    const builds = new Set<string>();
    for (const f of [...this.functions.values(), ...this.catalog.configs()])
      if (f.build !== undefined) builds.add(f.build.key);
    return builds;
  }

  get inFlight(): number {
    return this.invoker.inFlight;
  }

  private id(name: string): string {
    return functionId(this.name, name);
  }

  /** The log of the build that made the function's (or a version's) package; undefined if it was not built. */
  async buildRecord(name: string, qualifier?: string): Promise<BuildRecord | undefined> {
    const { config } = this.resolveFunction(name, qualifier);
    return config.build === undefined ? undefined : this.shared.builder.record(config.build.key);
  }

  /** Runs `fn` after any other change to the same function has finished. */
  private serialize<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(name) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(name, tail);
    void tail.then(() => {
      if (this.locks.get(name) === tail) this.locks.delete(name);
    });
    return next;
  }

  /** Creates or updates a function. Atomic: the store commit is the single switch-over point. */
  deploy(input: DeployInput, opts: DeployOptions = {}): Promise<DeployResult> {
    if (typeof input.name !== "string") throw invalid("name is required");
    if (input.role !== undefined)
      input = { ...input, role: this.shared.roles.resolveForFunction(input.role, this.scope.account, true) };
    input = this.destinations.checkDeadLetter(input, this.functions.get(input.name));
    return this.serialize(input.name, async () => {
      const result = await deployFunction(
        {
          blobs: this.blobs,
          runtimes: this.runtimes,
          gate: this.gate,
          pendingDigests: this.shared.pendingDigests,
          resolveLayers: (arns) => this.layers.resolve(arns),
          builder: this.shared.builder,
          defaultNetwork: this.shared.defaultNetwork,
          checkNetwork: this.shared.checkNetwork,
        },
        this.functions.get(input.name),
        input,
        opts,
      );
      await this.store.putFunction(result.config);
      this.shared.pendingDigests.delete(result.config.codeSha256);
      this.functions.set(result.config.name, result.config);
      this.gate.setReservation(result.config.name, result.config.reservedConcurrency);
      this.executor.retire(this.id(result.config.name), {
        version: LATEST,
        exceptPoolKey: poolKey(this.name, result.config),
      });
      return result;
    });
  }

  getFunction(name: string): FunctionConfig {
    const fn = this.functions.get(name);
    if (fn === undefined)
      throw new VajraError("FunctionNotFound", `Function not found: ${functionArn(name)}`);
    return fn;
  }

  listFunctions(): FunctionConfig[] {
    return [...this.functions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  instanceCounts(name: string): { idle: number; busy: number } {
    this.getFunction(name);
    return this.executor.instanceCounts(this.id(name));
  }

  /** Deletes the function with all its versions and aliases, or (with a version number) one version. */
  deleteFunction(name: string, version?: string): Promise<void> {
    return this.serialize(name, async () => {
      this.getFunction(name);
      if (version !== undefined && version !== LATEST) {
        await this.catalog.deleteVersion(name, version);
        this.applyProvisioning(name);
        this.executor.retire(this.id(name), { version });
      } else {
        await this.records.flush();
        await this.store.deleteFunction(name);
        this.functions.delete(name);
        this.catalog.forget(name);
        this.invoker.forget(name);
        this.gate.setReservation(name, null);
        this.executor.retire(this.id(name));
      }
      await this.blobs.gc(this.shared.liveDigests());
    });
  }

  /** Whether another account may perform `action` on the function under its resource policy. */
  policyAllows(name: string, account: string, action: string): boolean {
    return policyAllows(this.functions.get(name)?.policy ?? [], account, action);
  }

  /** Provisioned concurrency for a version or alias (never $LATEST); see Provisioning. */
  putProvisionedConcurrency(name: string, qualifier: string, requested: number): Promise<ProvisionedView> {
    return this.provisioning.put(name, qualifier, requested);
  }

  deleteProvisionedConcurrency(name: string, qualifier: string): Promise<void> {
    return this.provisioning.delete(name, qualifier);
  }

  provisionedView(name: string, qualifier: string): ProvisionedView {
    return this.provisioning.view(name, qualifier);
  }

  listProvisioned(name: string): ProvisionedView[] {
    return this.provisioning.list(name);
  }

  private applyProvisioning(name: string): void {
    this.provisioning.apply(name);
  }

  /** Publishes $LATEST as a new version (or returns the last one when nothing changed). */
  publishVersion(
    name: string,
    description?: string,
  ): Promise<{ version: FunctionVersion; created: boolean }> {
    return this.serialize(name, async () => {
      const r = await this.catalog.publish(this.getFunction(name), description);
      this.functions.set(name, r.fn);
      return { version: r.version, created: r.created };
    });
  }

  listVersions(name: string): FunctionVersion[] {
    this.getFunction(name);
    return this.catalog.listVersions(name);
  }

  /** The configuration `name[:qualifier]` names (a version's snapshot, an alias's primary version). */
  resolveFunction(name: string, qualifier?: string): { config: FunctionConfig; version: string } {
    const fn = this.getFunction(name);
    const q = parseQualifier(qualifier);
    if (q.kind === "alias") {
      const alias = this.catalog.getAlias(name, q.alias);
      return this.catalog.resolve(fn, alias.functionVersion);
    }
    return this.catalog.resolve(fn, qualifier);
  }

  listAliases(name: string, functionVersion?: string): Alias[] {
    this.getFunction(name);
    return this.catalog.listAliases(name, functionVersion);
  }

  getAlias(name: string, alias: string): Alias {
    this.getFunction(name);
    return this.catalog.getAlias(name, alias);
  }

  createAlias(name: string, input: AliasInput): Promise<Alias> {
    return this.serialize(name, () => {
      this.getFunction(name);
      return this.catalog.createAlias(name, input);
    });
  }

  updateAlias(name: string, input: AliasInput, expectedRevisionId?: string): Promise<Alias> {
    return this.serialize(name, async () => {
      this.getFunction(name);
      const alias = await this.catalog.updateAlias(name, input, expectedRevisionId);
      // Provisioned concurrency on the alias follows it to its new version.
      this.applyProvisioning(name);
      return alias;
    });
  }

  deleteAlias(name: string, alias: string): Promise<void> {
    return this.serialize(name, async () => {
      this.getFunction(name);
      await this.catalog.deleteAlias(name, alias);
      this.applyProvisioning(name);
    });
  }

  /** Stops the function's warm instances, so the next invocation is a cold start. */
  resetInstances(name: string): void {
    this.getFunction(name);
    this.executor.retire(this.id(name));
  }

  invoke(name: string, payload: Buffer, opts: InvokeOptions = {}): Promise<InvokeOutcome> {
    return this.invoker.invoke(name, payload, opts);
  }

  /**
   * Accepts an `Event` invocation: durable in the store before this resolves, then run (and retried)
   * by the queue. Resolves with the request id.
   */
  invokeAsync(name: string, payload: Buffer, qualifier?: string, trace?: TraceContext): Promise<string> {
    if (this.closing)
      throw new VajraError("ShuttingDown", "the server is shutting down and accepts no new invocations");
    // Resolve now so a bad qualifier is an error for the caller, not a dropped event.
    this.resolveFunction(name, qualifier);
    this.budgets.admit(name);
    return this.queue.enqueue(name, payload.length === 0 ? EMPTY_EVENT : payload, qualifier, undefined, {
      trace,
    });
  }

  /** An event source's Event invocation, queued by `commit` together with the source's bookkeeping. */
  private enqueueEvent(
    name: string,
    payload: Buffer,
    qualifier: string | undefined,
    commit: (item: QueuedInvocation) => Promise<boolean>,
    trigger: FaasTrigger,
  ): Promise<string | undefined> {
    // Sources run outside any request: errors name ARNs of this region.
    return withArnScope(this.scope, () => {
      if (this.closing)
        throw new VajraError("ShuttingDown", "the server is shutting down and accepts no new invocations");
      this.resolveFunction(name, qualifier);
      return this.queue.enqueue(name, payload, qualifier, commit, { trigger });
    });
  }

  async logs(name: string, limit: number): Promise<InvocationRecord[]> {
    this.getFunction(name);
    await this.records.flush();
    return this.store.listInvocations(name, limit);
  }

  /** The function's 1-minute series over `range` (undefined when metrics are off). */
  async metricSeries(name: string, range: MetricsRange): Promise<MetricPoint[] | undefined> {
    this.getFunction(name);
    return this.invoker.series?.query(name, range);
  }

  /** What /metrics reports about each function now. */
  gauges(): FunctionGauges[] {
    const queued = this.queue.stats();
    const now = Date.now();
    return this.listFunctions().map((fn) => {
      const counts = this.executor.instanceCounts(this.id(fn.name));
      const q = queued.get(fn.name);
      const g: FunctionGauges = {
        region: this.name,
        functionName: fn.name,
        concurrent: this.gate.current(fn.name),
        idle: counts.idle,
        busy: counts.busy,
        queueDepth: q?.depth ?? 0,
        provisioned: this.provisioning.list(fn.name).map((p) => ({
          qualifier: p.qualifier,
          version: this.resolveFunction(fn.name, p.qualifier).version,
          requested: p.requested,
          allocated: p.allocated,
        })),
      };
      if (q !== undefined) g.queueOldestAgeMs = now - q.oldestEnqueuedAt;
      return g;
    });
  }

  /** Stops accepting invocations: queued events stay queued for the next start. */
  stop(): void {
    this.closing = true;
    for (const source of this.sources) source.stop();
    this.queue.stop();
    this.budgets.stop();
  }

  /** Writes the records still buffered (after in-flight invocations have finished). */
  async close(): Promise<void> {
    await this.destinations.stop();
    await this.invoker.close();
  }
}
