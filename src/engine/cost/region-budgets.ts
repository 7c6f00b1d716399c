// Builds a region's Budgets from what the region has (its store, cost ledger, functions and queue of
// Event invocations), so region.ts only wires one object: alerts to webhooks go through the
// destinations' HTTP publisher, alerts to functions are Event invocations of the region's functions.

import type { FunctionConfig } from "../../core/types.js";
import type { Store } from "../../store/store.js";
import { HttpPublisher } from "../destinations/http-publisher.js";
import type { CostLedger } from "./ledger.js";
import { BudgetAlertSender } from "./budget-alerts.js";
import { Budgets } from "./budgets.js";

/** Queues an Event invocation (accepted even while a budget throttles it; it runs once lifted). */
export type InvokeEvent = (functionName: string, payload: Buffer, qualifier?: string) => Promise<unknown>;

export function regionBudgets(
  store: Store,
  cost: CostLedger,
  functions: ReadonlyMap<string, FunctionConfig>,
  host: { onWarning: (message: string) => void; onError: (err: unknown) => void },
  invokeEvent: InvokeEvent,
): Budgets {
  const http = new HttpPublisher();
  return new Budgets({
    store: store.budgets,
    spend: (fromMs, toMs, fn) => cost.spend(fromMs, toMs, fn),
    currency: async () => (await cost.currentSheet()).currency,
    functionExists: (name) => functions.has(name),
    region: store.region,
    alerts: new BudgetAlertSender({
      onWarning: host.onWarning,
      invokeEvent,
      post: (url, body) => http.publish(url, body),
    }),
    onError: host.onError,
  });
}
