// Budgets on the Cost page: each budget's month-to-date state (`GET /budgets` evaluates them first, so
// what is shown is in effect), a form to create one or edit (raise) one, and deletion with confirmation.
// The form's checks are the server's (lib/budget-form.ts); the API's refusals go beside their field.
import { useState, type FormEvent } from "react";
import { ApiError, type Api, type BudgetView } from "../lib/api.ts";
import {
  NEW_BUDGET,
  budgetFieldOf,
  budgetFormOf,
  checkBudgetForm,
  type BudgetField,
  type BudgetForm,
} from "../lib/budget-form.ts";
import { budgetProgress, money } from "../lib/cost.ts";
import { ErrorBox, Loading, useLoad } from "../components.tsx";
import { Field } from "../forms/env-editor.tsx";
import { Outcome, useSaver } from "../forms/saver.tsx";

function BudgetRow({
  b,
  onEdit,
  onDelete,
  busy,
}: {
  b: BudgetView;
  onEdit: () => void;
  onDelete: () => void;
  busy: boolean;
}) {
  const p = budgetProgress(b);
  return (
    <tr data-testid={`budget-${b.name}`}>
      <th scope="row">{b.name}</th>
      <td>{b.scope === "all" ? "all functions" : b.scope}</td>
      <td>
        <div>{p.spentText}</div>
        <progress max={100} value={p.bar} aria-label={`${b.name}: ${p.percentText} spent`} /> {p.percentText}
      </td>
      <td>
        {b.alertAt.map((t) => `${t} %`).join(", ")} → {b.alertTo}
        <div className="muted">reached: {p.reached}</div>
      </td>
      <td className={p.level === "ok" ? undefined : "bad"}>{p.status}</td>
      <td>
        <div className="buttons">
          <button type="button" className="secondary small" onClick={onEdit} disabled={busy}>
            Edit
          </button>
          <button type="button" className="secondary small" onClick={onDelete} disabled={busy}>
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}

function BudgetFormView({
  form,
  setForm,
  errors,
  editing,
  functions,
}: {
  form: BudgetForm;
  setForm: (f: BudgetForm) => void;
  errors: Partial<Record<BudgetField, string>>;
  editing: boolean;
  functions: string[];
}) {
  const set = (k: keyof BudgetForm, v: string | boolean): void => setForm({ ...form, [k]: v });
  // A budget of a function deleted since still shows its scope as a choice.
  const choices =
    functions.includes(form.scope) || form.scope === "all" ? functions : [form.scope, ...functions];
  return (
    <>
      {editing ? (
        <p>
          Editing <strong>{form.name}</strong> (a budget&apos;s name cannot change).
        </p>
      ) : (
        <Field
          id="budget-name"
          label="Name"
          value={form.name}
          onChange={(v) => set("name", v)}
          error={errors.name}
        />
      )}
      <Field
        id="budget-amount"
        label="Monthly amount"
        value={form.monthlyAmount}
        onChange={(v) => set("monthlyAmount", v)}
        error={errors.monthlyAmount}
      />
      <div className="field">
        <label htmlFor="budget-scope">Scope</label>
        <select
          id="budget-scope"
          value={form.scope}
          onChange={(e) => set("scope", e.target.value)}
          aria-invalid={errors.scope !== undefined}
          aria-describedby={errors.scope !== undefined ? "budget-scope-err" : undefined}
        >
          <option value="all">All functions</option>
          {choices.map((f) => (
            <option key={f} value={f}>
              Function {f}
            </option>
          ))}
        </select>
        {errors.scope !== undefined && (
          <p id="budget-scope-err" className="field-error" role="alert">
            {errors.scope}
          </p>
        )}
      </div>
      <Field
        id="budget-alert-at"
        label="Alert thresholds (percent, 1–1000)"
        value={form.alertAt}
        onChange={(v) => set("alertAt", v)}
        error={errors.alertAt}
        placeholder="50, 80, 100"
      />
      <Field
        id="budget-alert-to"
        label="Alerts go to (log, a function, or an http(s) webhook URL)"
        value={form.alertTo}
        onChange={(v) => set("alertTo", v)}
        error={errors.alertTo}
      />
      <label className="check">
        <input type="checkbox" checked={form.enforce} onChange={(e) => set("enforce", e.target.checked)} />{" "}
        Enforce: throttle the scope (429 BudgetExceeded) once 100 % is spent
      </label>
      {errors.enforce !== undefined && (
        <p className="field-error" role="alert">
          {errors.enforce}
        </p>
      )}
    </>
  );
}

export function BudgetsPanel({ api }: { api: Api }) {
  const budgets = useLoad(() => api.budgets(), [api]);
  const functions = useLoad(async () => (await api.listFunctions()).map((f) => f.name).sort(), [api]);
  const [form, setForm] = useState<BudgetForm>(NEW_BUDGET);
  const [editing, setEditing] = useState<string | undefined>();
  const [errors, setErrors] = useState<Partial<Record<BudgetField, string>>>({});
  const saver = useSaver();
  const list = useSaver();

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const checked = checkBudgetForm(form, editing !== undefined);
    if ("errors" in checked) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    saver.run(async () => {
      try {
        const b =
          editing === undefined
            ? await api.createBudget(checked.body)
            : await api.updateBudget(editing, checked.body);
        setForm(NEW_BUDGET);
        setEditing(undefined);
        return `${editing === undefined ? "Created" : "Updated"} budget ${b.name}: ${money(b.monthlyAmount, b.state.currency)} a month.`;
      } catch (err) {
        // A refusal naming a field goes beside it (the input stays as typed); others to the box below.
        const at =
          err instanceof ApiError
            ? (budgetFieldOf(err.field) ?? (err.code === "AlreadyExists" ? "name" : undefined))
            : undefined;
        if (at === undefined || !(err instanceof ApiError)) throw err;
        setErrors({ [at]: `${err.code}: ${err.message}` });
        return "";
      }
    }, budgets.reload);
  };

  const remove = (b: BudgetView): void => {
    if (!window.confirm(`Delete the budget "${b.name}"? Its alerts stop, and a throttle it holds is lifted.`))
      return;
    list.run(async () => {
      await api.deleteBudget(b.name);
      if (editing === b.name) {
        setEditing(undefined);
        setForm(NEW_BUDGET);
      }
      return `Deleted budget ${b.name}.`;
    }, budgets.reload);
  };

  return (
    <section aria-labelledby="budgets-title">
      <h2 id="budgets-title">Budgets</h2>
      <p className="muted">
        A monthly amount (UTC calendar month) for one function or all of them, in the price sheet&apos;s
        currency, with alerts at thresholds and, if enforced, a throttle at 100 %.
      </p>
      {budgets.error !== undefined && <ErrorBox error={budgets.error} onRetry={budgets.reload} />}
      {budgets.data === undefined && budgets.loading && <Loading what="budgets" />}
      {budgets.data !== undefined &&
        (budgets.data.length === 0 ? (
          <p className="muted">No budgets yet.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Budgets">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Spent this month</th>
                  <th scope="col">Alerts</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {budgets.data.map((b) => (
                  <BudgetRow
                    key={b.name}
                    b={b}
                    busy={list.busy}
                    onEdit={() => {
                      setEditing(b.name);
                      setForm(budgetFormOf(b));
                      setErrors({});
                    }}
                    onDelete={() => remove(b)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <Outcome problem={list.problem} done={list.done} />
      <form onSubmit={submit} noValidate aria-labelledby="budget-form-title" className="create-form">
        <h3 id="budget-form-title">{editing === undefined ? "New budget" : `Edit budget ${editing}`}</h3>
        {functions.error !== undefined && <ErrorBox error={functions.error} onRetry={functions.reload} />}
        <BudgetFormView
          form={form}
          setForm={setForm}
          errors={errors}
          editing={editing !== undefined}
          functions={functions.data ?? []}
        />
        <Outcome problem={saver.problem} done={saver.done === "" ? undefined : saver.done} />
        <div className="buttons">
          <button type="submit" disabled={saver.busy}>
            {saver.busy ? "Saving…" : editing === undefined ? "Create budget" : "Save budget"}
          </button>
          {editing !== undefined && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setEditing(undefined);
                setForm(NEW_BUDGET);
                setErrors({});
              }}
            >
              Cancel
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
