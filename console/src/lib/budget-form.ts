// The budget form's checks before sending. The rules are the server's own: the typed text is turned
// into a request body and put through src/core/budget.ts's parseBudgetInput (pure, no I/O), the very
// check `POST /budgets` runs, so a name, amount, scope, threshold or alert target the server would
// refuse is refused here with the server's message, beside its field. What only the server knows (a
// name in use, a function that does not exist) comes back from the API and goes beside the field too.

import { isVajraError } from "../../../src/core/errors.ts";
import { parseBudgetInput } from "../../../src/core/budget.ts";
import type { BudgetView } from "./api.ts";

export interface BudgetForm {
  name: string;
  monthlyAmount: string;
  /** "all", or the name of a function (the scope `function:NAME`). */
  scope: string;
  /** Percentages separated by commas: "50, 80, 100". */
  alertAt: string;
  /** "log", a function name or ARN, or an http(s) URL. */
  alertTo: string;
  enforce: boolean;
}

export type BudgetField = "name" | "monthlyAmount" | "scope" | "alertAt" | "alertTo" | "enforce";

/** The body of `POST /budgets` (create) or `PATCH /budgets/{name}` (edit: no name). */
export interface BudgetBody {
  name?: string;
  monthlyAmount: number;
  scope: string;
  alertAt: number[];
  alertTo: string;
  enforce: boolean;
}

export const NEW_BUDGET: BudgetForm = {
  name: "",
  monthlyAmount: "",
  scope: "all",
  alertAt: "50, 80, 100",
  alertTo: "log",
  enforce: false,
};

/** The form filled from a budget, to edit (raise) it. */
export function budgetFormOf(b: BudgetView): BudgetForm {
  const fn = /^function:(.+)$/.exec(b.scope)?.[1];
  return {
    name: b.name,
    monthlyAmount: String(b.monthlyAmount),
    scope: fn ?? "all",
    alertAt: b.alertAt.join(", "),
    alertTo: b.alertTo,
    enforce: b.enforce,
  };
}

/** The form field a server message names (`details.field`), if it is one of the form's. */
export function budgetFieldOf(field: string | undefined): BudgetField | undefined {
  const fields: readonly string[] = ["name", "monthlyAmount", "scope", "alertAt", "alertTo", "enforce"];
  return field !== undefined && fields.includes(field) ? (field as BudgetField) : undefined;
}

/**
 * Checks the form for a create (`editing` false) or an edit. Returns the body to send, or one message
 * per field at fault. Thresholds may be typed in any order and repeated: the server sorts them and
 * drops repeats, and so does this (the body holds them ascending).
 */
export function checkBudgetForm(
  form: BudgetForm,
  editing = false,
): { body: BudgetBody } | { errors: Partial<Record<BudgetField, string>> } {
  const errors: Partial<Record<BudgetField, string>> = {};
  const amountText = form.monthlyAmount.trim();
  const amount = amountText === "" ? NaN : Number(amountText);
  if (amountText === "") errors.monthlyAmount = "The monthly amount is required.";
  else if (!Number.isFinite(amount)) errors.monthlyAmount = `'${amountText}' is not a number.`;
  const thresholdsText = form.alertAt.trim();
  const alertAt = thresholdsText === "" ? [] : thresholdsText.split(/[\s,]+/).map((t) => Number(t));
  const body: Record<string, unknown> = {
    monthlyAmount: amount,
    scope: form.scope === "all" || form.scope === "" ? "all" : `function:${form.scope}`,
    alertAt,
    alertTo: form.alertTo.trim() === "" ? "log" : form.alertTo.trim(),
    enforce: form.enforce,
  };
  if (!editing) body.name = form.name.trim();
  // The server's checks stop at the first fault; each field is put through them alone, so every field
  // at fault gets its message at once.
  for (const key of Object.keys(body) as BudgetField[]) {
    if (errors[key] !== undefined) continue;
    try {
      parseBudgetInput({ [key]: body[key] });
    } catch (err) {
      if (!isVajraError(err)) throw err;
      const at = budgetFieldOf(typeof err.details?.field === "string" ? err.details.field : undefined);
      errors[at ?? key] = err.message;
    }
  }
  if (Object.keys(errors).length > 0) return { errors };
  const parsed = parseBudgetInput(body);
  return {
    body: {
      ...(parsed.name === undefined ? {} : { name: parsed.name }),
      monthlyAmount: amount,
      scope: body.scope as string,
      alertAt: parsed.alertAt ?? [],
      alertTo: body.alertTo as string,
      enforce: form.enforce,
    },
  };
}
