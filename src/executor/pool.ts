// Warm instances of one function version (one pool per code+configuration revision). Idle instances
// are reused most-recently-used first, so the fewest stay warm; the executor reaps the ones idle past
// the keep-alive. A retired pool (the function changed or was deleted) lets busy instances finish and
// then stops them.

import type { Instance } from "./instance.js";
import { WaitQueue } from "./placement.js";

export class Pool {
  private readonly idle: Instance[] = [];
  private readonly busy = new Set<Instance>();
  /** When each start in progress began (epoch ms), oldest first. */
  private readonly startedAt: number[] = [];
  /** Invocations waiting for a busy instance to free up (see placement.ts). */
  readonly waiters = new WaitQueue<Instance>();
  retired = false;
  /** The version's invocation timeout (what an idle instance's credentials must outlive). */
  timeoutMs = 0;
  /** Provisioned concurrency: instances kept initialised and never reaped. */
  minWarm = 0;

  constructor(
    readonly key: string,
    /** The function's `region/name`. */
    readonly functionId: string,
    readonly version: string,
  ) {}

  /** A warm idle instance, or undefined when a cold start is needed. */
  takeIdle(): Instance | undefined {
    for (;;) {
      const inst = this.idle.pop();
      if (inst === undefined) return undefined;
      if (inst.state === "idle") {
        this.busy.add(inst);
        return inst;
      }
    }
  }

  /** Counts a start in progress; pass what it returns to endStart. */
  beginStart(): number {
    const at = Date.now();
    this.startedAt.push(at);
    return at;
  }

  endStart(inst: Instance | undefined, startedAt: number): void {
    const i = this.startedAt.indexOf(startedAt);
    if (i >= 0) this.startedAt.splice(i, 1);
    if (inst !== undefined) this.busy.add(inst);
  }

  private get starting(): number {
    return this.startedAt.length;
  }

  /**
   * What placement looks at: busy instances that are initialised, instances on their way (being
   * spawned, or spawned and initialising with their first invocation), and how long (ms) the oldest
   * of those has been on its way.
   */
  placementCounts(): { busyReady: number; starting: number; startingAgeMs: number } {
    const now = Date.now();
    let busyReady = 0;
    let starting = this.startedAt.length;
    let oldest = this.startedAt[0] ?? now;
    for (const inst of this.busy) {
      if (inst.initialized) busyReady++;
      else {
        starting++;
        if (inst.createdAt < oldest) oldest = inst.createdAt;
      }
    }
    return { busyReady, starting, startingAgeMs: now - oldest };
  }

  /** Returns an instance after an invocation; true when it went back to the idle list. */
  release(inst: Instance): boolean {
    this.busy.delete(inst);
    if (inst.state !== "idle") return false;
    if (this.retired) {
      inst.kill();
      return false;
    }
    this.idle.push(inst);
    return true;
  }

  forget(inst: Instance): void {
    this.busy.delete(inst);
    const i = this.idle.indexOf(inst);
    if (i >= 0) this.idle.splice(i, 1);
  }

  /**
   * Adds a freshly initialised (provisioned) instance: to the longest-waiting invocation if there is
   * one (it is then busy), else to the idle list.
   */
  addWarm(inst: Instance): void {
    if (this.retired) {
      inst.kill();
      return;
    }
    this.busy.add(inst);
    if (this.waiters.offer(inst)) return;
    this.busy.delete(inst);
    this.idle.push(inst);
  }

  /** Instances that exist or are starting: what provisioned concurrency counts. */
  get total(): number {
    return this.idle.length + this.busy.size + this.starting;
  }

  /** Kills the idle instances `doomed` picks (provisioned ones too: the executor replaces them). */
  reapIf(doomed: (inst: Instance) => boolean): void {
    for (const inst of [...this.idle]) {
      if (!doomed(inst)) continue;
      this.forget(inst);
      inst.kill();
    }
  }

  /** Kills idle instances unused since `before` (epoch ms), keeping `minWarm` instances; returns how many. */
  reap(before: number): number {
    let n = 0;
    for (const inst of [...this.idle]) {
      if (this.idle.length + this.busy.size <= this.minWarm) break;
      if (inst.lastUsed < before) {
        this.forget(inst);
        inst.kill();
        n++;
      }
    }
    return n;
  }

  /** The least recently used idle instance, for the host memory budget. */
  oldestIdle(): Instance | undefined {
    return this.idle[0];
  }

  retire(): void {
    this.retired = true;
    for (const inst of this.idle.splice(0)) inst.kill();
    // Waiting invocations start an instance of their own instead (as those in flight did before).
    this.waiters.drain();
  }

  /** Busy instances that finished initialising (not the ones still starting). */
  get initializedBusy(): number {
    let n = 0;
    for (const inst of this.busy) if (inst.initialized) n++;
    return n;
  }

  get counts(): { idle: number; busy: number } {
    return { idle: this.idle.length, busy: this.busy.size + this.starting };
  }

  get empty(): boolean {
    return this.idle.length === 0 && this.busy.size === 0 && this.starting === 0;
  }
}
