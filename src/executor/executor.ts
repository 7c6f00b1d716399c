// The executor runs "this code, this runtime, this memory, this event" and returns bytes plus a
// report. It owns pools of warm instances, the keep-alive reaper and the host memory budget; it knows
// nothing about HTTP, aliases or users.

import { TEXT_PLATFORM_LOG, platformInitStart } from "../core/lambda-format.js";
import { initInfo } from "./runtime-version.js";
import type { NetworkBackend, NetworkMode } from "./network/network.js";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { logGroupName, logStreamName } from "../core/lambda-format.js";
import { VajraError } from "../core/errors.js";
import { loggingEnvironment, type EffectiveLogging } from "../core/logging-config.js";
import { launchFor } from "./launch.js";
import { Instance, type InvokeRequest, type InvokeResult } from "./instance.js";
import { StartGate, defaultMaxConcurrentStarts } from "./start-gate.js";
import { PlacementBook, type PlacementStats, waitBudget } from "./placement.js";
import { Pool } from "./pool.js";
import type { RuntimeInfo } from "./runtime-discovery.js";
import { NODE_SDK_PATH, NODE_SDK_VIEW_PATH, PYTHON_SDK_PATH, type RuntimeSdks } from "./runtime-sdks.js";
import {
  ENDPOINT_ADDRESS,
  ENDPOINT_DIR,
  type Mount,
  type SandboxBackend,
  type SandboxPoolStats,
} from "./sandbox.js";

export interface ExecutionSpec {
  /** Changes whenever code or configuration changes, so old instances are never reused. */
  poolKey: string;
  /** The function's region (its AWS_REGION) and a key naming it across regions (`region/name`). */
  region: string;
  functionId: string;
  functionName: string;
  version: string;
  runtime: RuntimeInfo;
  handler: string;
  memoryMb: number;
  timeoutSec: number;
  ephemeralStorageMb: number;
  /** LoggingConfig resolved: the sandbox's AWS_LAMBDA_LOG_* variables and the platform lines follow it. */
  logging?: EffectiveLogging;
  /** How its instances reach the network: `none`, `egress` or named networks (`a,b`). */
  network: string;
  environment: Readonly<Record<string, string>>;
  codeDir: string;
  /**
   * The instance's own credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
   * called once per instance start; `expiresAt` is epoch ms. The executor knows nothing of roles: it
   * only retires an idle instance whose credentials would expire during its next invocation.
   */
  credentials?: () => InstanceCredentials;
  /** Builds (once) and returns the /opt tree of the function's layers; called on cold starts only. */
  prepareOpt?: () => Promise<string | undefined>;
}

export interface InstanceCredentials {
  env: Readonly<Record<string, string>>;
  expiresAt: number;
}

/** An idle instance is reused only if its credentials outlive its next invocation by this margin. */
export const CREDENTIALS_MARGIN_MS = 60_000;

export interface ProvisionStatus {
  requested: number;
  /** Initialised instances (idle or busy) of the pool. */
  allocated: number;
  /** Of those, the idle ones. */
  available: number;
}

export interface ExecutorOptions {
  backend: SandboxBackend;
  dataDir: string;
  /** Folder holding runtimes/<family>/ bootstraps. */
  runtimesDir: string;
  /** Prepares (once) and returns the Java runtime folder: compiled shim, API and forwarder. */
  javaRuntimeDir?: () => Promise<string>;
  /** The Java runtime folder's class data sharing archive for a JDK (relative path) once it is ready. */
  javaArchive?: (dir: string, runtime: RuntimeInfo) => string | undefined;
  /** Called by close(): stops background work such as an archive's training run. */
  onClose?: () => Promise<void>;
  keepAliveMs: number;
  /** Idle instances are evicted (least recently used first) to keep the warm total under this. */
  maxWarmMemoryMb: number;
  /** Freeze each idle instance's processes until its next invocation. */
  freezeIdle: boolean;
  /** One backend per network mode. */
  networks: Readonly<Record<NetworkMode, NetworkBackend>>;
  /**
   * Host folder holding the functions' Lambda endpoint socket, shown in every sandbox; its runtime
   * relays AWS_ENDPOINT_URL_LAMBDA there. Not offered without isolation (instances would share the
   * host's 127.0.0.1 and its relay port).
   */
  endpointDir?: string;
  /** The AWS SDKs provided to Python and Node.js functions (absent: none). */
  runtimeSdks?: RuntimeSdks;
  /** Sandboxes starting at once, host-wide (start-gate.ts); default a few per CPU. */
  maxConcurrentStarts?: number;
}

const INIT_TIMEOUT_MS = 10_000;
/** How many times an invocation waits for a busy instance before it starts one regardless. */
const MAX_WAIT_ROUNDS = 4;

export class Executor {
  private readonly pools = new Map<string, Pool>();
  private readonly instancesDir: string;
  private readonly reaper: NodeJS.Timeout;
  private liveMemoryMb = 0;
  private readonly evicting = new Set<Instance>();
  /** Every instance not yet dead, including those of retired pools. */
  private readonly live = new Set<Instance>();
  private evictingMb = 0;
  private closed = false;
  /** When each instance's credentials expire (epoch ms), for instances that were given some. */
  private readonly credentialsExpiry = new WeakMap<Instance, number>();
  /** Warm hold times and cold starts per pool key; they outlive a pool emptied by the reaper. */
  private readonly placementStats = new PlacementBook();
  private readonly cores = availableParallelism();
  private readonly starts: StartGate;

  constructor(private readonly opts: ExecutorOptions) {
    this.instancesDir = join(opts.dataDir, "instances");
    this.starts = new StartGate(opts.maxConcurrentStarts ?? defaultMaxConcurrentStarts(this.cores));
    rmSync(this.instancesDir, { recursive: true, force: true });
    mkdirSync(this.instancesDir, { recursive: true, mode: 0o755 });
    const every = Math.max(50, Math.min(1000, Math.floor(opts.keepAliveMs / 4)));
    this.reaper = setInterval(() => this.reap(), every);
    this.reaper.unref();
  }

  private get endpointDir(): string | undefined {
    return this.opts.backend.isolated ? this.opts.endpointDir : undefined;
  }

  get isolated(): boolean {
    return this.opts.backend.isolated;
  }

  get sandboxPool(): SandboxPoolStats | undefined {
    return this.opts.backend.poolStats?.();
  }

  async invoke(spec: ExecutionSpec, req: InvokeRequest): Promise<InvokeResult> {
    if (this.closed) throw new VajraError("ShuttingDown", "the server is shutting down");
    const pool = this.pool(spec);
    const stats = this.placementStats.get(spec.poolKey);
    let inst = this.takeUsable(pool, spec) ?? (await this.waitForBusy(pool, stats));
    let warm = inst !== undefined;
    if (inst === undefined) {
      if (this.closed) throw new VajraError("ShuttingDown", "the server is shutting down");
      const startedAt = pool.beginStart();
      try {
        // While it waited at the start gate an instance may have come free: it takes that one instead.
        const slot = await this.starts.acquire();
        inst = this.closed ? undefined : this.takeUsable(pool, spec);
        warm = inst !== undefined;
        if (inst !== undefined) slot();
        else
          inst = await this.startInstance(spec, pool, "on-demand", slot).catch((err: unknown) => {
            slot(); // a start that failed before it used the slot (releasing twice is harmless)
            throw err;
          });
      } finally {
        pool.endStart(inst, startedAt);
      }
      if (!warm)
        void inst.whenReady().then((ready) => {
          if (ready) stats.recordCold(Date.now() - startedAt);
        });
    }
    const heldFrom = performance.now();
    try {
      const result = await inst.invoke(req);
      // The instance names the invocation's log stream.
      result.instance = { id: inst.id, startedAt: inst.createdAt, provisioned: inst.provisioned };
      return result;
    } finally {
      if (warm) stats.recordWarm(performance.now() - heldFrom);
      this.release(pool, inst, spec);
    }
  }

  /**
   * Every instance is busy: waits for one to free up when that is expected sooner than a cold start
   * (placement.ts); undefined when a new instance should start instead. A wait that runs out teaches
   * the figures (holds or starts take longer than believed) and the rule is asked again, a few times
   * at most: a start that is slow because the host is loaded is not helped by more starts.
   */
  private async waitForBusy(pool: Pool, stats: PlacementStats): Promise<Instance | undefined> {
    for (let round = 0; round < MAX_WAIT_ROUNDS; round++) {
      const view = {
        ...pool.placementCounts(),
        waiting: pool.waiters.length,
        warmMs: stats.warmMs,
        coldMs: stats.coldMs,
        cores: this.cores,
      };
      const budget = waitBudget(view);
      if (budget <= 0) return undefined;
      const inst = await pool.waiters.wait(budget);
      if (inst !== undefined) return inst;
      if (this.closed || pool.retired) return undefined;
      if (view.busyReady > 0) stats.waitTimedOut(budget, view.busyReady + view.starting, view.waiting + 1);
      else stats.startIsSlow(pool.placementCounts().startingAgeMs);
    }
    return undefined;
  }

  /**
   * After an invocation: the instance goes to the longest-waiting invocation of its pool if there is
   * one (it stays busy), else back to the idle list.
   */
  private release(pool: Pool, inst: Instance, spec: ExecutionSpec): void {
    if (
      inst.state === "idle" &&
      !pool.retired &&
      pool.waiters.length > 0 &&
      this.credentialsLast(inst, spec) &&
      pool.waiters.offer(inst)
    )
      return;
    pool.release(inst);
  }

  /** Whether the instance's credentials (if it has any) last through one more invocation. */
  private credentialsLast(inst: Instance, spec: ExecutionSpec): boolean {
    const expiresAt = this.credentialsExpiry.get(inst);
    return expiresAt === undefined || expiresAt > Date.now() + spec.timeoutSec * 1000 + CREDENTIALS_MARGIN_MS;
  }

  /**
   * An idle instance whose credentials last through one more invocation (timeout + a minute); one that
   * would expire is retired instead (a provisioned pool then starts a replacement with fresh ones).
   */
  private takeUsable(pool: Pool, spec: ExecutionSpec): Instance | undefined {
    for (let i = 0; i < 1000; i++) {
      const inst = pool.takeIdle();
      if (inst === undefined) return undefined;
      if (this.credentialsLast(inst, spec)) return inst;
      pool.forget(inst);
      inst.kill();
    }
    return undefined;
  }

  /** Counts of warm (idle) and busy instances of a function, over all its pools. */
  instanceCounts(functionId: string): { idle: number; busy: number } {
    const out = { idle: 0, busy: 0 };
    for (const p of this.pools.values()) {
      if (p.functionId !== functionId) continue;
      out.idle += p.counts.idle;
      out.busy += p.counts.busy;
    }
    return out;
  }

  /**
   * Stops idle instances of the function (of one version when given) now and busy ones when they
   * finish: after a change, a delete, or a reset.
   */
  retire(functionId: string, which: { version?: string; exceptPoolKey?: string } = {}): void {
    for (const p of this.pools.values()) {
      if (p.functionId !== functionId || p.key === which.exceptPoolKey) continue;
      if (which.version !== undefined && p.version !== which.version) continue;
      // Out of the map at once, so the next invocation starts a fresh pool; busy instances of the
      // retired pool finish their invocation and are then stopped by it.
      p.retire();
      this.pools.delete(p.key);
    }
  }

  /**
   * Keeps `count` instances of this spec initialised (Lambda's provisioned concurrency): starts what is
   * missing now, replaces any that die, and the reaper leaves them alone. 0 stops provisioning.
   */
  provision(spec: ExecutionSpec, count: number): void {
    const pool = this.pool(spec);
    pool.minWarm = count;
    this.topUp(spec, pool);
  }

  /** Stops provisioning for every pool of a function (before its configs are applied again). */
  clearProvisioning(functionId: string): void {
    for (const p of this.pools.values()) if (p.functionId === functionId) p.minWarm = 0;
  }

  provisionStatus(spec: ExecutionSpec): ProvisionStatus {
    const pool = this.pools.get(spec.poolKey);
    if (pool === undefined) return { requested: 0, allocated: 0, available: 0 };
    const c = pool.counts;
    return { requested: pool.minWarm, allocated: c.idle + pool.initializedBusy, available: c.idle };
  }

  private topUp(spec: ExecutionSpec, pool: Pool): void {
    if (this.closed || pool.retired) return;
    for (let i = pool.total; i < pool.minWarm; i++) {
      const startedAt = pool.beginStart();
      this.startInstance(spec, pool, "provisioned-concurrency").then(
        async (inst) => {
          const ready = await inst.whenReady();
          pool.endStart(undefined, startedAt);
          if (!ready) return;
          this.placementStats.get(spec.poolKey).recordCold(Date.now() - startedAt);
          pool.addWarm(inst);
        },
        () => {
          pool.endStart(undefined, startedAt);
          // The sandbox could not start: try again shortly rather than in a tight loop.
          setTimeout(() => this.topUp(spec, pool), 1000).unref();
        },
      );
    }
  }

  /** Kills every instance and waits (bounded) for them to exit. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    for (const p of this.pools.values()) p.waiters.drain();
    for (const inst of this.live) inst.kill();
    const deadline = Date.now() + 5000;
    while (this.liveMemoryMb > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const n of Object.values(this.opts.networks)) await n.close();
    await this.opts.onClose?.();
  }

  private pool(spec: ExecutionSpec): Pool {
    let p = this.pools.get(spec.poolKey);
    if (p === undefined) {
      p = new Pool(spec.poolKey, spec.functionId, spec.version);
      p.timeoutMs = spec.timeoutSec * 1000;
      this.pools.set(spec.poolKey, p);
    }
    return p;
  }

  private async startInstance(
    spec: ExecutionSpec,
    pool: Pool,
    initializationType: "on-demand" | "provisioned-concurrency" = "on-demand",
    /** A start-gate slot the caller already holds (released here, whatever happens). */
    heldSlot?: () => void,
  ): Promise<Instance> {
    const { runtime } = spec;
    if (!runtime.available || runtime.executable === undefined) {
      throw new VajraError(
        "RuntimeUnavailable",
        `runtime ${runtime.spec.id} is not available: ${runtime.reason ?? "unknown reason"}`,
      );
    }
    const optDir = spec.prepareOpt === undefined ? undefined : await spec.prepareOpt();
    const javaDir = runtime.spec.family === "java" ? await this.opts.javaRuntimeDir?.() : undefined;
    const launch = launchFor(
      runtime,
      spec.memoryMb,
      this.opts.runtimesDir,
      spec.codeDir,
      javaDir,
      javaDir === undefined ? undefined : this.opts.javaArchive?.(javaDir, runtime),
    );
    // Named networks share egress's bridge, each set of them with a block and rules of its own.
    const mode: NetworkMode = spec.network === "none" ? "none" : "egress";
    const names = spec.network === "none" || spec.network === "egress" ? [] : spec.network.split(",");
    const network = this.opts.networks[mode];
    if (network.unavailable !== undefined)
      throw new VajraError(
        "SandboxUnavailable",
        `${spec.functionName} uses network ${spec.network}, which this host cannot offer: ${network.unavailable}`,
      );
    const creds = spec.credentials?.();
    const releaseStart = heldSlot ?? (await this.starts.acquire());
    if (this.closed) {
      releaseStart();
      throw new VajraError("ShuttingDown", "the server is shutting down");
    }
    let net: Awaited<ReturnType<typeof network.attach>>;
    try {
      net = await network.attach(names);
    } catch (err) {
      releaseStart();
      throw err;
    }
    this.makeRoom(spec.memoryMb, pool);
    this.liveMemoryMb += spec.memoryMb;
    try {
      const inst = await Instance.start({
        backend: this.opts.backend,
        instancesDir: this.instancesDir,
        version: spec.version,
        ...(spec.logging === undefined
          ? {}
          : { platformLog: { format: spec.logging.format, systemLevel: spec.logging.systemLevel } }),
        initLog: platformInitStart(
          initInfo(runtime, spec.region, spec.functionName, spec.version, initializationType),
          spec.logging ?? TEXT_PLATFORM_LOG,
        ),
        initTimeoutMs: Math.max(INIT_TIMEOUT_MS, spec.timeoutSec * 1000),
        reportInitDuration: initializationType === "on-demand",
        freezeIdle: this.opts.freezeIdle,
        spec: {
          codeDir: spec.codeDir,
          runtimeDir: launch.runtimeDir,
          bindPaths: runtime.bindPaths,
          command: launch.command,
          env: {
            ...this.environment(spec),
            ...creds?.env,
            AWS_LAMBDA_INITIALIZATION_TYPE: initializationType,
          },
          memoryMb: spec.memoryMb,
          tmpSizeMb: spec.ephemeralStorageMb,
          ...(optDir === undefined ? {} : { optDir }),
          extraMounts: [
            ...this.sdkMounts(runtime, optDir),
            ...(this.endpointDir === undefined ? [] : [{ host: this.endpointDir, path: ENDPOINT_DIR }]),
          ],
          ...(net.netnsPath === undefined ? {} : { netnsPath: net.netnsPath, networkKey: spec.network }),
          ...(net.resolvConf === undefined ? {} : { resolvConf: net.resolvConf }),
        },
        onDeath: (dead) => {
          net.release();
          this.live.delete(dead);
          this.liveMemoryMb -= dead.memoryMb;
          if (this.evicting.delete(dead)) this.evictingMb -= dead.memoryMb;
          pool.forget(dead);
          // A provisioned instance that died is replaced.
          if (pool.minWarm > 0 && !pool.retired && this.pools.get(pool.key) === pool) this.topUp(spec, pool);
        },
      });
      this.live.add(inst);
      if (creds !== undefined) this.credentialsExpiry.set(inst, creds.expiresAt);
      // The slot is held until the runtime is ready (or died): that is what a start costs.
      void inst.whenReady().then(releaseStart);
      return inst;
    } catch (err) {
      releaseStart();
      net.release();
      this.liveMemoryMb -= spec.memoryMb;
      throw new VajraError(
        "SandboxUnavailable",
        `could not start an instance of ${spec.functionName}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  /**
   * Evicts least recently used idle instances until `mb` more fits in the warm-memory budget. Not those
   * of the pool being started for: one idle there came free during this start, and the invocations
   * queued behind it at the start gate take it (a burst beyond the budget would otherwise kill each
   * instance as it finished, and every queued invocation would start a new one).
   */
  private makeRoom(mb: number, startingFor: Pool): void {
    while (this.liveMemoryMb - this.evictingMb + mb > this.opts.maxWarmMemoryMb) {
      let victim: { pool: Pool; inst: Instance } | undefined;
      for (const p of this.pools.values()) {
        const inst = p !== startingFor && p.counts.idle > p.minWarm ? p.oldestIdle() : undefined;
        if (inst !== undefined && (victim === undefined || inst.lastUsed < victim.inst.lastUsed))
          victim = { pool: p, inst };
      }
      if (victim === undefined) return; // everything is busy: the budget is a soft cap for warm instances
      victim.pool.forget(victim.inst);
      // Its memory comes back in onDeath once it has exited; until then count it as leaving.
      this.evicting.add(victim.inst);
      this.evictingMb += victim.inst.memoryMb;
      victim.inst.kill();
    }
  }

  private reap(): void {
    const before = Date.now() - this.opts.keepAliveMs;
    for (const [key, p] of this.pools) {
      p.reap(before);
      // Idle instances whose credentials are about to expire go now (provisioned ones are replaced).
      p.reapIf((inst) => {
        const at = this.credentialsExpiry.get(inst);
        return at !== undefined && at <= Date.now() + p.timeoutMs + CREDENTIALS_MARGIN_MS;
      });
      if (p.empty) this.pools.delete(key);
    }
  }

  /**
   * The provided AWS SDKs, read-only, as Lambda's managed runtimes include them: boto3 for Python,
   * the SDK for JavaScript v3 for Node.js (with the view that lets the function's layers win over it).
   */
  private sdkMounts(runtime: RuntimeInfo, optDir: string | undefined): Mount[] {
    const sdks = this.opts.runtimeSdks;
    if (runtime.spec.family === "python" && sdks?.python !== undefined)
      return [{ host: sdks.python.dir, path: PYTHON_SDK_PATH }];
    // Older Node.js versions than the SDK's engines allow get none (Lambda's nodejs16.x had SDK v2).
    if (runtime.spec.family === "nodejs" && sdks?.node?.supports(runtime.version) === true)
      return [
        { host: sdks.node.dir, path: NODE_SDK_PATH },
        { host: sdks.node.viewFor(optDir), path: NODE_SDK_VIEW_PATH },
      ];
    return [];
  }

  /** Exactly Lambda's variables (AWS docs, "Defined runtime environment variables") plus the user's. */
  private environment(spec: ExecutionSpec): Record<string, string> {
    const r = spec.runtime;
    const binDir = r.executable === undefined ? "/usr/bin" : dirname(r.executable);
    const env: Record<string, string> = {
      ...spec.environment,
      _HANDLER: spec.handler,
      AWS_REGION: spec.region,
      AWS_DEFAULT_REGION: spec.region,
      ...(r.spec.executionEnv === "" ? {} : { AWS_EXECUTION_ENV: r.spec.executionEnv }),
      AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: spec.version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_LAMBDA_LOG_GROUP_NAME: spec.logging?.logGroup ?? logGroupName(spec.functionName),
      ...(spec.logging === undefined ? {} : loggingEnvironment(spec.logging)),
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(spec.version, randomBytes(16).toString("hex")),
      AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
      LAMBDA_TASK_ROOT: "/var/task",
      LAMBDA_RUNTIME_DIR: "/var/runtime",
      TZ: ":UTC",
      LANG: "C.UTF-8",
      PATH: `${binDir}:/usr/local/bin:/usr/bin:/bin:/opt/bin`,
      LD_LIBRARY_PATH: "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
    };
    if (this.endpointDir !== undefined) {
      // A function that names another endpoint itself keeps it (the relay still runs).
      env.AWS_ENDPOINT_URL_LAMBDA = spec.environment.AWS_ENDPOINT_URL_LAMBDA ?? `http://${ENDPOINT_ADDRESS}`;
    }
    const sdks = this.opts.runtimeSdks;
    // After the function's code and layers (the bootstrap puts /var/task and /opt/python first), as
    // Lambda's /var/lang/lib/python3.x/site-packages comes after them.
    if (r.spec.family === "python")
      env.PYTHONPATH =
        (env.PYTHONPATH ?? "/var/runtime") + (sdks?.python === undefined ? "" : `:${PYTHON_SDK_PATH}`);
    // Last, as on Lambda; inside a sandbox the /node_modules view finds the SDK first (also for ESM), this
    // entry serves the unsandboxed backend, which rewrites it to the host folder.
    if (r.spec.family === "nodejs")
      env.NODE_PATH =
        "/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task" +
        (sdks?.node?.supports(r.version) === true ? `:${NODE_SDK_PATH}` : "");
    return env;
  }
}
