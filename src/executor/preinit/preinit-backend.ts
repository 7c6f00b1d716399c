// Pre-initialised sandboxes: a cold start takes a sandbox whose namespaces, cgroup and interpreter are
// already up, binds the function's code and Runtime API folder into it and hands it the function's
// environment, instead of starting bubblewrap and an interpreter while the request waits. It wraps the
// real backend (bubblewrap): every sandbox is still made by it, with the same isolation; a pre-initialised
// one is generic until assigned, serves exactly one instance of one function version, and is never
// returned to the pool. The pool holds sandboxes only for specs that recently cold-started, refills in the
// background after each take, empties when that demand stops or the host runs short of memory, and falls
// back to an ordinary start whenever an assignment fails.

import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { mkdirSync, readFileSync, rmSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import type { NetworkAttachment } from "../network/network.js";
import type { SandboxBackend, SandboxPoolStats, SandboxProcess, SandboxSpec } from "../sandbox.js";
import {
  READY_BYTE,
  SLOT_PATHS,
  assignmentMessage,
  genericSpec,
  preinitKey,
  type SlotName,
} from "./preinit-spec.js";

/**
 * How long after a take the pool starts its replacement by default: a sandbox started at once would
 * compete for the CPU (and, while node forks, the event loop) with the cold start it serves, which needs
 * both for a few more milliseconds.
 */
const REFILL_DELAY_MS = 15;

/** Binds host folders onto slot folders, reaching running sandboxes (mounter.ts). */
export interface SlotMounter {
  bind(host: string, target: string): Promise<void>;
  unmount(target: string): Promise<void>;
}

export interface PreinitOptions {
  /** The folder (a shared mount, see Mounter) under which each sandbox gets its slot folders. */
  root: string;
  mounter: SlotMounter;
  /** Ready sandboxes kept per key (spec shape) that recently cold-started. */
  perKey: number;
  /** Ready sandboxes kept in all. */
  maxTotal: number;
  /** A key nobody cold-started for this long loses its ready sandboxes. */
  idleMs: number;
  /** The memory limit a waiting sandbox has until it is assigned (then the function's). */
  waitingMemoryMb: number;
  /** Below this share of available host memory, no sandbox waits. */
  minAvailableShare: number;
  /**
   * The Python that runs the exec waiter (preinit-spec.ts) for runtimes whose bootstrap does not wait by
   * itself; absent: only Python and Node.js functions are served from the pool.
   */
  execWaiter?: string;
  /** Delay between a take and the start of its replacement (default REFILL_DELAY_MS). */
  refillDelayMs?: number;
  /** A plain egress namespace for a waiting sandbox of an egress function (absent: none are kept). */
  attachEgress?: () => Promise<NetworkAttachment>;
  onWarning?: (message: string) => void;
}

interface Waiting {
  key: string;
  id: string;
  slot: string;
  proc: SandboxProcess;
  /** Its stdout minus the ready byte: what the instance reads as the function's output. */
  stdout: PassThrough;
  /** The bootstrap has loaded and waits for its assignment (it wrote READY_BYTE). */
  ready: boolean;
  dead: boolean;
  /** Its own egress namespace, released with it. */
  net?: NetworkAttachment;
}

interface Demand {
  spec: SandboxSpec;
  lastUsed: number;
}

/** Share of host memory available (MemAvailable / MemTotal); 1 when /proc/meminfo cannot be read. */
function availableShare(): number {
  try {
    const info = readFileSync("/proc/meminfo", "utf8");
    const total = Number(/MemTotal:\s+(\d+)/.exec(info)?.[1]);
    const avail = Number(/MemAvailable:\s+(\d+)/.exec(info)?.[1]);
    return total > 0 && Number.isFinite(avail) ? avail / total : 1;
  } catch {
    return 1;
  }
}

export class PreinitBackend implements SandboxBackend {
  readonly isolated: boolean;
  readonly freezing: SandboxBackend["freezing"];
  private readonly ready = new Map<string, Waiting[]>();
  private readonly demand = new Map<string, Demand>();
  /** Sandboxes being started per key (an egress one waits for its namespace first). */
  private readonly starting = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;
  private readonly stats = { taken: 0, started: 0, discarded: 0, fellBack: 0 };

  constructor(
    private readonly inner: SandboxBackend,
    private readonly opts: PreinitOptions,
  ) {
    this.isolated = inner.isolated;
    this.freezing = inner.freezing;
    this.sweeper = setInterval(() => this.sweep(), Math.min(30_000, opts.idleMs)).unref();
  }

  spawn(spec: SandboxSpec): SandboxProcess {
    return this.inner.spawn(spec);
  }

  poolStats(): SandboxPoolStats {
    let ready = 0;
    for (const list of this.ready.values()) for (const w of list) if (w.ready) ready++;
    return { waiting: this.waiting(), ready, ...this.stats };
  }

  /** How many sandboxes wait, in all or for the key of `spec`. */
  waiting(spec?: SandboxSpec): number {
    if (spec === undefined) return [...this.ready.values()].reduce((n, l) => n + l.length, 0);
    const key = preinitKey(spec, this.opts.execWaiter);
    return key === undefined ? 0 : (this.ready.get(key)?.length ?? 0);
  }

  async claim(spec: SandboxSpec, before?: Promise<unknown>): Promise<SandboxProcess | undefined> {
    const key = preinitKey(spec, this.opts.execWaiter);
    if (key === undefined || this.closed) return undefined;
    this.demand.set(key, { spec, lastUsed: Date.now() });
    const list = this.ready.get(key) ?? [];
    for (const dead of list.filter((x) => x.dead)) {
      list.splice(list.indexOf(dead), 1);
      this.discard(dead);
    }
    // A ready one if there is one; else the oldest, which has come furthest.
    const at = Math.max(
      0,
      list.findIndex((x) => x.ready),
    );
    const w = list.splice(at, 1)[0];
    if (w === undefined) {
      this.refillSoon(key);
      return undefined;
    }
    try {
      const proc = await this.assign(w, spec, before);
      this.stats.taken++;
      this.refillSoon(key, this.opts.refillDelayMs ?? REFILL_DELAY_MS);
      return proc;
    } catch (err) {
      this.stats.fellBack++;
      this.refillSoon(key);
      this.opts.onWarning?.(
        `a pre-initialised sandbox could not be assigned (${(err as Error).message}); starting one`,
      );
      this.discard(w);
      return undefined;
    }
  }

  /** Kills every waiting sandbox; the mounter (which unmounts the rest) is closed by its owner. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const list of this.ready.values()) for (const w of list.splice(0)) this.discard(w);
  }

  private async assign(w: Waiting, spec: SandboxSpec, before?: Promise<unknown>): Promise<SandboxProcess> {
    if (w.dead) throw new Error("it exited while waiting");
    const hostOf = (path: string): string | undefined => spec.mounts.find((m) => m.path === path)?.host;
    const binds: Array<[SlotName, string]> = [];
    for (const name of Object.keys(SLOT_PATHS) as SlotName[]) {
      const host = hostOf(SLOT_PATHS[name]);
      if (host !== undefined) binds.push([name, host]);
    }
    await Promise.all([
      ...binds.map(([name, host]) => this.opts.mounter.bind(host, join(w.slot, name))),
      before,
    ]);
    w.proc.setLimits?.(spec.memoryMb, spec.pidsMax);
    const stdin = w.proc.stdin;
    if (stdin === undefined || w.dead) throw new Error("it has no stdin or exited");
    stdin.end(assignmentMessage(spec.env));
    return { ...w.proc, stdout: w.stdout, release: () => this.releaseSlot(w) };
  }

  private refillSoon(key: string, delayMs = 0): void {
    if (delayMs === 0) setImmediate(() => void this.refill(key));
    else setTimeout(() => void this.refill(key), delayMs).unref();
  }

  private async refill(key: string): Promise<void> {
    const d = this.demand.get(key);
    if (d === undefined || this.closed) return;
    const list = this.ready.get(key) ?? [];
    this.ready.set(key, list);
    const egress = d.spec.netnsPath !== undefined;
    if (egress && this.opts.attachEgress === undefined) return;
    const pending = (): number => this.starting.get(key) ?? 0;
    while (
      list.length + pending() < this.opts.perKey &&
      this.waiting() + pending() < this.opts.maxTotal &&
      availableShare() >= this.opts.minAvailableShare &&
      !this.closed
    ) {
      this.starting.set(key, pending() + 1);
      try {
        const net = egress ? await this.opts.attachEgress?.() : undefined;
        const w = this.start(key, d.spec, net);
        if (w === undefined) return;
        if (this.closed) this.discard(w);
        else list.push(w);
      } catch (err) {
        this.opts.onWarning?.(`could not prepare a sandbox's network: ${(err as Error).message}`);
        return;
      } finally {
        this.starting.set(key, pending() - 1);
      }
    }
  }

  private start(key: string, like: SandboxSpec, net: NetworkAttachment | undefined): Waiting | undefined {
    const id = randomBytes(16).toString("hex");
    const slot = join(this.opts.root, id);
    try {
      for (const name of Object.keys(SLOT_PATHS))
        mkdirSync(join(slot, name), { recursive: true, mode: 0o755 });
      const dirs = Object.fromEntries(Object.keys(SLOT_PATHS).map((n) => [n, join(slot, n)])) as Record<
        SlotName,
        string
      >;
      const proc = this.inner.spawn(
        genericSpec(like, id, dirs, this.opts.waitingMemoryMb, net?.netnsPath, this.opts.execWaiter),
      );
      const w: Waiting = {
        key,
        id,
        slot,
        proc,
        stdout: new PassThrough(),
        ready: false,
        dead: false,
        ...(net === undefined ? {} : { net }),
      };
      // The first byte the bootstrap writes says it is ready; all after it is the function's output.
      proc.stdout.on("data", (chunk: Buffer) => {
        const at = w.ready ? -1 : chunk.indexOf(READY_BYTE);
        if (at >= 0) {
          w.ready = true;
          chunk = Buffer.concat([chunk.subarray(0, at), chunk.subarray(at + 1)]);
        }
        if (chunk.length > 0) w.stdout.write(chunk);
      });
      proc.stdout.once("end", () => w.stdout.end());
      // Until it is assigned nobody reads its output; an exit while waiting takes it out of the pool.
      void proc.exited.then(() => {
        w.dead = true;
        const list = this.ready.get(key);
        const at = list?.indexOf(w) ?? -1;
        if (at >= 0) {
          list?.splice(at, 1);
          this.releaseSlot(w);
        }
      });
      this.stats.started++;
      return w;
    } catch (err) {
      this.opts.onWarning?.(`could not start a pre-initialised sandbox: ${(err as Error).message}`);
      net?.release();
      rmSync(slot, { recursive: true, force: true });
      return undefined;
    }
  }

  private discard(w: Waiting): void {
    this.stats.discarded++;
    w.proc.kill();
    void w.proc.exited.then(() => this.releaseSlot(w));
  }

  /** After the sandbox exited: its cgroup goes, its slot folders are unmounted and removed. */
  private releaseSlot(w: Waiting): void {
    w.proc.release();
    w.net?.release();
    const names = Object.keys(SLOT_PATHS);
    void Promise.allSettled(names.map((n) => this.opts.mounter.unmount(join(w.slot, n)))).then(() => {
      // Only empty folders are left once unmounted; rmdir, not rm -r, so a mount still there is never entered.
      for (const dir of [...names.map((n) => join(w.slot, n)), w.slot])
        try {
          rmdirSync(dir);
        } catch {
          // still mounted (unmounting failed) or already gone: the mount helper's exit cleans up
        }
    });
  }

  /** Drops the sandboxes of keys no cold start asked for lately, and all of them when memory runs short. */
  private sweep(): void {
    const now = Date.now();
    const short = availableShare() < this.opts.minAvailableShare;
    for (const [key, d] of this.demand) {
      if (!short && now - d.lastUsed < this.opts.idleMs) continue;
      if (now - d.lastUsed >= this.opts.idleMs) this.demand.delete(key);
      for (const w of this.ready.get(key)?.splice(0) ?? []) this.discard(w);
    }
  }
}
