// A region's budgets: create, update, get, list and delete them (checked), and evaluate them: each
// budget's month-to-date spend from the cost ledger, an alert once per threshold per month (decided by
// recording it in the store, then delivered), and the set of scopes an enforced budget over 100 %
// throttles. The invoke path asks `admit()` — a Map lookup, no I/O — before it admits an invocation.
// Evaluation runs on a timer, after every change, and on demand (`get` evaluates its budget first).

import { VajraError } from "../../core/errors.js";
import { monthOf } from "../../core/billing.js";
import {
  checkBudgetName,
  isOver,
  newlyCrossed,
  parseAlertTarget,
  percentSpent,
  periodOf,
  scopeFunction,
  DEFAULT_ALERT_AT,
  type Budget,
  type BudgetAlert,
  type BudgetAlertMark,
  type BudgetInput,
} from "../../core/budget.js";
import { invalid } from "../../core/errors.js";
import type { BudgetStore } from "../../store/budget-store.js";

export const DEFAULT_BUDGET_INTERVAL_MS = 15_000;

/** A scope key no function name can equal (names are letters, digits, '-' and '_'). */
const ALL_KEY = "*";

/** Where alerts go (budget-alerts.ts in the server; a recorder in tests). */
export interface AlertSink {
  send(alertTo: string, alert: BudgetAlert): void;
  /** Cuts retries short and resolves when deliveries in progress have ended. */
  stop?(): Promise<void>;
}

export interface BudgetsOptions {
  store: BudgetStore;
  /** Money spent in [fromMs, toMs) by one function, or by every function when none is named. */
  spend: (fromMs: number, toMs: number, functionName?: string) => Promise<number>;
  /** The currency of the prices in force. */
  currency: () => Promise<string>;
  functionExists: (name: string) => boolean;
  /** The region the budgets belong to (a function alert target must be in it). */
  region: string;
  alerts: AlertSink;
  /** Evaluation period of the background timer (default 15 s, VAJRA_BUDGET_INTERVAL_MS); 0 = no timer. */
  intervalMs?: number;
  now?: () => number;
  onError: (err: unknown) => void;
}

/** A budget with where it stands this month. */
export interface BudgetState {
  budget: Budget;
  period: string;
  spent: number;
  percent: number;
  currency: string;
  alertsSent: Array<{ thresholdPercent: number; sentAt: number }>;
  enforced: boolean;
}

/** One throttled scope: the budget that throttles it and the refusal, made once. */
interface Block {
  budget: string;
  key: string;
  until: number;
  error: VajraError;
}

export class Budgets {
  /** Budget name -> the scope it throttles now. */
  private readonly blocks = new Map<string, Block>();
  /** Scope key -> a block on it (rebuilt from `blocks` on every change). */
  private blocked = new Map<string, Block>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private kicked = false;
  private readonly now: () => number;

  constructor(private readonly o: BudgetsOptions) {
    this.now = o.now ?? Date.now;
  }

  /**
   * Throws BudgetExceeded when an enforced budget over its amount covers `functionName`. The hot path:
   * nothing but Map lookups while no budget throttles.
   */
  admit(functionName: string): void {
    if (this.blocked.size === 0) return;
    const b = this.blocked.get(functionName) ?? this.blocked.get(ALL_KEY);
    if (b === undefined) return;
    // A new month lifts the block even before the next evaluation notices.
    if (this.now() < b.until) throw b.error;
    this.setBlock(b.budget, undefined);
    this.kick();
  }

  /** Evaluates every budget now, then every `intervalMs` (the timer does not keep the process up). */
  async start(): Promise<void> {
    // A failing evaluation must not keep the region from starting: the timer tries again.
    await this.evaluateAll().catch(this.o.onError);
    const ms =
      this.o.intervalMs ?? (Number(process.env.VAJRA_BUDGET_INTERVAL_MS) || DEFAULT_BUDGET_INTERVAL_MS);
    if (ms > 0) {
      this.timer = setInterval(() => this.kick(), ms);
      this.timer.unref();
    }
  }

  /** Stops the timer and cuts alert retries short (deliveries in progress end on their own). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    void this.o.alerts.stop?.().catch(this.o.onError);
  }

  async list(): Promise<Budget[]> {
    return this.o.store.list();
  }

  /** The budget and where it stands, evaluated now (so an alert or throttle due is in effect). */
  get(name: string): Promise<BudgetState> {
    return this.serial(async () => this.evaluate(await this.load(name)));
  }

  /** Every budget with its state, each evaluated now. */
  states(): Promise<BudgetState[]> {
    return this.serial(async () => {
      const out: BudgetState[] = [];
      for (const b of await this.o.store.list()) out.push(await this.evaluate(b));
      return out;
    });
  }

  async create(name: unknown, input: BudgetInput): Promise<BudgetState> {
    const n = checkBudgetName(name);
    if (input.monthlyAmount === undefined)
      throw invalid("monthlyAmount is required: a number greater than 0", { field: "monthlyAmount" });
    if (input.scope === undefined)
      throw invalid(`scope is required: "all" or "function:NAME"`, { field: "scope" });
    const now = this.now();
    const budget: Budget = {
      name: n,
      monthlyAmount: input.monthlyAmount,
      scope: input.scope,
      alertAt: input.alertAt ?? [...DEFAULT_ALERT_AT],
      alertTo: input.alertTo ?? "log",
      enforce: input.enforce ?? false,
      createdAt: now,
      updatedAt: now,
    };
    this.checkRefs(budget);
    return this.serial(async () => {
      if (!(await this.o.store.create(budget)))
        throw new VajraError("AlreadyExists", `a budget named "${n}" already exists`);
      return this.evaluate(budget);
    });
  }

  /**
   * Changes the fields present. A raised amount takes effect at once: the scope is evaluated again
   * before this resolves (lifting a throttle), and alerts above the new percentage can go out again.
   */
  update(name: string, input: BudgetInput): Promise<BudgetState> {
    return this.serial(async () => {
      const old = await this.load(name);
      const budget: Budget = { ...old, ...input, updatedAt: this.now() };
      this.checkRefs(budget);
      if (!(await this.o.store.update(budget))) throw this.notFound(name);
      if (budget.monthlyAmount !== old.monthlyAmount || budget.scope !== old.scope) {
        const now = this.now();
        const spent = await this.spent(budget, now);
        const percent = percentSpent(spent, budget.monthlyAmount);
        await this.o.store.clearAlertsAbove(name, periodOf(now), percent);
      }
      return this.evaluate(budget);
    });
  }

  delete(name: string): Promise<void> {
    return this.serial(async () => {
      if (!(await this.o.store.delete(name))) throw this.notFound(name);
      this.setBlock(name, undefined);
    });
  }

  /** Evaluates every budget (the timer's work; errors go to onError). */
  evaluateAll(): Promise<void> {
    return this.serial(async () => {
      const budgets = await this.o.store.list();
      const names = new Set(budgets.map((b) => b.name));
      // Budgets deleted elsewhere (another node) throttle nothing any more.
      for (const name of [...this.blocks.keys()]) if (!names.has(name)) this.setBlock(name, undefined);
      for (const b of budgets) await this.evaluate(b);
    });
  }

  /** Starts an evaluation of every budget unless one started this way is still waiting or running. */
  private kick(): void {
    if (this.kicked) return;
    this.kicked = true;
    this.evaluateAll()
      .catch(this.o.onError)
      .finally(() => (this.kicked = false));
  }

  /** Runs `fn` after every other change or evaluation has finished: decisions never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async load(name: string): Promise<Budget> {
    const b = await this.o.store.get(name);
    if (b === undefined) throw this.notFound(name);
    return b;
  }

  private notFound(name: string): VajraError {
    return new VajraError("BudgetNotFound", `Budget not found: ${name}`);
  }

  /** The scope's function and a function alert target must exist in the region. */
  private checkRefs(b: Budget): void {
    const fn = scopeFunction(b.scope);
    if (fn !== undefined && !this.o.functionExists(fn))
      throw invalid(`scope names function "${fn}", which does not exist`, { field: "scope" });
    const target = parseAlertTarget(b.alertTo);
    if (target.kind === "function" && target.region !== undefined && target.region !== this.o.region)
      throw invalid(
        `alertTo names a function of region ${target.region}; use one of this region (${this.o.region})`,
        {
          field: "alertTo",
        },
      );
    if (target.kind === "function" && !this.o.functionExists(target.functionName))
      throw invalid(`alertTo names function "${target.functionName}", which does not exist`, {
        field: "alertTo",
      });
  }

  private spent(b: Budget, now: number): Promise<number> {
    const month = monthOf(now);
    // Usage is kept by the hour: the month's end bounds it as well as now does.
    return this.o.spend(month.fromMs, month.toMs, scopeFunction(b.scope));
  }

  /** One budget's decisions at this moment: alerts newly due (recorded, then sent) and its throttle. */
  private async evaluate(b: Budget): Promise<BudgetState> {
    const now = this.now();
    const period = periodOf(now);
    const [spent, currency, sent] = await Promise.all([
      this.spent(b, now),
      this.o.currency(),
      this.o.store.listAlerts(b.name, period),
    ]);
    const over = isOver(b, spent);
    this.setBlock(b.name, over ? this.block(b, spent, currency, now) : undefined);
    const due = newlyCrossed(b, spent, new Set(sent.map((m) => m.thresholdPercent)));
    const marks: BudgetAlertMark[] = due.map((t) => ({
      budget: b.name,
      period,
      thresholdPercent: t,
      sentAt: now,
      spent,
    }));
    const won = await this.o.store.recordAlerts(marks);
    const at = new Date(now).toISOString();
    for (const m of won) {
      this.o.alerts.send(b.alertTo, {
        budget: b.name,
        scope: b.scope,
        period,
        thresholdPercent: m.thresholdPercent,
        spent,
        amount: b.monthlyAmount,
        currency,
        at,
        enforced: over,
      });
    }
    return {
      budget: b,
      period,
      spent,
      percent: percentSpent(spent, b.monthlyAmount),
      currency,
      alertsSent: [...sent, ...won]
        .map((m) => ({ thresholdPercent: m.thresholdPercent, sentAt: m.sentAt }))
        .sort((x, y) => x.thresholdPercent - y.thresholdPercent),
      enforced: over,
    };
  }

  private block(b: Budget, spent: number, currency: string, now: number): Block {
    const fn = scopeFunction(b.scope);
    const month = monthOf(now);
    const money = (n: number): string => `${Number(n.toPrecision(6))} ${currency}`;
    const what = fn === undefined ? "every function of the region" : `function ${fn}`;
    const error = new VajraError(
      "BudgetExceeded",
      `budget "${b.name}" (scope ${b.scope}) has reached 100 % of its monthly ${money(b.monthlyAmount)} ` +
        `(spent ${money(spent)} in ${periodOf(now)}): invocations of ${what} are throttled until ` +
        `${new Date(month.toMs).toISOString()} or until the budget is raised`,
      { details: { reason: "BudgetExceeded", budget: b.name, scope: b.scope, period: periodOf(now) } },
    );
    return { budget: b.name, key: fn ?? ALL_KEY, until: month.toMs, error };
  }

  private setBlock(name: string, block: Block | undefined): void {
    const had = this.blocks.get(name);
    if (block === undefined) {
      if (had === undefined) return;
      this.blocks.delete(name);
    } else this.blocks.set(name, block);
    const next = new Map<string, Block>();
    for (const b of this.blocks.values()) if (!next.has(b.key)) next.set(b.key, b);
    this.blocked = next;
  }
}
