// The Store's budgets (per region) and the record of budget alerts already sent, which is what makes an
// alert go out once per threshold per month across restarts: recording one is an insert that succeeds
// only the first time, so the evaluator that wins the insert is the one that delivers.

import type { Budget, BudgetAlertMark } from "../core/budget.js";

export interface BudgetStore {
  /** Inserts a new budget; resolves false (writing nothing) when one of that name exists. */
  create(budget: Budget): Promise<boolean>;
  /** Replaces an existing budget; resolves false when there is none of that name. */
  update(budget: Budget): Promise<boolean>;
  get(name: string): Promise<Budget | undefined>;
  /** The region's budgets by name. */
  list(): Promise<Budget[]>;
  /** Removes the budget and its alert records; false when it did not exist. */
  delete(name: string): Promise<boolean>;
  /** The alerts recorded for `budget` in `period` (YYYY-MM), by threshold. */
  listAlerts(budget: string, period: string): Promise<BudgetAlertMark[]>;
  /**
   * Records each mark whose (budget, period, threshold) has none yet, in one transaction, and resolves
   * with those it recorded: the caller delivers exactly these.
   */
  recordAlerts(marks: readonly BudgetAlertMark[]): Promise<BudgetAlertMark[]>;
  /** Forgets the marks of `budget` in `period` above `percent` (after a raise, so they can fire again). */
  clearAlertsAbove(budget: string, period: string, percent: number): Promise<void>;
}
