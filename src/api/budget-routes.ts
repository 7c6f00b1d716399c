// Native budget routes (API key auth; the CLI's `vajra budget`): /budgets and /budgets/{name}. A read
// evaluates the budget first, so its state (spend, alerts sent, throttle) is current when answered.

import type { FastifyInstance } from "fastify";
import { invalid } from "../core/errors.js";
import { parseBudgetInput, type BudgetView } from "../core/budget.js";
import { maskDestination } from "../core/destination.js";
import type { Platform } from "../engine/platform.js";
import type { BudgetState } from "../engine/cost/budgets.js";

type NameParams = { Params: { name: string } };

/** The native view: times as ISO strings, a webhook's password masked. */
export function budgetView(s: BudgetState): BudgetView {
  const b = s.budget;
  return {
    name: b.name,
    monthlyAmount: b.monthlyAmount,
    scope: b.scope,
    alertAt: b.alertAt,
    alertTo: maskDestination(b.alertTo),
    enforce: b.enforce,
    createdAt: new Date(b.createdAt).toISOString(),
    updatedAt: new Date(b.updatedAt).toISOString(),
    state: {
      period: s.period,
      spent: s.spent,
      percent: s.percent,
      currency: s.currency,
      alertsSent: s.alertsSent.map((a) => ({
        thresholdPercent: a.thresholdPercent,
        sentAt: new Date(a.sentAt).toISOString(),
      })),
      enforced: s.enforced,
    },
  };
}

export function registerBudgetRoutes(app: FastifyInstance, platform: Platform): void {
  app.get("/budgets", async () => ({ budgets: (await platform.budgets.states()).map(budgetView) }));

  app.post("/budgets", async (req, reply) => {
    const input = parseBudgetInput(req.body ?? {});
    const view = budgetView(await platform.budgets.create(input.name, input));
    return reply.code(201).send(view);
  });

  app.get<NameParams>("/budgets/:name", async (req) =>
    budgetView(await platform.budgets.get(req.params.name)),
  );

  app.patch<NameParams>("/budgets/:name", async (req) => {
    const input = parseBudgetInput(req.body ?? {});
    if (input.name !== undefined && input.name !== req.params.name)
      throw invalid("a budget's name cannot change; create a new budget instead", { field: "name" });
    delete input.name;
    return budgetView(await platform.budgets.update(req.params.name, input));
  });

  app.delete<NameParams>("/budgets/:name", async (req, reply) => {
    await platform.budgets.delete(req.params.name);
    return reply.code(204).send();
  });
}
