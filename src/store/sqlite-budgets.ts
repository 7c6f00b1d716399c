// The SQLite statements behind the Store's budgets (budget-store.ts), kept apart from sqlite-store.ts.
// Alert marks have (region, budget, period, threshold) as their key, so INSERT OR IGNORE decides once
// which evaluator sends an alert.

import type Database from "better-sqlite3";
import type { Budget, BudgetAlertMark } from "../core/budget.js";
import type { BudgetStore } from "./budget-store.js";

/** The schema step that adds budgets and their alert marks (appended to the store's migrations). */
export const BUDGETS_MIGRATION = `CREATE TABLE budgets (
     region TEXT NOT NULL,
     name TEXT NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (region, name)
   );
   CREATE TABLE budget_alerts (
     region TEXT NOT NULL,
     budget TEXT NOT NULL,
     period TEXT NOT NULL,
     threshold INTEGER NOT NULL,
     sent_at INTEGER NOT NULL,
     spent REAL NOT NULL,
     PRIMARY KEY (region, budget, period, threshold)
   );`;

interface MarkRow {
  budget: string;
  period: string;
  threshold: number;
  sent_at: number;
  spent: number;
}

export class SqliteBudgets implements BudgetStore {
  private readonly insert;
  private readonly replace;
  private readonly one;
  private readonly all;
  private readonly remove;
  private readonly marks;
  private readonly mark;
  private readonly clear;
  private readonly recordTx;
  private readonly deleteTx;

  /** `region` is a checked region name (the store puts it in the SQL text as it does elsewhere). */
  constructor(db: Database.Database, region: string) {
    const r = region;
    this.insert = db.prepare(`INSERT OR IGNORE INTO budgets (region, name, record) VALUES ('${r}', ?, ?)`);
    this.replace = db.prepare(`UPDATE budgets SET record = ? WHERE region = '${r}' AND name = ?`);
    this.one = db.prepare<[string], { record: string }>(
      `SELECT record FROM budgets WHERE region = '${r}' AND name = ?`,
    );
    this.all = db.prepare<[], { record: string }>(
      `SELECT record FROM budgets WHERE region = '${r}' ORDER BY name`,
    );
    this.remove = db.prepare(`DELETE FROM budgets WHERE region = '${r}' AND name = ?`);
    this.marks = db.prepare<[string, string], MarkRow>(
      `SELECT budget, period, threshold, sent_at, spent FROM budget_alerts
       WHERE region = '${r}' AND budget = ? AND period = ? ORDER BY threshold`,
    );
    this.mark = db.prepare(
      `INSERT OR IGNORE INTO budget_alerts (region, budget, period, threshold, sent_at, spent)
       VALUES ('${r}', ?, ?, ?, ?, ?)`,
    );
    this.clear = db.prepare(
      `DELETE FROM budget_alerts WHERE region = '${r}' AND budget = ? AND period = ? AND threshold > ?`,
    );
    const clearAll = db.prepare(`DELETE FROM budget_alerts WHERE region = '${r}' AND budget = ?`);
    this.recordTx = db.transaction((marks: readonly BudgetAlertMark[]) =>
      marks.filter(
        (m) => this.mark.run(m.budget, m.period, m.thresholdPercent, m.sentAt, m.spent).changes > 0,
      ),
    );
    this.deleteTx = db.transaction((name: string) => {
      clearAll.run(name);
      return this.remove.run(name).changes > 0;
    });
  }

  create(budget: Budget): Promise<boolean> {
    return Promise.resolve(this.insert.run(budget.name, JSON.stringify(budget)).changes > 0);
  }

  update(budget: Budget): Promise<boolean> {
    return Promise.resolve(this.replace.run(JSON.stringify(budget), budget.name).changes > 0);
  }

  get(name: string): Promise<Budget | undefined> {
    const row = this.one.get(name);
    return Promise.resolve(row === undefined ? undefined : (JSON.parse(row.record) as Budget));
  }

  list(): Promise<Budget[]> {
    return Promise.resolve(this.all.all().map((row) => JSON.parse(row.record) as Budget));
  }

  delete(name: string): Promise<boolean> {
    return Promise.resolve(this.deleteTx(name));
  }

  listAlerts(budget: string, period: string): Promise<BudgetAlertMark[]> {
    return Promise.resolve(
      this.marks.all(budget, period).map((m) => ({
        budget: m.budget,
        period: m.period,
        thresholdPercent: m.threshold,
        sentAt: m.sent_at,
        spent: m.spent,
      })),
    );
  }

  recordAlerts(marks: readonly BudgetAlertMark[]): Promise<BudgetAlertMark[]> {
    return Promise.resolve(marks.length === 0 ? [] : this.recordTx(marks));
  }

  clearAlertsAbove(budget: string, period: string, percent: number): Promise<void> {
    this.clear.run(budget, period, percent);
    return Promise.resolve();
  }
}
