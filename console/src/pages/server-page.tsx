// The server: version and isolation warnings (GET /health), runtimes and why some are unavailable
// (GET /runtimes), and the API keys (create with the secret shown once, revoke).
import { useState, type FormEvent } from "react";
import type { Api, ApiKeyView } from "../lib/api.ts";
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
    </section>
  );
}
