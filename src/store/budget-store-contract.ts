// The conformance suite of the Store's budgets (Store.budgets), run by every Store implementation beside
// store-contract.ts: budgets per region, and alert marks recorded once per (budget, period, threshold).

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Budget, BudgetAlertMark } from "../core/budget.js";
import { storeRunner, type StoreContractOptions } from "./store-contract.js";

function budget(name: string, over: Partial<Budget> = {}): Budget {
  return {
    name,
    monthlyAmount: 50,
    scope: "all",
    alertAt: [50, 80, 100],
    alertTo: "log",
    enforce: false,
    createdAt: 1,
    updatedAt: 1,
    ...over,
  };
}

function mark(budgetName: string, period: string, thresholdPercent: number, sentAt = 5): BudgetAlertMark {
  return { budget: budgetName, period, thresholdPercent, sentAt, spent: 1.5 };
}

export function runBudgetStoreContract(name: string, opts: StoreContractOptions): void {
  const withStore = storeRunner(opts);

  test(`${name}: budgets are created once, updated, listed by name and deleted, per region`, () =>
    withStore(async (s) => {
      assert.equal(await s.budgets.create(budget("b")), true);
      assert.equal(await s.budgets.create(budget("b", { monthlyAmount: 9 })), false, "a name is taken once");
      assert.equal((await s.budgets.get("b"))?.monthlyAmount, 50);
      await s.budgets.create(budget("a", { scope: "function:api", enforce: true }));
      assert.deepEqual(
        (await s.budgets.list()).map((b) => b.name),
        ["a", "b"],
      );
      assert.deepEqual(await s.budgets.get("a"), budget("a", { scope: "function:api", enforce: true }));
      assert.equal(await s.budgets.update(budget("b", { monthlyAmount: 80, updatedAt: 2 })), true);
      assert.equal((await s.budgets.get("b"))?.monthlyAmount, 80);
      assert.equal(await s.budgets.update(budget("zzz")), false, "update creates nothing");
      assert.equal(await s.budgets.get("zzz"), undefined);
      const eu = s.inRegion("eu-west-1");
      assert.deepEqual(await eu.budgets.list(), [], "another region's budgets are its own");
      assert.equal(await eu.budgets.create(budget("b")), true, "the same name in another region");
      assert.equal(await s.budgets.delete("b"), true);
      assert.equal(await s.budgets.delete("b"), false);
      assert.equal((await eu.budgets.get("b"))?.name, "b");
    }));

  test(`${name}: an alert mark is recorded once per budget, period and threshold`, () =>
    withStore(async (s) => {
      await s.budgets.create(budget("b"));
      const first = await s.budgets.recordAlerts([mark("b", "2026-12", 50), mark("b", "2026-12", 80)]);
      assert.deepEqual(
        first.map((m) => m.thresholdPercent),
        [50, 80],
      );
      const second = await s.budgets.recordAlerts([
        mark("b", "2026-12", 80, 9),
        mark("b", "2026-12", 100, 9),
        mark("b", "2027-01", 50, 9),
      ]);
      assert.deepEqual(
        second.map((m) => [m.period, m.thresholdPercent]),
        [
          ["2026-12", 100],
          ["2027-01", 50],
        ],
        "only the marks not recorded before are returned",
      );
      assert.deepEqual(await s.budgets.recordAlerts([]), []);
      const dec = await s.budgets.listAlerts("b", "2026-12");
      assert.deepEqual(
        dec.map((m) => [m.thresholdPercent, m.sentAt]),
        [
          [50, 5],
          [80, 5],
          [100, 9],
        ],
        "the first record of a threshold stands",
      );
      assert.equal(dec[0]?.spent, 1.5);
      assert.deepEqual(await s.inRegion("eu-west-1").budgets.listAlerts("b", "2026-12"), []);
      await s.budgets.clearAlertsAbove("b", "2026-12", 60);
      assert.deepEqual(
        (await s.budgets.listAlerts("b", "2026-12")).map((m) => m.thresholdPercent),
        [50],
      );
      assert.equal((await s.budgets.listAlerts("b", "2027-01")).length, 1, "other periods are kept");
      await s.budgets.delete("b");
      await s.budgets.create(budget("b"));
      assert.deepEqual(await s.budgets.listAlerts("b", "2027-01"), [], "a deleted budget's marks go with it");
    }));
}
