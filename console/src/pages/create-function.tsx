// Create a function: name, runtime (from GET /runtimes; unavailable ones disabled with the reason),
// handler, memory, timeout, environment, and code from a folder (zipped here in the browser, as the CLI
// zips one) or a .zip. It is one `POST /functions?mode=create`, so a name in use is refused rather than
// overwritten; the API's errors are shown beside the field they name, the input kept; then the new
// function's page opens.
import { useEffect, useState, type FormEvent } from "react";
import { ApiError, type Api, type RuntimeInfo } from "../lib/api.ts";
import {
  checkCreateForm,
  createFieldOf,
  emptyCreateForm,
  initialRuntime,
  withRuntime,
  type CreateErrors,
  type CreateForm,
} from "../lib/create-form.ts";
import { checkZip, toBase64 } from "../lib/upload.ts";
import { checkFolder, folderName, zipFolder } from "../lib/zip-folder.ts";
import { hrefOf } from "../route.ts";
import { ErrorBox, Loading, useLoad } from "../components.tsx";
import { EnvEditor, Field } from "../forms/env-editor.tsx";

/** The code the user chose: a folder's files, or one zip. */
type Code = { kind: "folder"; files: File[] } | { kind: "zip"; file: File };

function runtimeLabel(r: RuntimeInfo): string {
  const v = r.version === undefined ? "" : ` (${r.version})`;
  if (!r.available) return `${r.id}: unavailable, ${r.reason ?? "no reason given"}`;
  return `${r.id}${v}${r.deprecated === true ? ", deprecated" : ""}`;
}

async function packageOf(code: Code): Promise<string> {
  const bytes =
    code.kind === "folder" ? await zipFolder(code.files) : new Uint8Array(await code.file.arrayBuffer());
  return toBase64(bytes);
}

export function CreateFunctionPage({ api }: { api: Api }) {
  const runtimes = useLoad(() => api.runtimes(), [api]);
  const [form, setForm] = useState<CreateForm>(() => emptyCreateForm(undefined));
  const [code, setCode] = useState<Code | undefined>();
  const [errors, setErrors] = useState<CreateErrors>({});
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  // Once the runtimes are known, start from one that runs here (unless the user already chose).
  useEffect(() => {
    if (runtimes.data !== undefined && form.runtime === "")
      setForm((f) => withRuntime(f, initialRuntime(runtimes.data ?? [])));
  }, [runtimes.data, form.runtime]);

  const chooseFolder = (list: FileList | null): void => {
    const files = list === null ? [] : [...list];
    setCode(undefined);
    if (files.length === 0) return;
    const bad = checkFolder(files.map((f) => ({ path: f.webkitRelativePath || f.name, size: f.size })));
    setErrors((e) => ({ ...e, code: bad }));
    if (bad === undefined) setCode({ kind: "folder", files });
  };

  const chooseZip = (file: File | undefined): void => {
    setCode(undefined);
    if (file === undefined) return;
    // Checked before reading: an oversized or non-zip file is refused without loading it.
    const bad = checkZip(file);
    setErrors((e) => ({ ...e, code: bad }));
    if (bad === undefined) setCode({ kind: "zip", file });
  };

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setFailure(undefined);
    const checked = checkCreateForm(form, runtimes.data ?? [], code !== undefined);
    if ("errors" in checked) {
      setErrors(checked.errors);
      return;
    }
    if (code === undefined) return; // checked above (hasCode)
    setErrors({});
    setBusy(true);
    const { values } = checked;
    packageOf(code)
      .then((zipFile) => api.deploy({ ...values, zipFile }, "create"))
      .then(
        () => {
          window.location.hash = hrefOf({ page: "function", name: values.name, tab: "config" });
        },
        (err: unknown) => {
          setBusy(false);
          if (!(err instanceof ApiError)) {
            // Reading or zipping the folder failed (too big once zipped, unreadable file).
            setErrors({ code: err instanceof Error ? err.message : String(err) });
            return;
          }
          const at = err.code === "AlreadyExists" ? "name" : createFieldOf(err.field);
          if (at !== undefined) setErrors({ [at]: `${err.code}: ${err.message}` });
          else setFailure(err);
        },
      );
  };

  const set = (patch: Partial<CreateForm>): void => setForm((f) => ({ ...f, ...patch }));

  return (
    <section aria-labelledby="create-title">
      <p className="crumbs">
        <a href="#/">Functions</a> /
      </p>
      <h1 id="create-title">Create function</h1>
      {runtimes.error !== undefined && <ErrorBox error={runtimes.error} onRetry={runtimes.reload} />}
      {runtimes.data === undefined && runtimes.loading && <Loading what="runtimes" />}
      <form onSubmit={submit} noValidate className="create-form" aria-labelledby="create-title">
        <Field
          id="new-name"
          label="Name"
          value={form.name}
          onChange={(v) => set({ name: v })}
          error={errors.name}
          placeholder="hello"
        />
        <div className="field">
          <label htmlFor="new-runtime">Runtime</label>
          <select
            id="new-runtime"
            value={form.runtime}
            onChange={(e) =>
              setForm((f) =>
                withRuntime(
                  f,
                  (runtimes.data ?? []).find((r) => r.id === e.target.value),
                ),
              )
            }
            aria-invalid={errors.runtime !== undefined}
            aria-describedby={errors.runtime !== undefined ? "new-runtime-err" : undefined}
          >
            {form.runtime === "" && <option value="">Choose a runtime</option>}
            {(runtimes.data ?? []).map((r) => (
              <option key={r.id} value={r.id} disabled={!r.available} title={r.reason}>
                {runtimeLabel(r)}
              </option>
            ))}
          </select>
          {errors.runtime !== undefined && (
            <p id="new-runtime-err" className="field-error" role="alert">
              {errors.runtime}
            </p>
          )}
        </div>
        <Field
          id="new-handler"
          label="Handler"
          value={form.handler}
          onChange={(v) => set({ handler: v, handlerEdited: true })}
          error={errors.handler}
        />
        <Field
          id="new-memory"
          label="Memory (MB)"
          numeric
          value={form.memorySize}
          onChange={(v) => set({ memorySize: v })}
          error={errors.memorySize}
        />
        <Field
          id="new-timeout"
          label="Timeout (seconds)"
          numeric
          value={form.timeout}
          onChange={(v) => set({ timeout: v })}
          error={errors.timeout}
        />
        <EnvEditor rows={form.env} onChange={(env) => set({ env })} error={errors.environment} />
        <fieldset>
          <legend>Code</legend>
          <div className="choice" role="radiogroup" aria-label="Code from">
            {(["folder", "zip"] as const).map((k) => (
              <label key={k}>
                <input
                  type="radio"
                  name="code-source"
                  value={k}
                  checked={form.source === k}
                  onChange={() => {
                    set({ source: k });
                    setCode(undefined);
                    setErrors((e) => ({ ...e, code: undefined }));
                  }}
                />{" "}
                {k === "folder" ? "A folder" : "A .zip file"}
              </label>
            ))}
          </div>
          <div className="field">
            {form.source === "folder" ? (
              <>
                <label htmlFor="new-code-folder">
                  Folder with the code (zipped here, up to 50 MB zipped)
                </label>
                <input
                  id="new-code-folder"
                  type="file"
                  multiple
                  // React has no typed prop for webkitdirectory: set it on the element.
                  ref={(el) => el?.setAttribute("webkitdirectory", "")}
                  onChange={(e) => chooseFolder(e.target.files)}
                  aria-describedby={errors.code !== undefined ? "new-code-err" : undefined}
                />
              </>
            ) : (
              <>
                <label htmlFor="new-code-zip">.zip with the code (up to 50 MB)</label>
                <input
                  id="new-code-zip"
                  type="file"
                  accept=".zip,application/zip"
                  onChange={(e) => chooseZip(e.target.files?.[0])}
                  aria-describedby={errors.code !== undefined ? "new-code-err" : undefined}
                />
              </>
            )}
            {code?.kind === "folder" && (
              <p className="muted" role="status">
                {folderName(code.files.map((f) => ({ path: f.webkitRelativePath || f.name, size: f.size })))}:{" "}
                {code.files.length} {code.files.length === 1 ? "file" : "files"}
              </p>
            )}
            {errors.code !== undefined && (
              <p id="new-code-err" className="field-error" role="alert">
                {errors.code}
              </p>
            )}
          </div>
        </fieldset>
        {failure !== undefined && <ErrorBox error={failure} />}
        <div className="buttons">
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create function"}
          </button>
          <a href="#/">Cancel</a>
        </div>
      </form>
    </section>
  );
}
