// The Platform is where Vajra's behaviour lives: deploy (atomic), route, admit, invoke, record, delete.
// The API and CLI only translate to and from it. Function configuration is served from memory; the
// store is the source of truth and every change goes through it first.

import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { homedir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { VajraError, invalid } from "../core/errors.js";
import {
  DEFAULT_ACCOUNT,
  DEFAULT_REGION,
  isAccountId,
  isRegionName,
  withArnScope,
  type ArnScope,
} from "../core/arn-scope.js";
import { functionArn, tailBytes } from "../core/lambda-format.js";
import { LIMITS } from "../core/limits.js";
import { policyAllows } from "../core/policy.js";
import { LATEST, parseQualifier } from "../core/routing.js";
import type { Alias, BuildRecord, FunctionConfig, FunctionVersion, InvocationRecord } from "../core/types.js";
import { BlobStore } from "../blobs/code-package.js";
import { Executor } from "../executor/executor.js";
import { createSandboxBackend } from "../executor/host-check.js";
import type { RuntimeInfo } from "../executor/runtime-discovery.js";
import { sweepStaleCgroups } from "../executor/cgroups.js";
import { SqliteStore } from "../store/sqlite-store.js";
import type { Store } from "../store/store.js";
import { ConcurrencyGate } from "./concurrency.js";
import { deployFunction, type DeployInput, type DeployOptions, type DeployResult } from "./deploy.js";
import { AsyncQueue } from "./async-queue.js";
import type { PackageBuilder } from "./builds.js";
import type { RuntimeRegistry } from "./runtime-registry.js";
import { openRuntimeServices } from "./runtime-services.js";
import { EMPTY_EVENT, executionSpec, poolKey, traceId } from "./execution-spec.js";
import { FunctionSettings } from "./function-settings.js";
import { LayerCatalog } from "./layers.js";
import { CodeBucket } from "./code-bucket.js";
import { CodeFetcher, type CodeLocation } from "./code-fetch.js";
import type { InvokeOptions, InvokeOutcome, PlatformOptions } from "./platform-types.js";
import { Provisioning, type ProvisionedView } from "./provisioning.js";
import { VersionCatalog, type AliasInput } from "./versions.js";
import { RecordWriter } from "./record-writer.js";

export type { InvokeOptions, InvokeOutcome, PlatformOptions, RuntimeListing } from "./platform-types.js";
export type { ProvisionedView } from "./provisioning.js";

export function defaultDataDir(): string {
  return process.env.VAJRA_DATA_DIR ?? join(homedir(), ".vajra");
}

export class Platform {
  readonly warnings: string[];
  private readonly functions = new Map<string, FunctionConfig>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly runtimes: Map<string, RuntimeInfo>;
  private inFlight = 0;
  private closing = false;
  private readonly queue: AsyncQueue;
  private readonly catalog: VersionCatalog;
  /** Lambda layers: published, listed and merged into /opt (the API calls it directly). */
  readonly layers: LayerCatalog;
  /** Metadata settings (tags, event invoke config, function URL, resource policy): no restart needed. */
  readonly settings: FunctionSettings;
  private readonly provisioning: Provisioning;
  /** The server's region and account: the ARN scope of everything not signed for another region. */
  readonly arnScope: ArnScope;
  /** Vajra's own S3-style bucket for code uploads (`/_s3`). */
  readonly codeBucket: CodeBucket;
  private readonly codeFetcher: CodeFetcher;

  private constructor(
    readonly dataDir: string,
    readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly executor: Executor,
    /** Runtimes found on this host; `vajra runtimes install` adds to them. */
    readonly runtimeRegistry: RuntimeRegistry,
    private readonly builder: PackageBuilder,
    private readonly pendingDigests: Set<string>,
    private readonly gate: ConcurrencyGate,
    private readonly records: RecordWriter,
    warnings: string[],
    opts: PlatformOptions,
  ) {
    this.warnings = warnings;
    this.arnScope = {
      region: opts.region ?? DEFAULT_REGION,
      account: opts.accountId ?? DEFAULT_ACCOUNT,
    };
    this.codeBucket = new CodeBucket(store, dataDir);
    this.codeFetcher = new CodeFetcher(this.codeBucket, opts.codeS3);
    this.runtimes = runtimeRegistry.byId;
    const runtimes = this.runtimes;
    this.catalog = new VersionCatalog(store);
    this.layers = new LayerCatalog(store, blobs, dataDir);
    this.provisioning = new Provisioning({
      store,
      functions: this.functions,
      executor,
      catalog: this.catalog,
      runtimes,
      blobs,
      gate,
      getFunction: (name) => this.getFunction(name),
      resolveFunction: (name, qualifier) => this.resolveFunction(name, qualifier),
      serialize: (name, fn) => this.serialize(name, fn),
      optDir: (fn) => this.layers.optDir(fn.layers),
    });
    this.settings = new FunctionSettings({
      store,
      functions: this.functions,
      getFunction: (name) => this.getFunction(name),
      serialize: (name, fn) => this.serialize(name, fn),
    });
    const onError = opts.onError ?? ((err: unknown): void => console.error(err));
    this.queue = new AsyncQueue(store, {
      // Queued work runs outside any request: its ARNs are the server's.
      run: async (item) =>
        (
          await withArnScope(this.arnScope, () =>
            this.invoke(item.functionName, Buffer.from(item.payload, "base64"), {
              requestId: item.requestId,
              attempt: item.attempts,
              ...(item.qualifier === undefined ? {} : { qualifier: item.qualifier }),
            }),
          )
        ).ok,
      retryBaseMs: opts.asyncRetryBaseMs ?? Number(process.env.VAJRA_ASYNC_RETRY_BASE_MS ?? 60_000),
      policy: (functionName) => {
        const c = this.functions.get(functionName)?.eventInvokeConfig;
        return {
          maxRetries: c?.maximumRetryAttempts ?? 2,
          maxAgeMs: (c?.maximumEventAgeInSeconds ?? 21600) * 1000,
        };
      },
      maxInFlight: Math.max(1, Math.floor(gate.accountLimit / 10)),
      onDrop: (item, why) =>
        (opts.onWarning ?? onError)(
          `dropped Event invocation ${item.requestId} of ${item.functionName}: ${why}`,
        ),
      onError,
    });
  }

  static async open(opts: PlatformOptions = {}): Promise<Platform> {
    if (opts.region !== undefined && !isRegionName(opts.region))
      throw invalid(`region '${opts.region}' is not a region name such as us-east-1 or eu-west-1`);
    if (opts.accountId !== undefined && !isAccountId(opts.accountId))
      throw invalid(`account id '${opts.accountId}' must be 12 digits`);
    const dataDir = resolve(opts.dataDir ?? defaultDataDir());
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const store = new SqliteStore(join(dataDir, "vajra.db"));
    const blobs = new BlobStore(dataDir);
    if (process.getuid?.() === 0) sweepStaleCgroups();
    const sandbox = createSandboxBackend(dataDir);
    const pendingDigests = new Set<string>();
    const rt = await openRuntimeServices({ dataDir, store, blobs, backend: sandbox.backend, pendingDigests });
    const executor = new Executor({
      backend: sandbox.backend,
      dataDir,
      runtimesDir: rt.runtimesDir,
      javaRuntimeDir: () => rt.java.dir(),
      keepAliveMs: (opts.keepAliveSeconds ?? 300) * 1000,
      maxWarmMemoryMb: opts.maxWarmMemoryMb ?? Math.floor(totalmem() / 1024 / 1024 / 2),
      freezeIdle: opts.freezeIdle ?? true,
      region: opts.region ?? DEFAULT_REGION,
    });
    const gate = new ConcurrencyGate(opts.accountConcurrency ?? LIMITS.accountConcurrencyDefault);
    const onError = opts.onError ?? ((err: unknown): void => console.error(err));
    const records = new RecordWriter(store, { flushIntervalMs: 100, maxBuffered: 500, onError });
    const platform = new Platform(
      dataDir,
      store,
      blobs,
      executor,
      rt.registry,
      rt.builder,
      pendingDigests,
      gate,
      records,
      sandbox.warnings,
      opts,
    );
    await platform.recover();
    for (const name of platform.functions.keys()) platform.applyProvisioning(name);
    await platform.queue.start();
    return platform;
  }

  /**
   * Loads every function into memory, makes sure its code is unpacked, and deletes blobs no function
   * references (left by a deploy that crashed before its commit).
   */
  private async recover(): Promise<void> {
    await this.catalog.load();
    await this.layers.load();
    for (const fn of await this.store.listFunctions()) {
      this.functions.set(fn.name, fn);
      this.gate.setReservation(fn.name, fn.reservedConcurrency);
    }
    const keep = this.liveDigests();
    for (const digest of keep) await this.blobs.ensureUnpacked(digest);
    await this.blobs.gc(keep);
    // Build records (and their logs) of packages nothing runs any more go after a week.
    const builds = new Set<string>();
    for (const f of [...this.functions.values(), ...this.catalog.configs()])
      if (f.build !== undefined) builds.add(f.build.key);
    await this.builder.prune(builds, 7 * 24 * 3600 * 1000);
  }

  /** Code every function, version and deploy in progress still needs. */
  private liveDigests(): Set<string> {
    const keep = this.catalog.digests();
    for (const d of this.layers.digests()) keep.add(d);
    for (const f of this.functions.values()) {
      keep.add(f.codeSha256);
      for (const l of f.layers ?? []) keep.add(l.codeSha256);
    }
    for (const d of this.pendingDigests) keep.add(d);
    return keep;
  }

  get accountConcurrency(): number {
    return this.gate.accountLimit;
  }

  get isolated(): boolean {
    return this.executor.isolated;
  }

  /** The log of the build that made the function's (or a version's) package; undefined if it was not built. */
  async buildRecord(name: string, qualifier?: string): Promise<BuildRecord | undefined> {
    const { config } = this.resolveFunction(name, qualifier);
    return config.build === undefined ? undefined : this.builder.record(config.build.key);
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
    return this.serialize(input.name, async () => {
      const result = await deployFunction(
        {
          blobs: this.blobs,
          runtimes: this.runtimes,
          gate: this.gate,
          pendingDigests: this.pendingDigests,
          resolveLayers: (arns) => this.layers.resolve(arns),
          builder: this.builder,
        },
        this.functions.get(input.name),
        input,
        opts,
      );
      await this.store.putFunction(result.config);
      this.pendingDigests.delete(result.config.codeSha256);
      this.functions.set(result.config.name, result.config);
      this.gate.setReservation(result.config.name, result.config.reservedConcurrency);
      this.executor.retire(result.config.name, { version: LATEST, exceptPoolKey: poolKey(result.config) });
      return result;
    });
  }

  /** Code named by S3 location (CreateFunction's Code.S3Bucket/S3Key), from the configured store. */
  fetchCode(loc: CodeLocation): Promise<Buffer> {
    return this.codeFetcher.fetch(loc);
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
    return this.executor.instanceCounts(name);
  }

  /** Deletes the function with all its versions and aliases, or (with a version number) one version. */
  deleteFunction(name: string, version?: string): Promise<void> {
    return this.serialize(name, async () => {
      this.getFunction(name);
      if (version !== undefined && version !== LATEST) {
        await this.catalog.deleteVersion(name, version);
        this.applyProvisioning(name);
        this.executor.retire(name, { version });
      } else {
        await this.records.flush();
        await this.store.deleteFunction(name);
        this.functions.delete(name);
        this.catalog.forget(name);
        this.gate.setReservation(name, null);
        this.executor.retire(name);
      }
      await this.blobs.gc(this.liveDigests());
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
    this.executor.retire(name);
  }

  async invoke(name: string, payload: Buffer, opts: InvokeOptions = {}): Promise<InvokeOutcome> {
    if (this.closing)
      throw new VajraError("ShuttingDown", "the server is shutting down and accepts no new invocations");
    const { config: fn, version } = this.catalog.resolve(this.getFunction(name), opts.qualifier);
    if (payload.length > LIMITS.syncPayloadBytes) {
      throw new VajraError(
        "PayloadTooLarge",
        `payload of ${payload.length} bytes exceeds the ${LIMITS.syncPayloadBytes}-byte limit for synchronous invocations`,
      );
    }
    const runtime = this.runtimes.get(fn.runtime);
    if (runtime === undefined || !runtime.available) {
      throw new VajraError(
        "RuntimeUnavailable",
        `runtime ${fn.runtime} is not available on this host: ${runtime?.reason ?? "unknown runtime"}`,
      );
    }
    const release = this.gate.acquire(name);
    this.inFlight++;
    const requestId = opts.requestId ?? randomUUID();
    const startedAt = Date.now();
    try {
      const result = await this.executor.invoke(
        executionSpec(fn, version, runtime, this.blobs.codeDir(fn.codeSha256), () =>
          this.layers.optDir(fn.layers),
        ),
        {
          requestId,
          // Lambda hands an empty payload to the function as an empty JSON object.
          payload: payload.length === 0 ? EMPTY_EVENT : payload,
          timeoutMs: fn.timeout * 1000,
          invokedFunctionArn: functionArn(name, opts.qualifier),
          traceId: traceId(),
          ...(opts.clientContext === undefined ? {} : { clientContext: opts.clientContext }),
        },
      );
      const record: InvocationRecord = {
        requestId,
        functionName: name,
        version,
        startedAt,
        status: result.ok ? "success" : "error",
        report: result.report,
        log: result.log,
      };
      if (result.errorType !== undefined) record.errorType = result.errorType;
      if (opts.attempt !== undefined) record.attempt = opts.attempt;
      this.records.add(record);
      const out: InvokeOutcome = {
        requestId,
        version,
        ok: result.ok,
        body: result.body,
        report: result.report,
      };
      if (result.errorType !== undefined) out.errorType = result.errorType;
      if (opts.logTail === true) out.logTail = tailBytes(result.log, LIMITS.logTailBytes);
      return out;
    } finally {
      this.inFlight--;
      release();
    }
  }

  /**
   * Accepts an `Event` invocation: durable in the store before this resolves, then run (and retried)
   * by the queue. Resolves with the request id.
   */
  invokeAsync(name: string, payload: Buffer, qualifier?: string): Promise<string> {
    if (this.closing)
      throw new VajraError("ShuttingDown", "the server is shutting down and accepts no new invocations");
    // Resolve now so a bad qualifier is an error for the caller, not a dropped event.
    this.resolveFunction(name, qualifier);
    return this.queue.enqueue(name, payload.length === 0 ? EMPTY_EVENT : payload, qualifier);
  }

  async logs(name: string, limit: number): Promise<InvocationRecord[]> {
    this.getFunction(name);
    await this.records.flush();
    return this.store.listInvocations(name, limit);
  }

  /** Stops accepting invocations, lets in-flight ones finish (bounded), stops instances, flushes. */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    this.queue.stop();
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.executor.close();
    await this.records.close();
    await this.store.close();
  }
}
