// Runs timed work when it comes due, earliest first, at most `maxInFlight` at once: the loop the durable
// async queue and the destination outbox share. Each keeps its own store bookkeeping; this only decides
// when an item runs, with one timer for the earliest item not yet due.

export interface DueDispatcherOptions<T> {
  maxInFlight: number;
  /** Runs one item; errors go to onError (an item's own retry bookkeeping is the caller's). */
  run: (item: T) => Promise<void>;
  onError: (err: unknown) => void;
}

export class DueDispatcher<T extends { notBefore: number }> {
  private pending: T[] = [];
  private readonly running = new Map<T, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped: boolean;

  /** `started` false: items are held until start() (an owner that loads the store first). */
  constructor(
    private readonly opts: DueDispatcherOptions<T>,
    started = true,
  ) {
    this.stopped = !started;
  }

  /** Items not yet started (due or not). */
  get waiting(): readonly T[] {
    return this.pending;
  }

  /** Items running now. */
  get active(): IterableIterator<T> {
    return this.running.keys();
  }

  get size(): number {
    return this.pending.length + this.running.size;
  }

  add(items: readonly T[]): void {
    this.pending.push(...items);
    this.schedule();
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops starting items; resolves once the running ones have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all([...this.running.values()]);
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const now = Date.now();
    this.pending.sort((a, b) => a.notBefore - b.notBefore);
    while (
      this.running.size < this.opts.maxInFlight &&
      this.pending.length > 0 &&
      (this.pending[0]?.notBefore ?? Infinity) <= now
    ) {
      const item = this.pending.shift() as T; // length > 0 checked above
      const run = this.opts
        .run(item)
        .catch(this.opts.onError)
        .finally(() => {
          this.running.delete(item);
          this.schedule();
        });
      this.running.set(item, run);
    }
    const next = this.pending[0];
    if (next !== undefined && this.running.size < this.opts.maxInFlight) {
      this.timer = setTimeout(() => this.schedule(), Math.max(0, next.notBefore - now));
      this.timer.unref();
    }
  }
}
