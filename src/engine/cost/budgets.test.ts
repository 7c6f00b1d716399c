import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { SqliteStore } from "../../store/sqlite-store.js";
import { isVajraError } from "../../core/errors.js";
import type { BudgetAlert } from "../../core/budget.js";
import { Budgets } from "./budgets.js";

interface Harness {
  budgets: Budgets;
  store: SqliteStore;
  sent: Array<{ to: string; alert: BudgetAlert }>;
  /** Spend per function this month; `all` sums them. */
  spend: Map<string, number>;
  clock: { now: number };
}

async function withBudgets(fn: (h: Harness) => Promise<void>, functions = ["api", "worker"]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "vajra-budgets-"));
  const store = new SqliteStore(join(dir, "vajra.db"));
  const clock = { now: Date.UTC(2026, 11, 10, 12) };
  const spend = new Map<string, number>();
  const sent: Harness["sent"] = [];
  const make = (): Budgets =>
    new Budgets({
      store: store.budgets,
      spend: (_from, _to, f) =>
        Promise.resolve(
          f === undefined ? [...spend.values()].reduce((a, b) => a + b, 0) : (spend.get(f) ?? 0),
        ),
      currency: () => Promise.resolve("USD"),
      functionExists: (n) => functions.includes(n),
      region: "us-east-1",
      alerts: { send: (to, alert) => void sent.push({ to, alert }) },
      intervalMs: 0,
      now: () => clock.now,
      onError: (err) => {
        throw err;
      },
    });
  try {
    await fn({ budgets: make(), store, sent, spend, clock });
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function throttled(b: Budgets, fn: string): string | undefined {
  try {
    b.admit(fn);
    return undefined;
  } catch (err) {
    assert.ok(isVajraError(err));
    assert.equal(err.code, "BudgetExceeded");
    return err.message;
  }
}

test("sends each crossed threshold's alert once per period, lowest first", () =>
  withBudgets(async ({ budgets, sent, spend }) => {
    await budgets.create("b", { monthlyAmount: 10, scope: "function:api", alertTo: "log" });
    assert.equal(sent.length, 0);
    spend.set("api", 5);
    await budgets.evaluateAll();
    assert.deepEqual(
      sent.map((s) => s.alert.thresholdPercent),
      [50],
    );
    spend.set("api", 9);
    await budgets.evaluateAll();
    await budgets.evaluateAll();
    spend.set("api", 12);
    const state = await budgets.get("b");
    await budgets.evaluateAll();
    assert.deepEqual(
      sent.map((s) => s.alert.thresholdPercent),
      [50, 80, 100],
    );
    assert.deepEqual(
      state.alertsSent.map((a) => a.thresholdPercent),
      [50, 80, 100],
    );
    const last = sent[2]?.alert;
    assert.equal(last?.budget, "b");
    assert.equal(last?.scope, "function:api");
    assert.equal(last?.period, "2026-12");
    assert.equal(last?.spent, 12);
    assert.equal(last?.amount, 10);
    assert.equal(last?.currency, "USD");
    assert.equal(last?.enforced, false, "not enforced");
    assert.equal(throttled(budgets, "api"), undefined, "a budget without enforce throttles nothing");
  }));

test("a spend that jumps past several thresholds sends each of them once", () =>
  withBudgets(async ({ budgets, sent, spend }) => {
    spend.set("worker", 30);
    await budgets.create("all", { monthlyAmount: 10, scope: "all", alertAt: [50, 100, 200, 400] });
    assert.deepEqual(
      sent.map((s) => [s.to, s.alert.thresholdPercent]),
      [
        ["log", 50],
        ["log", 100],
        ["log", 200],
      ],
    );
  }));

test("alerts already sent stay sent across a restart of the evaluator", () =>
  withBudgets(async ({ budgets, store, sent, spend, clock }) => {
    spend.set("api", 8);
    await budgets.create("b", { monthlyAmount: 10, scope: "function:api" });
    assert.equal(sent.length, 2);
    const again = new Budgets({
      store: store.budgets,
      spend: () => Promise.resolve(8),
      currency: () => Promise.resolve("USD"),
      functionExists: () => true,
      region: "us-east-1",
      alerts: { send: (to, alert) => void sent.push({ to, alert }) },
      intervalMs: 0,
      now: () => clock.now,
      onError: (err) => {
        throw err;
      },
    });
    await again.start();
    again.stop();
    assert.equal(sent.length, 2, "no alert sent twice");
  }));

test("an enforced budget throttles its scope at 100 % and a new month resets alerts and throttle", () =>
  withBudgets(async ({ budgets, sent, spend, clock }) => {
    await budgets.create("cap", { monthlyAmount: 1, scope: "function:api", enforce: true, alertAt: [100] });
    spend.set("api", 0.99);
    await budgets.evaluateAll();
    assert.equal(throttled(budgets, "api"), undefined);
    spend.set("api", 1);
    await budgets.evaluateAll();
    const why = throttled(budgets, "api");
    assert.match(why ?? "", /budget "cap" \(scope function:api\) has reached 100 %/);
    assert.equal(throttled(budgets, "worker"), undefined, "other functions run");
    assert.equal(sent[0]?.alert.enforced, true);
    // The first day of the next month: the throttle is gone before any evaluation...
    clock.now = Date.UTC(2027, 0, 1, 0, 0, 1);
    assert.equal(throttled(budgets, "api"), undefined);
    // ...and the month's spend starts again with its own alerts.
    spend.set("api", 0);
    await budgets.evaluateAll();
    assert.equal((await budgets.get("cap")).period, "2027-01");
    assert.equal((await budgets.get("cap")).alertsSent.length, 0);
    spend.set("api", 2);
    await budgets.evaluateAll();
    assert.deepEqual(
      sent.map((s) => s.alert.period),
      ["2026-12", "2027-01"],
    );
    assert.ok(throttled(budgets, "api") !== undefined);
  }));

test("raising the amount lifts the throttle at once and lets higher alerts fire again", () =>
  withBudgets(async ({ budgets, sent, spend }) => {
    spend.set("api", 3);
    await budgets.create("cap", { monthlyAmount: 2, scope: "all", enforce: true });
    assert.ok(throttled(budgets, "api") !== undefined);
    assert.ok(throttled(budgets, "worker") !== undefined, "scope all throttles every function");
    const raised = await budgets.update("cap", { monthlyAmount: 10 });
    assert.equal(raised.enforced, false);
    assert.equal(throttled(budgets, "api"), undefined);
    assert.deepEqual(
      raised.alertsSent.map((a) => a.thresholdPercent),
      [],
      "30 % of the new amount: the alerts above it can go out again",
    );
    spend.set("api", 10);
    await budgets.evaluateAll();
    assert.deepEqual(
      sent.map((s) => s.alert.thresholdPercent),
      [50, 80, 100, 50, 80, 100],
    );
    assert.ok(throttled(budgets, "api") !== undefined);
    await budgets.update("cap", { enforce: false });
    assert.equal(throttled(budgets, "api"), undefined, "enforce off lifts it");
    await budgets.update("cap", { enforce: true });
    assert.ok(throttled(budgets, "api") !== undefined);
    await budgets.delete("cap");
    assert.equal(throttled(budgets, "api"), undefined, "deleting lifts it");
  }));

test("bad input names the field and changes nothing", () =>
  withBudgets(async ({ budgets }) => {
    const code = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p;
        return "ok";
      } catch (err) {
        assert.ok(isVajraError(err));
        return `${err.code}:${typeof err.details?.field === "string" ? err.details.field : ""}`;
      }
    };
    assert.equal(await code(budgets.create("x", { scope: "all" })), "InvalidParameter:monthlyAmount");
    assert.equal(
      await code(budgets.create("x", { monthlyAmount: 1, scope: "function:nope" })),
      "InvalidParameter:scope",
    );
    assert.equal(
      await code(budgets.create("x", { monthlyAmount: 1, scope: "all", alertTo: "nope" })),
      "InvalidParameter:alertTo",
    );
    assert.equal(
      await code(budgets.create("bad name", { monthlyAmount: 1, scope: "all" })),
      "InvalidParameter:name",
    );
    const elsewhere = "arn:aws:lambda:eu-west-1:000000000000:function:api";
    assert.equal(
      await code(budgets.create("x", { monthlyAmount: 1, scope: "all", alertTo: elsewhere })),
      "InvalidParameter:alertTo",
    );
    assert.deepEqual(await budgets.list(), []);
    await budgets.create("x", { monthlyAmount: 1, scope: "all" });
    assert.equal(await code(budgets.create("x", { monthlyAmount: 2, scope: "all" })), "AlreadyExists:");
    assert.equal(await code(budgets.update("x", { scope: "function:gone" })), "InvalidParameter:scope");
    assert.equal((await budgets.get("x")).budget.scope, "all");
    assert.equal(await code(budgets.get("missing")), "BudgetNotFound:");
    assert.equal(await code(budgets.update("missing", { monthlyAmount: 3 })), "BudgetNotFound:");
    assert.equal(await code(budgets.delete("missing")), "BudgetNotFound:");
  }));
