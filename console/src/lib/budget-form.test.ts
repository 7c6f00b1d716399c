import { describe, expect, it } from "vitest";
import { budgetFieldOf, budgetFormOf, checkBudgetForm, NEW_BUDGET } from "./budget-form.ts";

const form = (over: Partial<typeof NEW_BUDGET> = {}) => ({
  ...NEW_BUDGET,
  name: "api",
  monthlyAmount: "50",
  ...over,
});

describe("the budget form's checks (the server's parseBudgetInput)", () => {
  it("makes the create body, thresholds sorted and without repeats as the server keeps them", () => {
    expect(checkBudgetForm(form({ scope: "orders", alertAt: "100, 50 80,50", enforce: true }))).toEqual({
      body: {
        name: "api",
        monthlyAmount: 50,
        scope: "function:orders",
        alertAt: [50, 80, 100],
        alertTo: "log",
        enforce: true,
      },
    });
  });

  it("leaves the name out of an edit (a budget's name cannot change)", () => {
    const r = checkBudgetForm(form({ monthlyAmount: "80.5" }), true);
    expect(r).toEqual({
      body: { monthlyAmount: 80.5, scope: "all", alertAt: [50, 80, 100], alertTo: "log", enforce: false },
    });
  });

  it("refuses what the server refuses, each beside its field", () => {
    const r = checkBudgetForm(
      form({ name: "", monthlyAmount: "-5", alertAt: "0, 80, 2000", alertTo: "ftp://x" }),
    );
    expect("errors" in r && r.errors).toMatchObject({
      name: expect.stringContaining("budget name must be 1 to 64") as string,
      monthlyAmount: expect.stringContaining("monthlyAmount must be a number greater than 0") as string,
      alertAt: expect.stringContaining("from 1 to 1000") as string,
      alertTo: expect.stringContaining("alertTo must be") as string,
    });
    expect(checkBudgetForm(form({ monthlyAmount: "0" }))).toHaveProperty("errors.monthlyAmount");
    expect(checkBudgetForm(form({ monthlyAmount: "" }))).toEqual({
      errors: { monthlyAmount: "The monthly amount is required." },
    });
    expect(checkBudgetForm(form({ monthlyAmount: "ten" }))).toEqual({
      errors: { monthlyAmount: "'ten' is not a number." },
    });
    expect(checkBudgetForm(form({ alertAt: "" }))).toHaveProperty("errors.alertAt");
    expect(checkBudgetForm(form({ alertAt: "50.5" }))).toHaveProperty("errors.alertAt");
    expect(checkBudgetForm(form({ name: "has space" }))).toHaveProperty("errors.name");
    expect(checkBudgetForm(form({ scope: "bad name!" }))).toHaveProperty("errors.scope");
  });

  it("fills the edit form from a budget and maps the server's field names", () => {
    expect(
      budgetFormOf({
        name: "api",
        monthlyAmount: 50,
        scope: "function:orders",
        alertAt: [50, 100],
        alertTo: "https://hooks.example.com/x",
        enforce: true,
        createdAt: "",
        updatedAt: "",
        state: { period: "2026-03", spent: 0, percent: 0, currency: "USD", alertsSent: [], enforced: false },
      }),
    ).toEqual({
      name: "api",
      monthlyAmount: "50",
      scope: "orders",
      alertAt: "50, 100",
      alertTo: "https://hooks.example.com/x",
      enforce: true,
    });
    expect(budgetFieldOf("alertAt")).toBe("alertAt");
    expect(budgetFieldOf("since")).toBeUndefined();
  });
});
