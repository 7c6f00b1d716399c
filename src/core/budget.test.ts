import { test } from "node:test";
import assert from "node:assert/strict";
import { isVajraError } from "./errors.js";
import { newlyCrossed, parseAlertTarget, parseBudgetInput, periodOf, type Budget } from "./budget.js";

function field(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (err) {
    assert.ok(isVajraError(err));
    return String(err.details?.field);
  }
}

test("a budget body is checked field by field", () => {
  assert.deepEqual(parseBudgetInput({ monthlyAmount: 50, scope: "function:api", alertAt: "100, 50,80" }), {
    monthlyAmount: 50,
    scope: "function:api",
    alertAt: [50, 80, 100],
  });
  assert.equal(
    field(() => parseBudgetInput({ monthlyAmount: -5 })),
    "monthlyAmount",
  );
  assert.equal(
    field(() => parseBudgetInput({ monthlyAmount: 0 })),
    "monthlyAmount",
  );
  assert.equal(
    field(() => parseBudgetInput({ monthlyAmount: "5" })),
    "monthlyAmount",
  );
  assert.equal(
    field(() => parseBudgetInput({ scope: "region:x" })),
    "scope",
  );
  assert.equal(
    field(() => parseBudgetInput({ alertAt: [0] })),
    "alertAt",
  );
  assert.equal(
    field(() => parseBudgetInput({ alertAt: [1001] })),
    "alertAt",
  );
  assert.equal(
    field(() => parseBudgetInput({ alertAt: "50,x" })),
    "alertAt",
  );
  assert.equal(
    field(() => parseBudgetInput({ alertAt: [] })),
    "alertAt",
  );
  assert.equal(
    field(() => parseBudgetInput({ enforce: "yes" })),
    "enforce",
  );
  assert.equal(
    field(() => parseBudgetInput({ colour: "red" })),
    "colour",
  );
  assert.equal(
    field(() => parseBudgetInput({ alertTo: "ftp://x/y" })),
    "alertTo",
  );
});

test("alert targets: the log, a function by name or ARN, or a webhook", () => {
  assert.deepEqual(parseAlertTarget("log"), { kind: "log" });
  assert.deepEqual(parseAlertTarget("notify"), { kind: "function", functionName: "notify" });
  assert.deepEqual(parseAlertTarget("arn:aws:lambda:us-east-1:000000000000:function:notify:live"), {
    kind: "function",
    functionName: "notify",
    qualifier: "live",
    region: "us-east-1",
  });
  assert.deepEqual(parseAlertTarget("https://hooks.example.com/b?x=1"), {
    kind: "webhook",
    url: "https://hooks.example.com/b?x=1",
  });
  assert.equal(
    field(() => parseAlertTarget("nats://h:4222?subject=s")),
    "alertTo",
  );
});

test("thresholds crossed are those reached and not yet sent; the period is the UTC month", () => {
  const b: Budget = {
    ...{ name: "b", monthlyAmount: 0.3, scope: "all", alertAt: [50, 80, 100], alertTo: "log" },
    ...{ enforce: true, createdAt: 0, updatedAt: 0 },
  };
  assert.deepEqual(newlyCrossed(b, 0.15, new Set()), [50]);
  assert.deepEqual(newlyCrossed(b, 0.3, new Set([50])), [80, 100], "exactly 100 % counts (no float slip)");
  assert.deepEqual(newlyCrossed(b, 0.29, new Set([50, 80])), []);
  assert.equal(periodOf(Date.UTC(2026, 11, 31, 23, 59, 59)), "2026-12");
  assert.equal(periodOf(Date.UTC(2027, 0, 1)), "2027-01");
});
