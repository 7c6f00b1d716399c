// Tags (a key/value editor saved as the function's whole set, PUT /functions/{name}/tags) and the
// destinations of Event invocations with their retries and maximum age (PUT / DELETE
// /functions/{name}/event-invoke-config). Metadata: saving makes no new revision and restarts nothing.
import { useEffect, useState, type FormEvent } from "react";
import { ApiError, type Api } from "../lib/api.ts";
import {
  checkDestinations,
  checkTags,
  destinationsFieldOf,
  destinationsFormOf,
  tagEdits,
  tagRowsOf,
  type DestinationsField,
  type DestinationsForm,
  type TagRow,
} from "../lib/settings.ts";
import { ErrorBox, Loading, useLoad } from "../components.tsx";
import { Field } from "../forms/env-editor.tsx";
import { Outcome, useSaver } from "../forms/saver.tsx";

export function TagsPanel({ api, name }: { api: Api; name: string }) {
  const loaded = useLoad(() => api.tags(name), [api, name]);
  const [rows, setRows] = useState<TagRow[] | undefined>();
  const [rowError, setRowError] = useState<string | undefined>();
  const saver = useSaver();
  // The editor starts from the server's tags once they arrive; later reloads keep what is typed.
  useEffect(() => {
    if (loaded.data !== undefined) setRows((r) => r ?? tagRowsOf(loaded.data));
  }, [loaded.data]);

  const save = (e: FormEvent): void => {
    e.preventDefault();
    const checked = checkTags(rows ?? []);
    if ("error" in checked) {
      setRowError(checked.error);
      return;
    }
    setRowError(undefined);
    saver.run(async () => {
      const tags = await api.putTags(name, checked.tags);
      return `Saved: ${Object.keys(tags).length} tag(s).`;
    });
  };

  return (
    <form onSubmit={save} noValidate aria-labelledby="tags-title">
      <h2 id="tags-title">Tags</h2>
      {loaded.error !== undefined && <ErrorBox error={loaded.error} onRetry={loaded.reload} />}
      {rows === undefined && loaded.loading && <Loading what="tags" />}
      {rows !== undefined && (
        <>
          {rows.length === 0 && <p className="muted">None.</p>}
          {rows.map((row, i) => (
            <div className="env-row" key={i}>
              <label>
                <span className="sr-only">Key of tag {i + 1}</span>
                <input
                  value={row.key}
                  placeholder="key"
                  onChange={(e) => setRows(tagEdits.set(rows, i, "key", e.target.value))}
                />
              </label>
              <label>
                <span className="sr-only">Value of tag {i + 1}</span>
                <input
                  value={row.value}
                  placeholder="value"
                  onChange={(e) => setRows(tagEdits.set(rows, i, "value", e.target.value))}
                />
              </label>
              <button
                type="button"
                className="secondary small"
                aria-label={`Remove tag ${i + 1}`}
                onClick={() => setRows(tagEdits.remove(rows, i))}
              >
                Remove
              </button>
            </div>
          ))}
          <button type="button" className="secondary small" onClick={() => setRows(tagEdits.add(rows))}>
            Add tag
          </button>
        </>
      )}
      {rowError !== undefined && (
        <p className="field-error" role="alert">
          {rowError}
        </p>
      )}
      <Outcome problem={saver.problem} done={saver.done} />
      <div className="buttons">
        <button type="submit" disabled={saver.busy || rows === undefined}>
          {saver.busy ? "Saving…" : "Update tags"}
        </button>
      </div>
    </form>
  );
}

const EMPTY: DestinationsForm = {
  onSuccess: "",
  onFailure: "",
  maximumRetryAttempts: "",
  maximumEventAgeInSeconds: "",
};

export function DestinationsPanel({ api, name }: { api: Api; name: string }) {
  const loaded = useLoad(() => api.invokeConfig(name), [api, name]);
  const [form, setForm] = useState<DestinationsForm | undefined>();
  const [errors, setErrors] = useState<Partial<Record<DestinationsField, string>>>({});
  const saver = useSaver();
  useEffect(() => {
    if (loaded.data !== undefined) setForm((f) => f ?? destinationsFormOf(loaded.data ?? {}));
  }, [loaded.data]);

  const save = (e: FormEvent): void => {
    e.preventDefault();
    if (form === undefined) return;
    const checked = checkDestinations(form);
    if ("errors" in checked) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    saver.run(async () => {
      try {
        await api.putInvokeConfig(name, checked.values);
        return "Saved: destinations and retries of asynchronous invocations.";
      } catch (err) {
        // A message about one field goes beside it; the rest to the panel's error box.
        const at = err instanceof ApiError ? destinationsFieldOf(err.field) : undefined;
        if (at === undefined || !(err instanceof ApiError)) throw err;
        setErrors({ [at]: `${err.code}: ${err.message}` });
        return "";
      }
    });
  };
  const remove = (): void => {
    saver.run(async () => {
      await api.deleteInvokeConfig(name);
      setForm(EMPTY);
      setErrors({});
      return "Removed: asynchronous invocations use the defaults (2 retries, 6 hours, no destinations).";
    });
  };
  const set = (k: DestinationsField, v: string): void => setForm((f) => ({ ...(f ?? EMPTY), [k]: v }));

  return (
    <form onSubmit={save} noValidate aria-labelledby="dest-title">
      <h2 id="dest-title">Destinations</h2>
      <p className="muted">
        Where the record of an asynchronous (Event) invocation goes: a function ARN, or a nats://, amqp://,
        mqtt://, redis:// or http(s):// URI. Blank fields use the defaults.
      </p>
      {loaded.error !== undefined && <ErrorBox error={loaded.error} onRetry={loaded.reload} />}
      {form === undefined && loaded.loading && <Loading what="destinations" />}
      {form !== undefined && (
        <>
          <Field
            id="dest-success"
            label="On success"
            value={form.onSuccess}
            onChange={(v) => set("onSuccess", v)}
            error={errors.onSuccess}
          />
          <Field
            id="dest-failure"
            label="On failure"
            value={form.onFailure}
            onChange={(v) => set("onFailure", v)}
            error={errors.onFailure}
          />
          <Field
            id="dest-retries"
            label="Retry attempts (0–2)"
            numeric
            value={form.maximumRetryAttempts}
            onChange={(v) => set("maximumRetryAttempts", v)}
            error={errors.maximumRetryAttempts}
          />
          <Field
            id="dest-age"
            label="Maximum event age (seconds, 60–21600)"
            numeric
            value={form.maximumEventAgeInSeconds}
            onChange={(v) => set("maximumEventAgeInSeconds", v)}
            error={errors.maximumEventAgeInSeconds}
          />
        </>
      )}
      <Outcome problem={saver.problem} done={saver.done === "" ? undefined : saver.done} />
      <div className="buttons">
        <button type="submit" disabled={saver.busy || form === undefined}>
          {saver.busy ? "Saving…" : "Update destinations"}
        </button>
        <button type="button" className="secondary" onClick={remove} disabled={saver.busy}>
          Remove all
        </button>
      </div>
    </form>
  );
}
