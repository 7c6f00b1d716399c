// The Platform is where Vajra's behaviour lives; the API and CLI only translate to and from it. It opens
// what the host shares (store, code blobs, sandboxes and their executor, builders) and answers every
// call from the Region of the caller's scope: the region a SigV4 request was signed for, or the
// server's own region (native API, CLI). Regions are partitioned as on AWS: a function created in
// eu-west-1 is not listed in us-east-1, and the same name may exist in both.

import { mkdirSync } from "node:fs";
import { homedir, tmpdir, totalmem } from "node:os";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { VajraError, invalid } from "../core/errors.js";
import {
  DEFAULT_ACCOUNT,
  DEFAULT_REGION,
  arnScope,
  isAccountId,
  isRegionName,
  type ArnScope,
} from "../core/arn-scope.js";
import { LIMITS } from "../core/limits.js";
import { NETWORK_MODES, type NetworkMode } from "../core/types.js";
import type { Alias, BuildRecord, FunctionConfig, FunctionVersion, InvocationRecord } from "../core/types.js";
import { BlobStore } from "../blobs/code-package.js";
import { Executor } from "../executor/executor.js";
import { ENDPOINT_SOCKET_NAME, type SandboxPoolStats } from "../executor/sandbox.js";
import { checkHost, createSandboxBackend, type HostCheck } from "../executor/host-check.js";
import { preinitPoolSize, withPreinit } from "../executor/preinit/setup.js";
import { prepareRuntimeSdks } from "../executor/runtime-sdks.js";
import { sweepStaleCgroups } from "../executor/cgroups.js";
import { SqliteStore } from "../store/sqlite-store.js";
import type { Store } from "../store/store.js";
import type { DeployInput, DeployOptions, DeployResult } from "./deploy.js";
import type { RuntimeRegistry } from "./runtime-registry.js";
import { openRuntimeServices } from "./runtime-services.js";
import type { FunctionSettings } from "./function-settings.js";
import type { LayerCatalog } from "./layers.js";
import { HttpRoutes } from "./http-routes.js";
import type { ScheduleSource } from "./triggers/schedules.js";
import type { Budgets } from "./cost/budgets.js";
import type { StorageTriggerSource } from "./triggers/storage.js";
import type { MappingSource } from "./triggers/mappings.js";
import { CodeBucket } from "./code-bucket.js";
import { CodeFetcher, type CodeLocation } from "./code-fetch.js";
import type { InvokeOptions, InvokeOutcome, PlatformOptions } from "./platform-types.js";
import type { ProvisionedView } from "./provisioning.js";
import type { AliasInput } from "./versions.js";
import { Region, type RegionShared } from "./region.js";
import { VajraMetrics } from "./metrics.js";
import { otlpEndpoint, startTracing } from "./tracing.js";
import type { TraceContext } from "../core/trace-context.js";
import { metricsRange, type MetricPoint } from "../core/metric-series.js";
import { NoNetwork } from "../executor/network/none.js";
import { RoleCatalog, parseRoleArn, roleArn, type Role } from "./roles.js";
import { SessionCredentials, credentialsTtlSeconds, loadSessionSecret, type Session } from "./credentials.js";
import type { RoleRecord } from "../core/types.js";
import { EgressNetwork, egressSettings } from "../executor/network/egress.js";
import { NetworkCatalog, networkUsers, type NetworkInput, type NetworkView } from "./networks.js";
import { LogBus, type FunctionLogs } from "./logs.js";
import { LogJanitor } from "./log-janitor.js";
import type { CostLedger } from "./cost/ledger.js";
import { recommendations, type RecommendationReport } from "./cost/recommendations.js";

export type { InvokeOptions, InvokeOutcome, PlatformOptions, RuntimeListing } from "./platform-types.js";
export type { ProvisionedView } from "./provisioning.js";
export type { Session } from "./credentials.js";

/** A request's session credentials, checked: who it is and its role's policy, or why it is refused. */
export type SessionLookup =
  | { ok: true; session: Session; secretAccessKey: string; role: Role | undefined }
  | { ok: false; reason: "expired" | "invalid" };

/**
 * The UNIX socket functions reach the Lambda API through (see api/function-endpoint.ts): in the data
 * directory, unless its path would pass the 107 bytes a socket address holds — then in a folder of the
 * temp directory named after the data directory.
 */
export function functionEndpointSocket(dataDir: string): string {
  const inData = join(dataDir, "endpoint", ENDPOINT_SOCKET_NAME);
  if (Buffer.byteLength(inData) <= 100) return inData;
  const tag = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return join(tmpdir(), `vajra-endpoint-${tag}`, ENDPOINT_SOCKET_NAME);
}

/** The folder of the endpoint socket, made before any instance binds it into its sandbox. */
function endpointDir(dataDir: string): string {
  const dir = dirname(functionEndpointSocket(dataDir));
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

/**
 * The network of functions created without one: as on Lambda, `egress`, where this host can offer it;
 * otherwise `none`, said loudly. A default the operator named but the host cannot offer stops the start.
 */
function chooseDefaultNetwork(
  named: string | undefined,
  egressMissing: string | undefined,
  warnings: string[],
): NetworkMode {
  if (named !== undefined) {
    if (named === "egress" && egressMissing !== undefined)
      throw invalid(`default network egress is not available on this host: ${egressMissing}`);
    return named as NetworkMode;
  }
  if (egressMissing === undefined) return "egress";
  warnings.push(
    `functions created without a network get mode none (no network at all), not egress as on Lambda: ${egressMissing}`,
  );
  return "none";
}

/** Regions one server keeps apart at most (AWS has about 35): a bound on what signed requests can create. */
const MAX_REGIONS = 64;

export function defaultDataDir(): string {
  return process.env.VAJRA_DATA_DIR ?? join(homedir(), ".vajra");
}

export class Platform {
  readonly warnings: string[];
  /** The server's region and account: the ARN scope of everything not signed for another region. */
  readonly arnScope: ArnScope;
  /** Vajra's own S3-style bucket for code uploads (`/_s3`). */
  readonly codeBucket: CodeBucket;
  private readonly codeFetcher: CodeFetcher;
  private readonly regions = new Map<string, Region>();
  private readonly shared: RegionShared;
  private started = false;
  /** Retention and the size cap of the log store. */
  readonly logJanitor: LogJanitor;
  /** Where the functions' Lambda endpoint listens (the API layer serves it). */
  readonly functionEndpointSocket: string;
  /** HTTP routes of the public listener, in the server's own region. */
  readonly routes: HttpRoutes;

  private constructor(
    readonly dataDir: string,
    /** The store as the server's own region sees it (keys, builds and buckets are shared by all). */
    readonly store: Store,
    private readonly executor: Executor,
    /** Named networks (host-wide): what their functions may reach. */
    private readonly networks: NetworkCatalog,
    /** Runtimes found on this host; `vajra runtimes install` adds to them. */
    readonly runtimeRegistry: RuntimeRegistry,
    shared: Omit<RegionShared, "liveDigests">,
    warnings: string[],
    opts: PlatformOptions,
  ) {
    this.warnings = warnings;
    this.functionEndpointSocket = functionEndpointSocket(dataDir);
    this.routes = new HttpRoutes({
      store,
      checkTarget: (n, q) => void this.region(this.arnScope.region).resolveFunction(n, q),
    });
    this.arnScope = { region: store.region, account: shared.account };
    this.codeBucket = new CodeBucket(store, dataDir);
    this.codeFetcher = new CodeFetcher(this.codeBucket, opts.codeS3);
    this.shared = { ...shared, liveDigests: () => this.liveDigests() };
    this.logJanitor = new LogJanitor(store.logs, { maxMb: opts.logMaxMb, onError: shared.onError });
  }

  static async open(opts: PlatformOptions = {}): Promise<Platform> {
    if (opts.region !== undefined && !isRegionName(opts.region))
      throw invalid(`region '${opts.region}' is not a region name such as us-east-1 or eu-west-1`);
    if (opts.accountId !== undefined && !isAccountId(opts.accountId))
      throw invalid(`account id '${opts.accountId}' must be 12 digits`);
    const region = opts.region ?? DEFAULT_REGION;
    if (
      opts.defaultNetwork !== undefined &&
      !(NETWORK_MODES as readonly string[]).includes(opts.defaultNetwork)
    )
      throw invalid(`default network '${opts.defaultNetwork}' must be one of ${NETWORK_MODES.join(", ")}`);
    const dataDir = resolve(opts.dataDir ?? defaultDataDir());
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const store = new SqliteStore(join(dataDir, "vajra.db"), { region });
    const blobs = new BlobStore(dataDir);
    if (process.getuid?.() === 0) sweepStaleCgroups();
    const sandbox = createSandboxBackend(dataDir);
    const pendingDigests = new Set<string>();
    const onError = opts.onError ?? ((err: unknown): void => console.error(err));
    const rt = await openRuntimeServices({
      dataDir,
      store,
      blobs,
      backend: sandbox.backend,
      pendingDigests,
      onWarning: opts.onWarning ?? onError,
    });
    const onWarning = opts.onWarning ?? onError;
    const networks = {
      none: new NoNetwork(),
      egress: new EgressNetwork({ dataDir, ...egressSettings(), onWarning }),
    };
    const defaultNetwork = chooseDefaultNetwork(
      opts.defaultNetwork,
      networks.egress.unavailable,
      sandbox.warnings,
    );
    // Namespaces, bridges and rules a killed server left go before anything runs.
    for (const n of Object.values(networks)) await n.sweep();
    const runtimeSdks = await prepareRuntimeSdks(dataDir);
    rt.registry.sdks = runtimeSdks;
    // Cold starts take pre-initialised sandboxes where the host allows (executor/preinit/).
    const preinit = withPreinit(
      sandbox.backend,
      preinitPoolSize(),
      onWarning,
      networks.egress.unavailable === undefined ? () => networks.egress.attach([]) : undefined,
    );
    const executor = new Executor({
      networks,
      runtimeSdks,
      backend: preinit.backend,
      dataDir,
      runtimesDir: rt.runtimesDir,
      javaRuntimeDir: () => rt.java.dir(),
      javaArchive: (dir, runtime) => rt.java.archive(dir, runtime),
      onClose: async () => {
        await rt.java.close();
        await preinit.close();
      },
      keepAliveMs: (opts.keepAliveSeconds ?? 300) * 1000,
      maxWarmMemoryMb: opts.maxWarmMemoryMb ?? Math.floor(totalmem() / 1024 / 1024 / 2),
      freezeIdle: opts.freezeIdle ?? true,
      endpointDir: endpointDir(dataDir),
    });
    // Gauges are read from every region at scrape time (the platform exists by then).
    let regions: () => Region[] = () => [];
    const metricsOn = opts.metrics ?? process.env.VAJRA_METRICS !== "off";
    const metrics = metricsOn ? new VajraMetrics(() => regions().flatMap((r) => r.gauges())) : undefined;
    const endpoint = otlpEndpoint(opts.otlpEndpoint);
    const tracing = endpoint === undefined ? undefined : await startTracing(endpoint, { onWarning });
    // Named networks are host-wide; their rules go to the bridge egress instances use too.
    const networkCatalog = await NetworkCatalog.open(store, networks.egress, onWarning);
    const roles = new RoleCatalog(store);
    await roles.load();
    const credentials = new SessionCredentials(loadSessionSecret(dataDir), credentialsTtlSeconds());
    const platform = new Platform(
      dataDir,
      store,
      executor,
      networkCatalog,
      rt.registry,
      {
        roles,
        credentials,
        dataDir,
        blobs,
        executor,
        runtimes: rt.registry.byId,
        builder: rt.builder,
        pendingDigests,
        account: opts.accountId ?? DEFAULT_ACCOUNT,
        accountConcurrency: opts.accountConcurrency ?? LIMITS.accountConcurrencyDefault,
        defaultNetwork,
        checkNetwork: (value) => networkCatalog.check(value),
        asyncRetryBaseMs: opts.asyncRetryBaseMs ?? Number(process.env.VAJRA_ASYNC_RETRY_BASE_MS ?? 60_000),
        onWarning: opts.onWarning ?? onError,
        onError,
        ...(metrics === undefined ? {} : { metrics }),
        logBus: new LogBus(),
        ...(tracing === undefined ? {} : { tracing }),
      },
      sandbox.warnings,
      opts,
    );
    regions = () => [...platform.regions.values()];
    await platform.recover();
    return platform;
  }

  /**
   * Loads every region's functions into memory, makes sure their code is unpacked, deletes blobs nothing
   * references (left by a deploy that crashed before its commit), then starts provisioned pools and
   * queued events.
   */
  private async recover(): Promise<void> {
    const names = new Set([this.arnScope.region, ...(await this.store.listRegions())]);
    for (const name of names) await this.region(name).load();
    await this.routes.load();
    const keep = this.liveDigests();
    for (const digest of keep) await this.shared.blobs.ensureUnpacked(digest);
    await this.shared.blobs.gc(keep);
    // Build records (and their logs) of packages nothing runs any more go after a week.
    const builds = new Set<string>();
    for (const r of this.regions.values()) for (const key of r.buildKeys()) builds.add(key);
    await this.shared.builder.prune(builds, 7 * 24 * 3600 * 1000);
    for (const r of this.regions.values()) await r.start();
    this.started = true;
    this.logJanitor.start();
  }

  /** Code every region's functions, versions, layers and deploys in progress still need. */
  private liveDigests(): Set<string> {
    const keep = new Set(this.shared.pendingDigests);
    for (const r of this.regions.values()) for (const d of r.digests()) keep.add(d);
    return keep;
  }

  /** The region `name`, created empty the first time a request is signed for it. */
  region(name: string): Region {
    let r = this.regions.get(name);
    if (r === undefined) {
      if (this.regions.size >= MAX_REGIONS)
        throw invalid(`this server keeps at most ${MAX_REGIONS} regions apart; '${name}' would be one more`);
      r = new Region(name, this.store.inRegion(name), this.shared);
      this.regions.set(name, r);
      // A region first seen after start-up has nothing stored yet: start its queue now.
      if (this.started) r.start().catch(this.shared.onError);
    }
    return r;
  }

  /** Execution roles of the server's account (IAM is global: the same in every region). */
  listRoles(): RoleRecord[] {
    return this.shared.roles.list(this.arnScope.account);
  }

  getRole(name: string): RoleRecord {
    const r = this.shared.roles.get(this.arnScope.account, name);
    if (r === undefined) throw new VajraError("NotFound", `no role ${name}`);
    return r.record;
  }

  /** Creates a role or replaces its policy; a new role's functions restart with credentials for it. */
  async putRole(name: string, policy: unknown): Promise<{ role: RoleRecord; created: boolean }> {
    const r = await this.shared.roles.put(this.arnScope.account, name, policy);
    // A policy change applies to credentials already out; a (re)created role has a new id, so
    // instances holding credentials for the previous one (or the built-in role) are replaced.
    if (r.created) for (const region of this.regions.values()) region.roles.retireRole(r.role.arn);
    return r;
  }

  /** Deletes a role: session credentials minted for it are refused from the next request on. */
  async deleteRole(name: string): Promise<void> {
    await this.shared.roles.delete(this.arnScope.account, name);
    for (const region of this.regions.values()) region.roles.retireRole(roleArn(this.arnScope.account, name));
  }

  /**
   * Checks a request's session credentials (an ASIA key and its token): signed by this server, not
   * expired, and not revoked (the function deleted or recreated, its role changed, or the role
   * deleted or recreated). Memory only, for the hot path.
   */
  checkSession(accessKeyId: string, token: string | undefined): SessionLookup {
    const v = this.shared.credentials.verify(accessKeyId, token);
    if (!v.ok) return v;
    const s = v.session;
    const region = this.regions.get(s.region);
    if (region?.roles.sessionStands(s.functionName, s.version, s.incarnation, s.roleArn) !== true)
      return { ok: false, reason: "invalid" };
    const ref = parseRoleArn(s.roleArn);
    const role = ref === undefined ? undefined : this.shared.roles.get(ref.account, ref.name);
    if ((role?.record.roleId ?? "") !== s.roleId) return { ok: false, reason: "invalid" };
    return { ok: true, session: s, secretAccessKey: v.secretAccessKey, role };
  }

  /** The region of the current call's scope. */
  private here(): Region {
    return this.region(arnScope().region);
  }

  get accountConcurrency(): number {
    return this.shared.accountConcurrency;
  }

  get isolated(): boolean {
    return this.executor.isolated;
  }

  /**
   * What this server's host offers sandboxes and runtimes (`vajra doctor`'s checks, as the server's own
   * user sees them, counting the Node.js versions installed in its data directory).
   */
  async hostChecks(): Promise<HostCheck[]> {
    return checkHost({ nodeInstallDir: join(this.dataDir, "runtimes") });
  }

  /** The pool of pre-initialised sandboxes, where the host has one. */
  get sandboxPool(): SandboxPoolStats | undefined {
    return this.executor.sandboxPool;
  }

  /** Schedules of the caller's region. */
  get schedules(): ScheduleSource {
    return this.here().schedules;
  }

  /** The caller's region's directory and S3 webhook triggers. */
  get storage(): StorageTriggerSource {
    return this.here().storage;
  }

  /** The caller's region's event source mappings. */
  get mappings(): MappingSource {
    return this.here().mappings;
  }

  /** Budgets of the caller's region. */
  get budgets(): Budgets {
    return this.here().budgets;
  }

  /** Lambda layers of the caller's region. */
  get layers(): LayerCatalog {
    return this.here().layers;
  }

  /** Tags, event invoke config, function URL and resource policy of the caller's region's functions. */
  get settings(): FunctionSettings {
    return this.here().settings;
  }

  /** The function behind a function URL id, whatever its region, with the scope to invoke it in. */
  functionForUrl(urlId: string): { fn: FunctionConfig; scope: ArnScope } | undefined {
    for (const r of this.regions.values()) {
      const fn = r.settings.functionForUrl(urlId);
      if (fn !== undefined) return { fn, scope: r.scope };
    }
    return undefined;
  }

  /** Code named by S3 location (CreateFunction's Code.S3Bucket/S3Key), from the configured store. */
  fetchCode(loc: CodeLocation): Promise<Buffer> {
    return this.codeFetcher.fetch(loc);
  }

  // Everything below is answered by the caller's region.

  buildRecord(name: string, qualifier?: string): Promise<BuildRecord | undefined> {
    return this.here().buildRecord(name, qualifier);
  }

  deploy(input: DeployInput, opts: DeployOptions = {}): Promise<DeployResult> {
    return this.here().deploy(input, opts);
  }

  getFunction(name: string): FunctionConfig {
    return this.here().getFunction(name);
  }

  listFunctions(): FunctionConfig[] {
    return this.here().listFunctions();
  }

  instanceCounts(name: string): { idle: number; busy: number } {
    return this.here().instanceCounts(name);
  }

  deleteFunction(name: string, version?: string): Promise<void> {
    return this.here().deleteFunction(name, version);
  }

  policyAllows(name: string, account: string, action: string): boolean {
    return this.here().policyAllows(name, account, action);
  }

  putProvisionedConcurrency(name: string, qualifier: string, requested: number): Promise<ProvisionedView> {
    return this.here().putProvisionedConcurrency(name, qualifier, requested);
  }

  deleteProvisionedConcurrency(name: string, qualifier: string): Promise<void> {
    return this.here().deleteProvisionedConcurrency(name, qualifier);
  }

  provisionedView(name: string, qualifier: string): ProvisionedView {
    return this.here().provisionedView(name, qualifier);
  }

  listProvisioned(name: string): ProvisionedView[] {
    return this.here().listProvisioned(name);
  }

  publishVersion(
    name: string,
    description?: string,
  ): Promise<{ version: FunctionVersion; created: boolean }> {
    return this.here().publishVersion(name, description);
  }

  listVersions(name: string): FunctionVersion[] {
    return this.here().listVersions(name);
  }

  resolveFunction(name: string, qualifier?: string): { config: FunctionConfig; version: string } {
    return this.here().resolveFunction(name, qualifier);
  }

  listAliases(name: string, functionVersion?: string): Alias[] {
    return this.here().listAliases(name, functionVersion);
  }

  getAlias(name: string, alias: string): Alias {
    return this.here().getAlias(name, alias);
  }

  createAlias(name: string, input: AliasInput): Promise<Alias> {
    return this.here().createAlias(name, input);
  }

  updateAlias(name: string, input: AliasInput, expectedRevisionId?: string): Promise<Alias> {
    return this.here().updateAlias(name, input, expectedRevisionId);
  }

  deleteAlias(name: string, alias: string): Promise<void> {
    return this.here().deleteAlias(name, alias);
  }

  resetInstances(name: string): void {
    this.here().resetInstances(name);
  }

  invoke(name: string, payload: Buffer, opts: InvokeOptions = {}): Promise<InvokeOutcome> {
    return this.here().invoke(name, payload, opts);
  }

  invokeAsync(name: string, payload: Buffer, qualifier?: string, trace?: TraceContext): Promise<string> {
    return this.here().invokeAsync(name, payload, qualifier, trace);
  }

  logs(name: string, limit: number): Promise<InvocationRecord[]> {
    return this.here().logs(name, limit);
  }

  /** Log events of the region in scope (search, follow, retention). */
  get logEvents(): FunctionLogs {
    return this.here().logEvents;
  }

  /** The cost ledger of the region in scope (price sheets are the host's). */
  get cost(): CostLedger {
    return this.here().cost;
  }

  /** Prometheus metrics, or undefined when metrics are off. */
  get metrics(): VajraMetrics | undefined {
    return this.shared.metrics;
  }

  /**
   * A function's 1-minute series grouped into periods: `since`/`until` are spans back from now (1h) or
   * ISO times, `period` seconds (60) or a span (5m). Bad input is an InvalidParameter naming the field.
   */
  async functionMetrics(
    name: string,
    query: { since?: string; until?: string; period?: string },
  ): Promise<{ from: string; to: string; periodSeconds: number; points: MetricPoint[] }> {
    const region = this.here();
    region.getFunction(name);
    const range = metricsRange(query, Date.now());
    const points = await region.metricSeries(name, range);
    if (points === undefined)
      throw new VajraError("UnsupportedOperation", "metrics are off on this server (VAJRA_METRICS=off)");
    return {
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
      periodSeconds: range.periodMs / 1000,
      points,
    };
  }

  /** Cost recommendations for one function (FunctionNotFound when unknown) or all; see engine/cost. */
  recommendations(name?: string): Promise<RecommendationReport> {
    const region = this.here();
    return recommendations(region, { currentSheet: () => region.cost.currentSheet() }, name);
  }

  listNetworks(): NetworkView[] {
    return this.networks.list();
  }

  getNetwork(name: string): NetworkView {
    return this.networks.get(name);
  }

  createNetwork(input: NetworkInput): Promise<NetworkView> {
    return this.networks.create(input);
  }

  updateNetwork(name: string, input: NetworkInput): Promise<NetworkView> {
    return this.networks.update(name, input);
  }

  /** Refused while a function or version in any region joins it (NetworkInUse names them). */
  deleteNetwork(name: string): Promise<void> {
    return this.networks.delete(name, (n) => networkUsers(this.store, n));
  }

  /** Stops accepting invocations, lets in-flight ones finish (bounded), stops instances, flushes. */
  async close(graceMs = 10_000): Promise<void> {
    for (const r of this.regions.values()) r.stop();
    const deadline = Date.now() + graceMs;
    const inFlight = (): number => [...this.regions.values()].reduce((n, r) => n + r.inFlight, 0);
    while (inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.networks.close();
    await this.executor.close();
    for (const r of this.regions.values()) await r.close();
    await this.logJanitor.stop();
    await this.shared.tracing?.shutdown();
    await this.store.close();
  }
}
