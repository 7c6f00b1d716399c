// How many sandboxes may be starting at once on this host. Every start costs CPU (namespaces, the
// interpreter, the bootstrap); a thousand started together share two cores, each then takes longer
// than the 10-second init limit and all of them are killed — nothing answers. Behind the gate the
// same starts run a few at a time, each at its normal speed, and the init timer of each starts only
// when its sandbox does. Isolation is unchanged: only the order of starts is.

/** The default: a few starts per CPU (a start also waits on the kernel and disk, not only on CPU). */
export function defaultMaxConcurrentStarts(cores: number): number {
  return Math.max(4, 4 * cores);
}

/** A first-come-first-served counting gate for sandbox starts. */
export class StartGate {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`start gate limit must be ≥ 1, not ${limit}`);
  }

  /** Starts in progress (holding a slot). */
  get active(): number {
    return this.running;
  }

  /** Starts waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** Resolves once a slot is free, with the function that gives it back (calling it twice is harmless). */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = (): void => {
        this.running++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.running--;
          this.queue.shift()?.();
        });
      };
      if (this.running < this.limit) grant();
      else this.queue.push(grant);
    });
  }
}
