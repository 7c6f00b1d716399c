// Placement: where an invocation runs when no instance of its function version is idle. Lambda's
// contract stays (one event per instance at a time); what changes is that a new instance is not
// always the fastest answer. On a small host, warm invocations of a hello function take well under a
// millisecond while a cold start takes tens of milliseconds and competes for the same CPUs, so 32
// clients do not need 32 instances: when every instance is busy and one is expected to free up
// sooner than a new one could start, the invocation waits for it (bounded by the cold-start time,
// after which it starts one after all). The figures come from what this version did before: the
// mean time an instance is held by a warm invocation and the mean cold start (spawn to ready).
// Nothing is known before the first invocations: then, as before, a new instance starts.
//
// Admission is not decided here: a waiting invocation is already in flight for reserved concurrency
// and the account limit (the engine counts it before the executor sees it), so throttling is as it
// was. The wait also does not count against the function's timeout, which starts when the event is
// handed to the runtime.

/** One wait lasts at most this long; the executor then asks again (a few times) or starts an instance. */
export const MAX_WAIT_MS = 1000;

/** What the decision looks at, for one pool (one function version) at the moment of the invocation. */
export interface PlacementView {
  /** Initialised instances running an invocation. */
  busyReady: number;
  /** Instances being started (cold), not yet ready. */
  starting: number;
  /** Invocations already waiting for an instance of this pool. */
  waiting: number;
  /** Mean time (ms) a warm invocation holds an instance; undefined before any was seen. */
  warmMs: number | undefined;
  /** Mean cold start (ms, spawn to ready); undefined before any was seen. */
  coldMs: number | undefined;
  /** How long (ms) the oldest start in progress has been running (0 when none). */
  startingAgeMs: number;
  /** CPUs of the host: starts beyond this many at once slow each other down. */
  cores: number;
}

/**
 * How long (ms) the invocation may wait for a busy or starting instance, or 0: start a new instance
 * now. It waits only when its expected wait (its place in the queue times the warm hold time, spread
 * over the instances that will free up) is shorter than a cold start would take now, and then for at
 * most that cold start.
 */
export function waitBudget(v: PlacementView): number {
  if (v.warmMs === undefined || v.coldMs === undefined) return 0;
  // At least one instance per CPU before anything queues: fewer would leave a core idle.
  if (v.busyReady + v.starting < v.cores) return 0;
  // A new start shares the CPUs with the starts already in progress.
  const cold = v.coldMs * Math.max(1, (v.starting + 1) / v.cores);
  const place = v.waiting + 1;
  const expected =
    v.busyReady > 0
      ? (place * v.warmMs) / v.busyReady
      : Math.max(0, v.coldMs - v.startingAgeMs) + (place * v.warmMs) / v.starting;
  return expected < cold ? Math.ceil(Math.min(cold, MAX_WAIT_MS)) : 0;
}

/** Weight of the newest sample in the running means. */
const ALPHA = 0.2;
/** A warm sample counts at most this many times the running mean. */
const SPIKE = 4;

/** The observed warm hold time and cold start of one function version (running means). */
export class PlacementStats {
  warmMs: number | undefined;
  coldMs: number | undefined;

  /**
   * One hold counts at most SPIKE × the mean so far: a single pause (a garbage collection in the
   * runtime, the host scheduling something else) must not make a whole queue start instances. A real
   * slowdown still shows within a few invocations, and a wait that runs out raises the mean at once.
   */
  recordWarm(ms: number): void {
    if (this.warmMs === undefined) this.warmMs = ms;
    else this.warmMs += ALPHA * (Math.min(ms, SPIKE * this.warmMs) - this.warmMs);
  }

  recordCold(ms: number): void {
    this.coldMs = this.coldMs === undefined ? ms : this.coldMs + ALPHA * (ms - this.coldMs);
  }

  /**
   * A wait ran out: instances freed up more slowly than the means said (say the function's work got
   * longer). None of `busy` instances freed up within `waitedMs` for the invocation at `place` in the
   * queue, so a hold lasts at least about waitedMs × busy / place: the warm estimate is raised to that,
   * and the next invocations start instances until new warm samples bring it down again.
   */
  waitTimedOut(waitedMs: number, busy: number, place: number): void {
    const atLeast = (waitedMs * Math.max(1, busy)) / Math.max(1, place);
    if (this.warmMs === undefined || this.warmMs < atLeast) this.warmMs = atLeast;
  }

  /** A start in progress has run `ageMs` already: cold starts take at least that long now. */
  startIsSlow(ageMs: number): void {
    if (this.coldMs === undefined || this.coldMs < ageMs) this.coldMs = ageMs;
  }
}

/** PlacementStats per pool key, bounded (the least recently created are forgotten first). */
export class PlacementBook {
  private readonly byKey = new Map<string, PlacementStats>();

  constructor(private readonly max = 1000) {}

  get(key: string): PlacementStats {
    let stats = this.byKey.get(key);
    if (stats === undefined) {
      stats = new PlacementStats();
      this.byKey.set(key, stats);
      const oldest = this.byKey.keys().next().value;
      if (this.byKey.size > this.max && oldest !== undefined) this.byKey.delete(oldest);
    }
    return stats;
  }
}

interface Waiter<T> {
  resolve(value: T | undefined): void;
  timer: NodeJS.Timeout;
}

/** Invocations waiting for an instance, first come first served, each for a bounded time. */
export class WaitQueue<T> {
  private readonly waiters: Array<Waiter<T>> = [];

  get length(): number {
    return this.waiters.length;
  }

  /** Resolves with the value offered to this waiter, or undefined when `maxMs` passes first. */
  wait(maxMs: number, onTimeout?: () => void): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve) => {
      const waiter: Waiter<T> = {
        resolve,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i < 0) return;
          this.waiters.splice(i, 1);
          onTimeout?.();
          resolve(undefined);
        }, maxMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Hands `value` to the longest-waiting invocation; false when nobody waits. */
  offer(value: T): boolean {
    const waiter = this.waiters.shift();
    if (waiter === undefined) return false;
    clearTimeout(waiter.timer);
    waiter.resolve(value);
    return true;
  }

  /** Wakes every waiter empty-handed (the pool was retired, or the executor is closing). */
  drain(): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(undefined);
    }
  }
}
