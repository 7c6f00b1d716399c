// Admission control with Lambda's model: a function with reserved concurrency runs at most that many
// instances at once and draws from its own reservation; every other function shares what is left of
// the account limit. Full means an immediate 429 (Lambda throttles; it does not queue sync calls).

import { VajraError } from "../core/errors.js";

export class ConcurrencyGate {
  private readonly inFlight = new Map<string, number>();
  private unreservedInFlight = 0;
  private reservedTotal = 0;
  private readonly reserved = new Map<string, number>();

  constructor(readonly accountLimit: number) {}

  /** The fewest instances that must stay unreserved (Lambda keeps 100 of the default 1000). */
  get minUnreserved(): number {
    return Math.min(100, Math.floor(this.accountLimit / 10));
  }

  /** Throws InvalidParameter when reserving `n` for `fn` would starve the unreserved pool. */
  checkReservation(fn: string, n: number | null): void {
    const others = this.reservedTotal - (this.reserved.get(fn) ?? 0);
    if (n !== null && others + n > this.accountLimit - this.minUnreserved) {
      throw new VajraError(
        "InvalidParameter",
        `reservedConcurrency ${n} would leave fewer than ${this.minUnreserved} of the account's ${this.accountLimit} concurrent executions unreserved (already reserved by other functions: ${others})`,
        { details: { field: "reservedConcurrency" } },
      );
    }
  }

  setReservation(fn: string, n: number | null): void {
    this.reservedTotal -= this.reserved.get(fn) ?? 0;
    if (n === null) this.reserved.delete(fn);
    else {
      this.reserved.set(fn, n);
      this.reservedTotal += n;
    }
  }

  /** Takes a slot or throws TooManyRequests; the returned function gives it back (once). */
  acquire(fn: string): () => void {
    const reservation = this.reserved.get(fn);
    const current = this.inFlight.get(fn) ?? 0;
    if (reservation !== undefined) {
      if (current >= reservation) {
        throw new VajraError(
          "TooManyRequests",
          `Rate Exceeded: function ${fn} is at its reserved concurrency of ${reservation}`,
          {
            details: { reason: "ReservedFunctionConcurrentInvocationLimitExceeded" },
          },
        );
      }
    } else {
      if (this.unreservedInFlight >= this.accountLimit - this.reservedTotal) {
        throw new VajraError(
          "TooManyRequests",
          `Rate Exceeded: the account concurrency limit of ${this.accountLimit} is reached`,
          {
            details: { reason: "ConcurrentInvocationLimitExceeded" },
          },
        );
      }
      this.unreservedInFlight++;
    }
    this.inFlight.set(fn, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight.set(fn, (this.inFlight.get(fn) ?? 1) - 1);
      if (reservation === undefined) this.unreservedInFlight--;
    };
  }

  /** Invocations of `fn` running now. */
  current(fn: string): number {
    return this.inFlight.get(fn) ?? 0;
  }

  get totalInFlight(): number {
    let n = 0;
    for (const v of this.inFlight.values()) n += v;
    return n;
  }
}
