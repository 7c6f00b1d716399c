// The server: version and isolation warnings (GET /health), the sandbox status of its host (GET /doctor,
// what `vajra doctor` checks), runtimes and why some are unavailable (GET /runtimes), and the API keys
// (create with the secret shown once, revoke).
import { useState, type FormEvent } from "react";
import type { Api, ApiKeyView, CheckStatus, DoctorReport } from "../lib/api.ts";
import { ErrorBox, Loading, useLoad } from "../components.tsx";

function Keys({ api }: { api: Api }) {
  const keys = useLoad(() => api.apiKeys(), [api]);
  const [name, setName] = useState("");
  const [days, setDays] = useState("");
  const [created, setCreated] = useState<ApiKeyView | undefined>();
  const [error, setError] = useState<unknown>();

  const create = (e: FormEvent): void => {
    e.preventDefault();
    setError(undefined);
    const d = days.trim() === "" ? undefined : Number(days);
    api.createApiKey(name.trim(), d).then(
      (k) => {
        setCreated(k);
        setName("");
        setDays("");
        keys.reload();
      },
      (err: unknown) => setError(err),
    );
  };

  const revoke = (k: ApiKeyView): void => {
    if (!window.confirm(`Revoke the API key "${k.name}"? Requests with it are refused from now on.`)) return;
    setError(undefined);
    api.revokeApiKey(k.id).then(
      () => keys.reload(),
      (err: unknown) => setError(err),
    );
  };

  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      {keys.error !== undefined && <ErrorBox error={keys.error} onRetry={keys.reload} />}
      {keys.data === undefined && keys.loading && <Loading what="API keys" />}
      {keys.data !== undefined && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id}>
                  <th scope="row">{k.name}</th>
                  <td>{k.createdAt.slice(0, 19).replace("T", " ")}</td>
                  <td>{k.expiresAt === undefined ? "never" : k.expiresAt.slice(0, 10)}</td>
                  <td>
                    {k.name !== "admin" && (
                      <button
                        type="button"
                        className="secondary small"
                        onClick={() => revoke(k)}
                        aria-label={`Revoke ${k.name}`}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={create} className="inline-form" aria-label="Create API key">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Expires in days (optional)
          <input inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
        </label>
        <button type="submit">Create key</button>
      </form>
      {error !== undefined && <ErrorBox error={error} />}
      {created?.secret !== undefined && (
        <div className="notice" role="status">
          <p>
            New key <strong>{created.name}</strong>. Copy its secret now: it is not shown again.
          </p>
          <pre data-testid="new-secret">{created.secret}</pre>
        </div>
      )}
    </section>
  );
}

const STATUS_TEXT: Record<CheckStatus, { mark: string; label: string }> = {
  pass: { mark: "✓", label: "pass" },
  warn: { mark: "!", label: "warning" },
  fail: { mark: "✗", label: "failed" },
};

function Check({ check }: { check: DoctorReport["checks"][number] }) {
  const s = STATUS_TEXT[check.status];
  return (
    <li className={`check ${check.status}`}>
      <span className="mark" aria-hidden="true">
        {s.mark}
      </span>{" "}
      <strong>{check.name}</strong> <span className="sr-only">({s.label})</span>
      {check.status !== "pass" && <span className={`badge ${check.status}`}>{s.label}</span>}
      {check.detail !== "" && <span className="muted"> · {check.detail}</span>}
      {check.fix !== undefined && check.status !== "pass" && (
        <div className="hint">
          fix: <code>{check.fix}</code>
        </div>
      )}
      {check.status !== "pass" &&
        (check.missing ?? []).map((m) => (
          <div key={m.id} className="hint">
            {m.id}: <code>{m.command}</code>
            {m.note !== undefined && <span className="muted"> ({m.note})</span>}
          </div>
        ))}
    </li>
  );
}

function SandboxStatus({ api }: { api: Api }) {
  const doctor = useLoad(() => api.doctor(), [api]);
  const groups = [
    { id: "sandbox", title: "Sandbox" },
    { id: "runtime", title: "Runtime families" },
  ] as const;
  return (
    <section aria-labelledby="doctor-title">
      <h2 id="doctor-title">Sandbox status</h2>
      {doctor.error !== undefined && <ErrorBox error={doctor.error} onRetry={doctor.reload} />}
      {doctor.data === undefined && doctor.loading && <Loading what="the host checks" />}
      {doctor.data !== undefined && (
        <>
          <p className={doctor.data.ok ? "ok" : "bad"}>
            {doctor.data.ok
              ? "Nothing essential is missing (what `vajra doctor` checks, on the server's host)."
              : "Something essential is missing: functions cannot run isolated until it is installed."}
          </p>
          {groups.map((g) => (
            <div key={g.id}>
              <h3>{g.title}</h3>
              <ul className="checks" aria-label={g.title}>
                {doctor.data?.checks
                  .filter((c) => (c.group ?? "sandbox") === g.id)
                  .map((c) => (
                    <Check key={c.name} check={c} />
                  ))}
              </ul>
            </div>
          ))}
          {doctor.data.aptInstall !== "" && (
            <p>
              Debian/Ubuntu, every missing package at once: <code>{doctor.data.aptInstall}</code>
            </p>
          )}
        </>
      )}
    </section>
  );
}

export function ServerPage({ api }: { api: Api }) {
  const health = useLoad(() => api.health(), [api]);
  const runtimes = useLoad(() => api.runtimes(), [api]);
  return (
    <section aria-labelledby="server-title">
      <h1 id="server-title">Server</h1>
      {health.error !== undefined && <ErrorBox error={health.error} onRetry={health.reload} />}
      {health.data !== undefined && (
        <p>
          Vajra {health.data.version ?? "?"} ·{" "}
          {health.data.isolation?.isolated === true ? (
            "functions run in sandboxes"
          ) : (
            <strong className="bad">functions run without isolation</strong>
          )}
        </p>
      )}
      {(health.data?.isolation?.warnings ?? []).map((w) => (
        <p key={w} className="bad">
          {w}
        </p>
      ))}
      <div className="cols">
        <section aria-labelledby="rt-title">
          <h2 id="rt-title">Runtimes</h2>
          {runtimes.error !== undefined && <ErrorBox error={runtimes.error} onRetry={runtimes.reload} />}
          {runtimes.data === undefined && runtimes.loading && <Loading what="runtimes" />}
          {runtimes.data !== undefined && (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Runtime</th>
                    <th scope="col">State</th>
                  </tr>
                </thead>
                <tbody>
                  {runtimes.data.map((r) => (
                    <tr key={r.id}>
                      <th scope="row">{r.id}</th>
                      <td className={r.available ? "ok" : "muted"} style={{ whiteSpace: "normal" }}>
                        {r.available
                          ? `available${r.version === undefined ? "" : ` (${r.version})`}`
                          : `unavailable: ${r.reason ?? "not installed"}`}
                        {r.deprecated === true && " · deprecated"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <Keys api={api} />
      </div>
      <SandboxStatus api={api} />
    </section>
  );
}
