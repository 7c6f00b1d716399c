// Code & configuration: what the function is, and a form for memory, timeout and environment. Saving
// is a deploy without code (POST /functions); the API's validation errors are shown beside the field
// they name, and the input stays as typed. New code is code-panel.tsx; layers, tags, network and
// destinations are settings-panels.tsx.
import { useState, type FormEvent } from "react";
import { ApiError, type Api, type FunctionDetails } from "../lib/api.ts";
import { checkConfigForm, fieldOf, formOf, type ConfigForm, type FieldErrors } from "../lib/validate.ts";
import { ErrorBox } from "../components.tsx";
import { EnvEditor, Field } from "../forms/env-editor.tsx";
import { CodePanel } from "./code-panel.tsx";
import { SettingsPanels } from "./settings-panels.tsx";

export function ConfigTab({ api, fn, onSaved }: { api: Api; fn: FunctionDetails; onSaved: () => void }) {
  const [form, setForm] = useState<ConfigForm>(() => formOf(fn));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>();
  const [saved, setSaved] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const save = (e: FormEvent): void => {
    e.preventDefault();
    setSaved(undefined);
    setFailure(undefined);
    const checked = checkConfigForm(form);
    if ("errors" in checked) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    api.deploy({ name: fn.name, ...checked.values }).then(
      (c) => {
        setBusy(false);
        setSaved(`Saved: ${c.memorySize} MB, ${c.timeout} s (revision ${c.revisionId.slice(0, 8)}).`);
        onSaved();
      },
      (err: unknown) => {
        setBusy(false);
        const at = err instanceof ApiError ? fieldOf(err.field) : undefined;
        if (at !== undefined && err instanceof ApiError) setErrors({ [at]: `${err.code}: ${err.message}` });
        else setFailure(err);
      },
    );
  };

  return (
    <>
      <div className="cols">
        <dl className="facts-list">
          <dt>Runtime</dt>
          <dd>{fn.runtime}</dd>
          <dt>Handler</dt>
          <dd>
            <code>{fn.handler}</code>
          </dd>
          <dt>Code</dt>
          <dd>
            {(fn.codeSize / 1024).toFixed(1)} KB, SHA-256{" "}
            <code title={fn.codeSha256}>{fn.codeSha256.slice(0, 12)}…</code>
            {fn.build !== undefined && " (built by the server)"}
          </dd>
          <dt>Network</dt>
          <dd>{fn.network}</dd>
          <dt>Role</dt>
          <dd>
            <code>{fn.role ?? "–"}</code>
          </dd>
          <dt>Reserved concurrency</dt>
          <dd>{fn.reservedConcurrency ?? "none"}</dd>
          <dt>Ephemeral storage</dt>
          <dd>{fn.ephemeralStorage} MB</dd>
          <dt>Last modified</dt>
          <dd>{fn.lastModified}</dd>
          <dt>ARN</dt>
          <dd>
            <code>{fn.arn}</code>
          </dd>
        </dl>

        <div>
          <form onSubmit={save} noValidate aria-labelledby="cfg-title">
            <h2 id="cfg-title">Configuration</h2>
            <Field
              id="cfg-memory"
              label="Memory (MB)"
              numeric
              value={form.memorySize}
              onChange={(v) => setForm((f) => ({ ...f, memorySize: v }))}
              error={errors.memorySize}
            />
            <Field
              id="cfg-timeout"
              label="Timeout (seconds)"
              numeric
              value={form.timeout}
              onChange={(v) => setForm((f) => ({ ...f, timeout: v }))}
              error={errors.timeout}
            />
            <EnvEditor
              rows={form.env}
              onChange={(env) => setForm((f) => ({ ...f, env }))}
              error={errors.environment}
            />
            {failure !== undefined && <ErrorBox error={failure} />}
            {saved !== undefined && (
              <p className="ok" role="status">
                {saved}
              </p>
            )}
            <button type="submit" disabled={busy}>
              {busy ? "Saving…" : "Save"}
            </button>
          </form>
          <CodePanel api={api} name={fn.name} onDeployed={onSaved} />
        </div>
      </div>
      <SettingsPanels api={api} fn={fn} onSaved={onSaved} />
    </>
  );
}
