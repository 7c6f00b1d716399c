import { describe, expect, it } from "vitest";
import type { BudgetView, CostReport } from "./api.ts";
import {
  attachmentName,
  budgetProgress,
  changeText,
  costQuery,
  costRows,
  dailyCost,
  localToIso,
  money,
} from "./cost.ts";

const parts = (total: number) => ({
  requests: total / 4,
  duration: (total * 3) / 4,
  provisioned: 0,
  ephemeral: 0,
  total,
});

function report(over: Partial<CostReport> = {}): CostReport {
  const line = (key: string, total: number, previousCost: number, change: number | null) => ({
    key,
    requests: 3,
    gbSeconds: 0.0123456,
    billedDurationMs: 96,
    provisionedGbSeconds: 0,
    cost: parts(total),
    previousCost,
    change,
  });
  return {
    from: "2026-03-01T00:00:00.000Z",
    to: "2026-03-04T00:00:00.000Z",
    previousFrom: "2026-02-26T00:00:00.000Z",
    by: "function",
    currency: "USD",
    lines: [line("api", 2, 1, 1), line("worker", 0.000004, 0, null)],
    total: { ...line("", 2.000004, 1, 1.000004) },
    priceSheets: [0],
    warnings: [],
    ...over,
  };
}

describe("the cost report's query", () => {
  it("asks for the last period chosen, grouped as chosen", () => {
    expect(costQuery({ period: "7d", since: "", until: "", by: "version" })).toEqual({
      query: "since=7d&by=version",
    });
    expect(costQuery({ period: "24h", since: "", until: "", by: "function" }, "day")).toEqual({
      query: "since=24h&by=day",
    });
  });

  it("sends a custom range as ISO instants, and says what is missing", () => {
    const since = "2026-03-01T08:30";
    expect(costQuery({ period: "custom", since, until: "", by: "day" })).toEqual({
      query: `since=${encodeURIComponent(new Date(since).toISOString())}&by=day`,
    });
    expect(costQuery({ period: "custom", since: "", until: "", by: "day" })).toHaveProperty("error");
    expect(costQuery({ period: "custom", since, until: "tomorrow", by: "day" })).toHaveProperty("error");
    expect(localToIso("2026-13-45T99:99")).toBeUndefined();
  });
});

describe("the cost table", () => {
  it("writes money as the CLI does and the change against the previous period", () => {
    expect(money(2, "USD")).toBe("2.00 USD");
    expect(money(0.0000041667, "USD")).toBe("0.0000042 USD");
    expect(money(0, "EUR")).toBe("0.00 EUR");
    expect(money(6.1e-7, "USD")).toBe("0.00000061 USD");
    expect(money(-0.004, "USD")).toBe("-0.0040 USD");
    expect(changeText({ change: 0.25, previousCost: 4, cost: parts(5) })).toBe("+25 %");
    expect(changeText({ change: -0.051, previousCost: 1, cost: parts(0.949) })).toBe("−5.1 %");
    expect(changeText({ change: null, previousCost: 0, cost: parts(1) })).toBe("new");
    expect(changeText({ change: null, previousCost: 0, cost: parts(0) })).toBe("–");
  });

  it("makes a row per line and a total row", () => {
    const { rows, total } = costRows(report());
    expect(rows.map((r) => r.key)).toEqual(["api", "worker"]);
    expect(rows[0]).toMatchObject({
      requests: 3,
      gbSeconds: "0.01235",
      requestCost: "0.50 USD",
      durationCost: "1.50 USD",
      total: "2.00 USD",
      previous: "1.00 USD",
      change: "+100 %",
      up: true,
    });
    expect(rows[1]?.change).toBe("new");
    expect(total.key).toBe("Total");
    expect(total.total).toBe("2.00 USD");
  });

  it("draws every day of the range, days without usage as 0", () => {
    const r = report({
      by: "day",
      lines: [{ ...report().lines[0]!, key: "2026-03-02" }],
    });
    const d = dailyCost(r);
    expect(d.x).toEqual([
      Date.UTC(2026, 2, 1) / 1000,
      Date.UTC(2026, 2, 2) / 1000,
      Date.UTC(2026, 2, 3) / 1000,
    ]);
    expect(d.total).toEqual([0, 2, 0]);
    expect(d.requests).toEqual([0, 0.5, 0]);
  });

  it("names the CSV file as the server does, safely", () => {
    expect(attachmentName('attachment; filename="vajra-cost-by-day.csv"', "x.csv")).toBe(
      "vajra-cost-by-day.csv",
    );
    expect(attachmentName(null, "x.csv")).toBe("x.csv");
    expect(attachmentName('attachment; filename="../a/b.csv"', "x.csv")).toBe(".._a_b.csv");
  });
});

describe("a budget's progress", () => {
  const budget = (state: Partial<BudgetView["state"]>, enforce = false): BudgetView => ({
    name: "api",
    monthlyAmount: 50,
    scope: "function:api",
    alertAt: [50, 80, 100],
    alertTo: "log",
    enforce,
    createdAt: "2026-03-01T00:00:00.000Z",
    updatedAt: "2026-03-01T00:00:00.000Z",
    state: {
      period: "2026-03",
      spent: 0,
      percent: 0,
      currency: "USD",
      alertsSent: [],
      enforced: false,
      ...state,
    },
  });

  it("says how much is spent, which thresholds were reached and whether it throttles", () => {
    expect(budgetProgress(budget({}))).toMatchObject({
      spentText: "0.00 USD of 50.00 USD",
      bar: 0,
      percentText: "0.0 %",
      reached: "none",
      level: "ok",
    });
    const sent = (t: number) => ({ thresholdPercent: t, sentAt: "2026-03-02T00:00:00.000Z" });
    expect(
      budgetProgress(budget({ spent: 41, percent: 82, alertsSent: [sent(80), sent(50)] })),
    ).toMatchObject({ bar: 82, percentText: "82 %", reached: "50 %, 80 %", level: "warning" });
    const over = budgetProgress(
      budget({ spent: 60, percent: 120, alertsSent: [sent(50), sent(80), sent(100)], enforced: true }, true),
    );
    expect(over).toMatchObject({ bar: 100, percentText: "120 %", level: "throttling" });
    expect(over.status).toContain("429 BudgetExceeded");
    expect(budgetProgress(budget({ spent: 60, percent: 120 })).level).toBe("over");
    expect(budgetProgress(budget({ spent: 0.00001, percent: 0.00002 })).percentText).toBe("< 0.1 %");
  });
});
