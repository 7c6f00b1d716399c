// Triggers: what invokes this function (schedules, event source mappings, storage triggers, HTTP
// routes), with state and last error, and what the API offers to change them: enable or disable a
// schedule, mapping or storage trigger, delete any of them (after a confirmation), and create a
// schedule. Each list is loaded on its own, so one failing (or absent on this server) leaves the others.
import { useState, type FormEvent } from "react";
import { ApiError, type Api } from "../lib/api.ts";
import {
  checkScheduleForm,
  deleteRequest,
  mappingRows,
  routeRows,
  scheduleFieldOf,
  scheduleRows,
  storageRows,
  switchRequest,
  type ApiRequest,
  type ScheduleField,
  type ScheduleForm,
  type TriggerRow,
} from "../lib/triggers.ts";
import { ErrorBox, Loading, useLoad } from "../components.tsx";
import { Field } from "../forms/env-editor.tsx";
import { Outcome, useSaver } from "../forms/saver.tsx";

type Obj = Record<string, unknown>;

async function gather(api: Api, name: string): Promise<{ rows: TriggerRow[]; errors: unknown[] }> {
  const lists: [string, string, (fn: string, items: Obj[]) => TriggerRow[]][] = [
    ["/schedules", "schedules", scheduleRows],
    [`/triggers?function=${encodeURIComponent(name)}`, "triggers", mappingRows],
    ["/storage-triggers", "triggers", storageRows],
    ["/routes", "routes", routeRows],
  ];
  const rows: TriggerRow[] = [];
  const errors: unknown[] = [];
  await Promise.all(
    lists.map(async ([path, field, toRows]) => {
      try {
        const body = await api.json<Record<string, Obj[] | undefined>>("GET", path);
        rows.push(...toRows(name, body[field] ?? []));
      } catch (err) {
        errors.push(err);
      }
    }),
  );
  rows.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  return { rows, errors };
}

const send = (api: Api, r: ApiRequest): Promise<unknown> => api.json(r.method, r.path, r.body);

const NEW_SCHEDULE: ScheduleForm = { name: "", expression: "", timezone: "", input: "" };

/** A new schedule of this function: expression, time zone and the event it sends. */
function NewSchedule({ api, name, onCreated }: { api: Api; name: string; onCreated: () => void }) {
  const [form, setForm] = useState<ScheduleForm>(NEW_SCHEDULE);
  const [errors, setErrors] = useState<Partial<Record<ScheduleField, string>>>({});
  const saver = useSaver();
  const set = (k: ScheduleField, v: string): void => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const checked = checkScheduleForm(form, name);
    if ("errors" in checked) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    saver.run(async () => {
      try {
        await api.json("POST", "/schedules", checked.body);
        setForm(NEW_SCHEDULE);
        return `Created schedule ${checked.body.name ?? ""}.`;
      } catch (err) {
        // A refusal about one field goes beside it, with the input kept; the rest below the form.
        const at = err instanceof ApiError ? scheduleFieldOf(err.code, err.message) : undefined;
        if (at === undefined || !(err instanceof ApiError)) throw err;
        setErrors({ [at]: `${err.code}: ${err.message}` });
        return "";
      }
    }, onCreated);
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-schedule-title" className="create-form">
      <h2 id="new-schedule-title">New schedule</h2>
      <p className="muted">
        Invokes this function (as an Event invocation) at the times an expression gives:{" "}
        <code>rate(5 minutes)</code>, <code>cron(0 3 * * ? *)</code> (minutes hours day-of-month month
        day-of-week year) or <code>at(2027-01-01T09:00:00)</code> once.
      </p>
      <Field
        id="schedule-name"
        label="Schedule name"
        value={form.name}
        onChange={(v) => set("name", v)}
        error={errors.name}
      />
      <Field
        id="schedule-expression"
        label="Expression"
        value={form.expression}
        onChange={(v) => set("expression", v)}
        error={errors.expression}
        placeholder="rate(5 minutes)"
      />
      <Field
        id="schedule-timezone"
        label="Time zone (blank: UTC)"
        value={form.timezone}
        onChange={(v) => set("timezone", v)}
        error={errors.timezone}
        placeholder="Europe/Paris"
      />
      <div className="field">
        <label htmlFor="schedule-input">Event JSON (blank: the default Scheduled Event)</label>
        <textarea
          id="schedule-input"
          rows={3}
          value={form.input}
          onChange={(e) => set("input", e.target.value)}
          aria-invalid={errors.input !== undefined}
          aria-describedby={errors.input !== undefined ? "schedule-input-err" : undefined}
        />
        {errors.input !== undefined && (
          <p id="schedule-input-err" className="field-error" role="alert">
            {errors.input}
          </p>
        )}
      </div>
      <Outcome problem={saver.problem} done={saver.done === "" ? undefined : saver.done} />
      <div className="buttons">
        <button type="submit" disabled={saver.busy}>
          {saver.busy ? "Creating…" : "Create schedule"}
        </button>
      </div>
    </form>
  );
}

export function TriggersTab({ api, name }: { api: Api; name: string }) {
  const data = useLoad(() => gather(api, name), [api, name]);
  const action = useSaver();
  const toggle = (r: TriggerRow): void => {
    const enable = r.ref.enabled !== true;
    const req = switchRequest(r.ref, enable);
    if (req === undefined) return;
    action.run(async () => {
      await send(api, req);
      return `${enable ? "Enabled" : "Disabled"} ${r.kind.toLowerCase()} ${r.name}.`;
    }, data.reload);
  };
  const remove = (r: TriggerRow): void => {
    if (!window.confirm(`Delete the ${r.kind.toLowerCase()} "${r.name}"? It stops invoking ${name}.`)) return;
    action.run(async () => {
      await send(api, deleteRequest(r.ref));
      return `Deleted ${r.kind.toLowerCase()} ${r.name}.`;
    }, data.reload);
  };

  return (
    <div>
      {data.error !== undefined && <ErrorBox error={data.error} onRetry={data.reload} />}
      {data.data === undefined && data.loading && <Loading what="triggers" />}
      {data.data?.errors.map((e, i) => (
        <ErrorBox key={i} error={e} />
      ))}
      {data.data !== undefined &&
        (data.data.rows.length === 0 ? (
          <p className="muted">
            Nothing invokes this function yet. Create a schedule below; add an event source mapping (
            <code>vajra trigger</code>), a storage trigger (<code>vajra storage-trigger</code>) or an HTTP
            route (<code>vajra route add</code>) with the CLI or the API.
          </p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Triggers">
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Name</th>
                  <th scope="col">What</th>
                  <th scope="col">State</th>
                  <th scope="col">Last problem</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.data.rows.map((r) => (
                  <tr key={`${r.kind}-${r.name}`}>
                    <td>{r.kind}</td>
                    <th scope="row">{r.name}</th>
                    <td>{r.detail}</td>
                    <td>{r.state}</td>
                    <td className={r.problem === undefined ? "muted" : "bad"}>{r.problem ?? "none"}</td>
                    <td>
                      <div className="buttons">
                        {r.ref.enabled !== undefined && (
                          <button
                            type="button"
                            className="secondary small"
                            disabled={action.busy}
                            aria-label={`${r.ref.enabled ? "Disable" : "Enable"} ${r.name}`}
                            onClick={() => toggle(r)}
                          >
                            {r.ref.enabled ? "Disable" : "Enable"}
                          </button>
                        )}
                        <button
                          type="button"
                          className="secondary small"
                          disabled={action.busy}
                          aria-label={`Delete ${r.name}`}
                          onClick={() => remove(r)}
                        >
                          Delete
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <Outcome problem={action.problem} done={action.done} />
      <button type="button" className="secondary" onClick={data.reload}>
        Refresh
      </button>
      <NewSchedule api={api} name={name} onCreated={data.reload} />
    </div>
  );
}
