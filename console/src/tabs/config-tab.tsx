// Code & configuration: what the function is, and a form for memory, timeout and environment. Saving
// is a deploy without code (POST /functions); the API's validation errors are shown beside the field
// they name, and the input stays as typed.
import { useState, type FormEvent } from "react";
import { ApiError, type Api, type FunctionDetails } from "../lib/api.ts";
import { checkConfigForm, fieldOf, formOf, type ConfigForm, type FieldErrors } from "../lib/validate.ts";
import { checkZip, toBase64 } from "../lib/upload.ts";
import { ErrorBox } from "../components.tsx";

/** Deploy new code from a zip, and show the build log of the current code. */
function CodePanel({ api, name, onDeployed }: { api: Api; name: string; onDeployed: () => void }) {
  const [file, setFile] = useState<File | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [buildLog, setBuildLog] = useState<string | undefined>();

  const upload = (e: FormEvent): void => {
    e.preventDefault();
    setDone(undefined);
    setProblem(undefined);
    if (file === undefined) {
      setProblem(new ApiError(0, "NoFile", "choose a .zip file with the function's code first"));
      return;
    }
    const bad = checkZip(file);
    if (bad !== undefined) {
      setProblem(new ApiError(0, "InvalidCodePackage", bad));
      return;
    }
    setBusy(true);
    file
      .arrayBuffer()
      .then((buf) => api.deploy({ name, zipFile: toBase64(new Uint8Array(buf)) }))
      .then(
        (c) => {
          setBusy(false);
          setDone(
            `Deployed ${file.name}: ${(c.codeSize / 1024).toFixed(1)} KB, SHA-256 ${c.codeSha256.slice(0, 12)}…`,
          );
          onDeployed();
        },
        (err: unknown) => {
          setBusy(false);
          setProblem(err);
        },
      );
  };

  const showBuildLog = (): void => {
    setProblem(undefined);
    api.buildLog(name).then(
      (b) =>
        setBuildLog(`${b.status} in ${(b.durationMs / 1000).toFixed(1)} s with ${b.toolchain}\n\n${b.log}`),
      (err: unknown) => {
        // A package deployed as uploaded has no build: the server's 404 says so, shown as the log.
        if (err instanceof ApiError && err.status === 404) setBuildLog(err.message);
        else setProblem(err);
      },
    );
  };

  return (
    <form onSubmit={upload} aria-labelledby="code-title">
      <h2 id="code-title">Code</h2>
      <div className="field">
        <label htmlFor="code-zip">Deploy new code (.zip, up to 50 MB)</label>
        <input
          id="code-zip"
          type="file"
          accept=".zip,application/zip"
          onChange={(e) => setFile(e.target.files?.[0])}
        />
      </div>
      {problem !== undefined && <ErrorBox error={problem} />}
      {done !== undefined && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {busy ? "Deploying…" : "Deploy"}
        </button>
        <button type="button" className="secondary" onClick={showBuildLog}>
          Build log
        </button>
      </div>
      {buildLog !== undefined && <pre className="log">{buildLog}</pre>}
    </form>
  );
}

export function ConfigTab({ api, fn, onSaved }: { api: Api; fn: FunctionDetails; onSaved: () => void }) {
  const [form, setForm] = useState<ConfigForm>(() => formOf(fn));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<unknown>();
  const [saved, setSaved] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [revealed, setRevealed] = useState<Set<number>>(new Set());

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

  const setRow = (i: number, part: "key" | "value", v: string): void =>
    setForm((f) => ({ ...f, env: f.env.map((r, j) => (j === i ? { ...r, [part]: v } : r)) }));

  return (
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
          <div className="field">
            <label htmlFor="cfg-memory">Memory (MB)</label>
            <input
              id="cfg-memory"
              inputMode="numeric"
              value={form.memorySize}
              onChange={(e) => setForm({ ...form, memorySize: e.target.value })}
              aria-invalid={errors.memorySize !== undefined}
              aria-describedby={errors.memorySize !== undefined ? "cfg-memory-err" : undefined}
            />
            {errors.memorySize !== undefined && (
              <p id="cfg-memory-err" className="field-error" role="alert">
                {errors.memorySize}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor="cfg-timeout">Timeout (seconds)</label>
            <input
              id="cfg-timeout"
              inputMode="numeric"
              value={form.timeout}
              onChange={(e) => setForm({ ...form, timeout: e.target.value })}
              aria-invalid={errors.timeout !== undefined}
              aria-describedby={errors.timeout !== undefined ? "cfg-timeout-err" : undefined}
            />
            {errors.timeout !== undefined && (
              <p id="cfg-timeout-err" className="field-error" role="alert">
                {errors.timeout}
              </p>
            )}
          </div>
          <fieldset>
            <legend>Environment variables</legend>
            {form.env.length === 0 && <p className="muted">None.</p>}
            {form.env.map((row, i) => (
              <div className="env-row" key={i}>
                <label>
                  <span className="sr-only">Name of variable {i + 1}</span>
                  <input
                    value={row.key}
                    placeholder="NAME"
                    onChange={(e) => setRow(i, "key", e.target.value)}
                  />
                </label>
                <label>
                  <span className="sr-only">Value of variable {i + 1}</span>
                  <input
                    type={revealed.has(i) ? "text" : "password"}
                    autoComplete="off"
                    value={row.value}
                    placeholder="value"
                    onChange={(e) => setRow(i, "value", e.target.value)}
                  />
                </label>
                <button
                  type="button"
                  className="secondary small"
                  aria-pressed={revealed.has(i)}
                  onClick={() =>
                    setRevealed((s) => {
                      const n = new Set(s);
                      if (n.has(i)) n.delete(i);
                      else n.add(i);
                      return n;
                    })
                  }
                >
                  {revealed.has(i) ? "Hide" : "Show"}
                </button>
                <button
                  type="button"
                  className="secondary small"
                  aria-label={`Remove variable ${i + 1}`}
                  onClick={() => setForm((f) => ({ ...f, env: f.env.filter((_, j) => j !== i) }))}
                >
                  Remove
                </button>
              </div>
            ))}
            <button
              type="button"
              className="secondary small"
              onClick={() => setForm((f) => ({ ...f, env: [...f.env, { key: "", value: "" }] }))}
            >
              Add variable
            </button>
            {errors.environment !== undefined && (
              <p className="field-error" role="alert">
                {errors.environment}
              </p>
            )}
          </fieldset>
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
  );
}
