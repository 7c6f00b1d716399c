// One execution environment: a sandboxed runtime process plus its Runtime API, serving one invocation
// at a time. Lifecycle: starting → idle ⇄ busy → dead. An idle instance whose runtime waits on /next
// is frozen (a flag, not a state) and thawed when an invocation is assigned. An instance that timed
// out, crashed or ran out of memory is dead and never reused; when it dies, the invocation pending on
// it is answered.

import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import type { Server, ServerResponse } from "node:http";
import { join } from "node:path";
import {
  billedDuration,
  platformEnd,
  platformReport,
  platformStart,
  platformStatus,
  TEXT_PLATFORM_LOG,
  type PlatformLogStyle,
} from "../core/lambda-format.js";
import { LIMITS } from "../core/limits.js";
import type { InvocationReport } from "../core/types.js";
import { createRuntimeApi, listenOnSocket } from "./runtime-api.js";
import {
  SOCKET_NAME,
  TASK_ROOT,
  instanceMounts,
  type Mount,
  type SandboxBackend,
  type SandboxExit,
  type SandboxProcess,
  type SandboxSpec,
} from "./sandbox.js";

export type InstanceState = "starting" | "idle" | "busy" | "dead";

export interface InvokeRequest {
  requestId: string;
  payload: Buffer;
  timeoutMs: number;
  invokedFunctionArn: string;
  traceId: string;
  /** JSON text for `Lambda-Runtime-Client-Context`. */
  clientContext?: string;
}

export interface InvokeResult {
  ok: boolean;
  body: Buffer;
  errorType?: string;
  log: string;
  report: InvocationReport;
  /** The instance that ran it (set by the executor). */
  instance?: { id: string; startedAt: number; provisioned: boolean };
}

interface Pending {
  req: InvokeRequest;
  resolve(r: InvokeResult): void;
  deliveredAt?: bigint;
  timer?: NodeJS.Timeout;
  /** Output from before this invocation (init, background work), shown before START. */
  prefix: string[];
  log: string[];
  logBytes: number;
  outcome?: { ok: boolean; body: Buffer; errorType?: string; extraLog?: string };
}

export interface InstanceOptions {
  backend: SandboxBackend;
  instancesDir: string;
  spec: Omit<SandboxSpec, "id" | "mounts" | "cwd"> & {
    codeDir: string;
    runtimeDir: string;
    optDir?: string;
    /** More folders to show, such as the provided AWS SDKs. */
    extraMounts?: readonly Mount[];
  };
  version: string;
  /** How START/END/REPORT are written (the function's LoggingConfig); absent: Lambda's text lines. */
  platformLog?: PlatformLogStyle;
  /** INIT_START (or platform.initStart): the first line of the environment's log. */
  initLog?: string;
  /** Longest the runtime may take to initialise before the instance is abandoned. */
  initTimeoutMs: number;
  /**
   * Report Init Duration on the first invocation (an on-demand cold start). Provisioned instances
   * initialise ahead of traffic, so Lambda reports no init on their invocations.
   */
  reportInitDuration: boolean;
  /**
   * Freeze the instance's processes while it is idle (Lambda freezes an execution environment once
   * its invocation has ended and the runtime has asked for the next event, and thaws it for the next).
   */
  freezeIdle: boolean;
  onDeath(instance: Instance): void;
}

const MB = 1024 * 1024;
/** How long an instance idles, runtime parked on /next, before it is frozen. */
export const FREEZE_GRACE_MS = 10;

function errorBody(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

export class Instance {
  readonly id = randomBytes(16).toString("hex");
  readonly createdAt = Date.now();
  readonly memoryMb: number;
  /** Started for provisioned concurrency (its invocations are billed at the provisioned price). */
  readonly provisioned: boolean;
  state: InstanceState = "starting";
  lastUsed = Date.now();
  private readonly dir: string;
  private readonly server: Server;
  private proc: SandboxProcess | undefined;
  private readonly spawnedAt = process.hrtime.bigint();
  private initDurationMs: number | undefined;
  /** Init duration still to be reported on the first invocation's REPORT line. */
  private unreportedInit = true;
  private parkedNext: ServerResponse | undefined;
  private pending: Pending | undefined;
  /** Output written while no invocation ran (init, background work): prefixed to the next log. */
  private looseLog: string[] = [];
  private initError: { errorType: string; body: Buffer } | undefined;
  private initTimer: NodeJS.Timeout | undefined;
  /** The sandbox's processes are frozen: only while idle with the runtime parked on /next. */
  private frozen = false;
  /** A freeze is scheduled (freezeSoon). */
  private freezeTimer: NodeJS.Timeout | undefined;
  /** When it last went idle (performance.now()), for the freeze grace. */
  private idleSince = 0;
  /** kill() was called: the process tree is on its way out and must not be frozen. */
  private killed = false;
  private readonly readyWaiters: Array<(ready: boolean) => void> = [];

  private constructor(private readonly opts: InstanceOptions) {
    this.memoryMb = opts.spec.memoryMb;
    this.provisioned = !opts.reportInitDuration;
    this.unreportedInit = opts.reportInitDuration;
    if (opts.initLog !== undefined && opts.initLog !== "") this.looseLog.push(opts.initLog);
    this.dir = join(opts.instancesDir, this.id);
    this.server = createRuntimeApi({
      next: (res) => this.onNext(res),
      response: (id, body) => this.onResult(id, { ok: true, body }),
      responseTooLarge: (id) =>
        this.onResult(id, {
          ok: false,
          errorType: "Function.ResponseSizeTooLarge",
          body: errorBody(
            "Function.ResponseSizeTooLarge",
            `Response payload size exceeded maximum allowed payload size (${LIMITS.syncResponseBytes} bytes).`,
          ),
        }),
      error: (id, type, body) =>
        this.onResult(id, { ok: false, body, errorType: reportedErrorType(type, body) ?? "Unhandled" }),
      initError: (type, body) => {
        this.initError = { errorType: reportedErrorType(type, body) ?? "Runtime.Unknown", body };
      },
    });
  }

  /** Spawns the sandbox; the instance is usable at once (the first invocation waits for init). */
  static async start(opts: InstanceOptions): Promise<Instance> {
    const inst = new Instance(opts);
    mkdirSync(inst.dir, { recursive: true, mode: 0o755 });
    try {
      // Listening starts now and a pre-initialised sandbox is prepared meanwhile; its program goes on
      // (and connects) only once the socket listens.
      const listening = listenOnSocket(inst.server, join(inst.dir, SOCKET_NAME));
      listening.catch(() => undefined); // awaited below on every path; this only marks it handled
      const { codeDir, runtimeDir, optDir, extraMounts, ...rest } = opts.spec;
      const sandboxSpec = {
        ...rest,
        id: inst.id,
        cwd: TASK_ROOT,
        mounts: [
          ...instanceMounts({
            codeDir,
            runtimeDir,
            instanceDir: inst.dir,
            ...(optDir === undefined ? {} : { optDir }),
          }),
          ...(extraMounts ?? []),
        ],
      };
      // A pre-initialised sandbox when the backend has one for this spec; Init Duration then counts
      // from here, the time the function actually waits.
      const claimed = await opts.backend.claim?.(sandboxSpec, listening);
      await listening;
      inst.proc = claimed ?? opts.backend.spawn(sandboxSpec);
    } catch (err) {
      inst.cleanup();
      throw err;
    }
    const proc = inst.proc;
    proc.stdout.on("data", (c: Buffer) => inst.onOutput(c));
    proc.stderr.on("data", (c: Buffer) => inst.onOutput(c));
    proc.exited.then(
      (exit) => inst.onExit(exit),
      () => inst.onExit({ code: null, signal: null }),
    );
    inst.initTimer = setTimeout(() => inst.kill(), opts.initTimeoutMs);
    return inst;
  }

  /** Resolves true once the runtime has initialised (asked for its first event), false if it died first. */
  whenReady(): Promise<boolean> {
    if (this.initDurationMs !== undefined) return Promise.resolve(true);
    if (this.state === "dead") return Promise.resolve(false);
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  get initialized(): boolean {
    return this.initDurationMs !== undefined;
  }

  /** Runs one invocation. Never rejects: failures come back as function errors. */
  invoke(req: InvokeRequest): Promise<InvokeResult> {
    return new Promise<InvokeResult>((resolve) => {
      if (this.state === "dead") {
        resolve(
          this.failure(req, "Runtime.ExitError", "Runtime exited before the invocation", [], undefined),
        );
        return;
      }
      this.state = "busy";
      // Thawed before the event is handed over, so the deadline counts running time only.
      if (this.frozen) {
        this.frozen = false;
        this.proc?.thaw();
      }
      this.pending = { req, resolve, prefix: this.looseLog, log: [], logBytes: 0 };
      this.looseLog = [];
      if (this.parkedNext !== undefined) {
        const res = this.parkedNext;
        this.parkedNext = undefined;
        this.deliver(res);
      }
    });
  }

  /** Kills the process tree; the pending invocation (if any) is answered by the exit handler. */
  kill(): void {
    // Never frozen after this: a task frozen with a SIGKILL pending would not die, and the instance
    // (and a server waiting for it at shutdown) would wait forever.
    this.killed = true;
    this.proc?.kill();
  }

  private onNext(res: ServerResponse): void {
    if (this.initDurationMs === undefined) {
      this.initDurationMs = Number(process.hrtime.bigint() - this.spawnedAt) / 1e6;
      clearTimeout(this.initTimer);
      if (this.state === "starting") this.state = "idle";
      for (const w of this.readyWaiters.splice(0)) w(true);
    }
    if (this.pending !== undefined && this.pending.deliveredAt === undefined) this.deliver(res);
    else {
      this.parkedNext = res;
      this.freezeSoon();
    }
  }

  /**
   * Freezes the idle instance FREEZE_GRACE_MS after it went idle, off the response path. An invocation
   * assigned in between wins: it finds the instance not frozen, or thaws it. The grace spares
   * back-to-back invocations a freeze and a thaw each: both wake every thread of the runtime, and a
   * Node.js runtime (seven threads) paid milliseconds per invocation for them under load.
   */
  private freezeSoon(): void {
    if (!this.opts.freezeIdle) return;
    // The grace counts from the latest time it went idle: a timer left from an earlier idle moment
    // must not freeze an instance that has just finished another invocation (under load, that froze
    // and thawed it on nearly every invocation).
    this.idleSince = performance.now();
    if (this.freezeTimer === undefined) this.scheduleFreeze(FREEZE_GRACE_MS);
  }

  private scheduleFreeze(delayMs: number): void {
    this.freezeTimer = setTimeout(() => {
      this.freezeTimer = undefined;
      if (
        this.frozen ||
        this.killed ||
        this.state !== "idle" ||
        this.pending !== undefined ||
        this.parkedNext === undefined
      )
        return;
      const idleFor = performance.now() - this.idleSince;
      if (idleFor < FREEZE_GRACE_MS) return this.scheduleFreeze(FREEZE_GRACE_MS - idleFor);
      this.frozen = true;
      this.proc?.freeze();
    }, delayMs);
  }

  private deliver(res: ServerResponse): void {
    const p = this.pending;
    if (p === undefined) return;
    p.deliveredAt = process.hrtime.bigint();
    const { req } = p;
    const headers: Record<string, string | number> = {
      "content-type": "application/json",
      "content-length": req.payload.length,
      "lambda-runtime-aws-request-id": req.requestId,
      "lambda-runtime-deadline-ms": Date.now() + req.timeoutMs,
      "lambda-runtime-invoked-function-arn": req.invokedFunctionArn,
      "lambda-runtime-trace-id": req.traceId,
    };
    if (req.clientContext !== undefined) headers["lambda-runtime-client-context"] = req.clientContext;
    p.timer = setTimeout(() => this.onTimeout(p), req.timeoutMs);
    res.writeHead(200, headers);
    res.end(req.payload);
  }

  private onOutput(chunk: Buffer): void {
    const text = chunk.toString("utf8");
    const p = this.pending;
    if (p === undefined) {
      this.looseLog.push(text);
      return;
    }
    // Until the event is handed over, output belongs to init: Lambda shows it before START.
    if (p.deliveredAt === undefined) {
      p.prefix.push(text);
      return;
    }
    if (p.logBytes >= LIMITS.logKeepBytes) return;
    p.logBytes += chunk.length;
    p.log.push(
      p.logBytes > LIMITS.logKeepBytes ? text.slice(0, 1024) + "\n[log truncated: more than 256 KB]\n" : text,
    );
  }

  private onResult(requestId: string, outcome: NonNullable<Pending["outcome"]>): void {
    const p = this.pending;
    if (p === undefined || p.req.requestId !== requestId || p.outcome !== undefined) return;
    p.outcome = outcome;
    clearTimeout(p.timer);
    // Output the runtime wrote before posting its result is already in the pipes; let the event loop
    // read it before the log is closed.
    setImmediate(() => this.finish(p, false));
  }

  private onTimeout(p: Pending): void {
    if (p.outcome !== undefined || this.pending !== p) return;
    const secs = (p.req.timeoutMs / 1000).toFixed(2);
    const message = `RequestId: ${p.req.requestId} Error: Task timed out after ${secs} seconds`;
    p.outcome = {
      ok: false,
      errorType: "Sandbox.Timedout",
      body: errorBody("Sandbox.Timedout", message),
      extraLog: `${new Date().toISOString()} ${message}\n`,
    };
    this.kill();
    this.finish(p, true);
  }

  private finish(p: Pending, dying: boolean): void {
    if (this.pending !== p || p.outcome === undefined) return;
    this.pending = undefined;
    const end = process.hrtime.bigint();
    const durationMs = p.deliveredAt === undefined ? 0 : Number(end - p.deliveredAt) / 1e6;
    const report: InvocationReport = {
      durationMs,
      billedDurationMs: billedDuration(durationMs),
      memorySizeMb: this.memoryMb,
      maxMemoryUsedMb: Math.min(this.memoryMb, Math.ceil((this.proc?.peakMemoryBytes() ?? 0) / MB)),
    };
    if (this.unreportedInit) {
      this.unreportedInit = false;
      report.initDurationMs = this.initDurationMs ?? Number(end - this.spawnedAt) / 1e6;
    }
    const { req, outcome } = p;
    // Output without a final newline (print! in Rust, process.stdout.write) still ends before END.
    const body = p.log.join("") + (outcome.extraLog ?? "");
    const log =
      p.prefix.join("") +
      platformStart(req.requestId, this.opts.version, this.logStyle()) +
      body +
      (body === "" || body.endsWith("\n") ? "" : "\n") +
      platformEnd(req.requestId, platformStatus(outcome.errorType), durationMs, this.logStyle()) +
      platformReport(
        req.requestId,
        report,
        platformStatus(outcome.errorType),
        this.logStyle(),
        outcome.errorType,
      );
    this.lastUsed = Date.now();
    if (!dying && this.state === "busy") this.state = "idle";
    const result: InvokeResult = { ok: outcome.ok, body: outcome.body, log, report };
    if (outcome.errorType !== undefined) result.errorType = outcome.errorType;
    p.resolve(result);
    // The runtime may already be waiting for its next event.
    if (this.parkedNext !== undefined) this.freezeSoon();
  }

  /** The function's LoggingConfig as the platform lines need it (Text by default). */
  private logStyle(): PlatformLogStyle {
    return this.opts.platformLog ?? TEXT_PLATFORM_LOG;
  }

  private failure(
    req: InvokeRequest,
    errorType: string,
    message: string,
    log: string[],
    deliveredAt: bigint | undefined,
  ): InvokeResult {
    const durationMs = deliveredAt === undefined ? 0 : Number(process.hrtime.bigint() - deliveredAt) / 1e6;
    const report: InvocationReport = {
      durationMs,
      billedDurationMs: billedDuration(durationMs),
      memorySizeMb: this.memoryMb,
      maxMemoryUsedMb: Math.min(this.memoryMb, Math.ceil((this.proc?.peakMemoryBytes() ?? 0) / MB)),
    };
    return {
      ok: false,
      errorType,
      body: errorBody(errorType, message),
      log:
        log.join("") +
        platformStart(req.requestId, this.opts.version, this.logStyle()) +
        platformEnd(req.requestId, platformStatus(errorType), durationMs, this.logStyle()) +
        platformReport(req.requestId, report, platformStatus(errorType), this.logStyle(), errorType),
      report,
    };
  }

  private onExit(exit: SandboxExit): void {
    clearTimeout(this.initTimer);
    // Read what the cgroup knows before release() removes it.
    const oom = this.proc?.oomKilled() ?? false;
    const p = this.pending;
    if (p !== undefined && p.outcome === undefined) {
      clearTimeout(p.timer);
      const id = p.req.requestId;
      if (this.initError !== undefined && p.deliveredAt === undefined) {
        p.outcome = { ok: false, errorType: this.initError.errorType, body: this.initError.body };
      } else {
        const how =
          exit.signal !== null
            ? `signal: ${exit.signal === "SIGKILL" ? "killed" : exit.signal}`
            : `exit status ${exit.code ?? "unknown"}`;
        const errorType = oom ? "Runtime.OutOfMemory" : "Runtime.ExitError";
        const message = oom
          ? `RequestId: ${id} Error: Runtime exited with error: signal: killed (out of memory: the function used more than its ${this.memoryMb} MB)`
          : `RequestId: ${id} Error: Runtime exited with error: ${how}`;
        p.outcome = {
          ok: false,
          errorType,
          body: errorBody(errorType, message),
          extraLog: `${message}\n${errorType}\n`,
        };
      }
    }
    this.state = "dead";
    this.parkedNext = undefined;
    for (const w of this.readyWaiters.splice(0)) w(false);
    // The pipes may still hold the last output: close the log after they drain.
    setImmediate(() => {
      if (p !== undefined) this.finish(p, true);
      this.cleanup();
      this.opts.onDeath(this);
    });
  }

  private cleanup(): void {
    clearTimeout(this.freezeTimer);
    this.server.close();
    this.server.closeAllConnections();
    this.proc?.release();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function errorTypeOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { errorType?: unknown };
    return typeof parsed.errorType === "string" ? parsed.errorType : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The error type of a result: the Lambda-Runtime-Function-Error-Type header, else the body's. A name
 * no header can carry comes percent-encoded (Vajra's Node.js runtime does so); when it decodes to the
 * body's errorType, that is the name.
 */
export function reportedErrorType(header: string | undefined, body: Buffer): string | undefined {
  if (header === undefined) return errorTypeOf(body);
  if (!/%[0-9A-Fa-f]{2}/.test(header)) return header;
  const inBody = errorTypeOf(body);
  try {
    return inBody !== undefined && decodeURIComponent(header) === inBody ? inBody : header;
  } catch {
    return header;
  }
}
