// Delivers budget alerts to where a budget points them: the server's warning log, an Event invocation
// of a function, or a POST to a webhook (retried a few times with backoff, bounded in count and time).
// The decision that an alert goes out was already recorded by the evaluator, so a delivery that fails
// every retry is reported in the log and not tried again (at most once per threshold per month).

import type { BudgetAlert } from "../../core/budget.js";
import { parseAlertTarget } from "../../core/budget.js";
import { maskDestination } from "../../core/destination.js";

export interface BudgetAlertSenderOptions {
  onWarning: (message: string) => void;
  /** Queues an Event invocation of a function of the budget's region with `payload` as its event. */
  invokeEvent: (functionName: string, payload: Buffer, qualifier?: string) => Promise<unknown>;
  /** POSTs `body` (JSON) to `url`; resolves once it answered 2xx. */
  post: (url: string, body: Buffer) => Promise<void>;
  /** Webhook attempts in all (default 4). */
  attempts?: number;
  /** Delay before the first retry; each later one doubles (default 1 s). */
  retryBaseMs?: number;
}

/** One line for the log (and the alert's summary elsewhere). */
export function alertSummary(a: BudgetAlert): string {
  const money = (n: number): string => `${Number(n.toPrecision(6))} ${a.currency}`;
  return (
    `budget "${a.budget}" (scope ${a.scope}) reached ${a.thresholdPercent} % of its monthly ${money(a.amount)}: ` +
    `spent ${money(a.spent)} in ${a.period}${a.enforced ? "; its scope is now throttled" : ""}`
  );
}

export class BudgetAlertSender {
  private readonly pending = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly attempts: number;
  private readonly retryBaseMs: number;

  constructor(private readonly opts: BudgetAlertSenderOptions) {
    this.attempts = Math.max(1, opts.attempts ?? 4);
    this.retryBaseMs = opts.retryBaseMs ?? 1000;
  }

  /** Starts delivering `alert` to `alertTo`; failures end in the warning log, never in the caller. */
  send(alertTo: string, alert: BudgetAlert): void {
    if (this.abort.signal.aborted) return;
    const p = this.deliver(alertTo, alert).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      this.opts.onWarning(
        `budget alert not delivered to ${maskDestination(alertTo)}: ${why} (${alertSummary(alert)})`,
      );
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Resolves once every delivery started has ended (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Cuts retry waits short and waits for deliveries in progress. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.idle();
  }

  private async deliver(alertTo: string, alert: BudgetAlert): Promise<void> {
    const target = parseAlertTarget(alertTo);
    const body = Buffer.from(JSON.stringify(alert));
    if (target.kind === "log") {
      this.opts.onWarning(alertSummary(alert));
      return;
    }
    if (target.kind === "function") {
      await this.opts.invokeEvent(target.functionName, body, target.qualifier);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.opts.post(target.url, body);
        return;
      } catch (err) {
        if (attempt >= this.attempts || this.abort.signal.aborted) throw err;
      }
      await this.sleep(this.retryBaseMs * 2 ** (attempt - 1));
    }
  }

  /** Waits `ms` (cut short by stop()); the timer is always cleared. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.abort.signal.addEventListener("abort", done);
    });
  }
}
