// Versions & aliases: publish a version, create an alias, and shift traffic between two versions with
// a weight slider (the alias's routing config).
import { useState, type FormEvent } from "react";
import type { AliasView, Api } from "../lib/api.ts";
import { ErrorBox, Loading, useLoad } from "../components.tsx";

/** The alias's split as text: "100% → 1" or "90% → 1, 10% → 2". */
export function splitText(a: AliasView): string {
  const extra = Object.entries(a.routingConfig?.additionalVersionWeights ?? {});
  const rest = extra.reduce((s, [, w]) => s + w, 0);
  const main = `${Math.round((1 - rest) * 1000) / 10}% → ${a.functionVersion}`;
  return [main, ...extra.map(([v, w]) => `${Math.round(w * 1000) / 10}% → ${v}`)].join(", ");
}

function AliasForm({
  api,
  name,
  versions,
  alias,
  onDone,
}: {
  api: Api;
  name: string;
  versions: string[];
  alias?: AliasView;
  onDone: () => void;
}) {
  const extra = Object.entries(alias?.routingConfig?.additionalVersionWeights ?? {})[0];
  const [aliasName, setAliasName] = useState(alias?.name ?? "");
  const [version, setVersion] = useState(alias?.functionVersion ?? versions.at(-1) ?? "");
  const [second, setSecond] = useState(extra?.[0] ?? "");
  const [percent, setPercent] = useState(extra === undefined ? 10 : Math.round(extra[1] * 100));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const idp = alias === undefined ? "new-alias" : `alias-${alias.name}`;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const routingConfig = second === "" ? null : { additionalVersionWeights: { [second]: percent / 100 } };
    const req = { functionVersion: version, routingConfig };
    (alias === undefined
      ? api.createAlias(name, { name: aliasName.trim(), ...req })
      : api.updateAlias(name, alias.name, req)
    ).then(
      () => {
        setBusy(false);
        onDone();
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };

  return (
    <form
      onSubmit={submit}
      className="alias-form"
      aria-label={alias === undefined ? "Create alias" : `Edit alias ${alias.name}`}
    >
      {alias === undefined && (
        <div className="field">
          <label htmlFor={`${idp}-name`}>Alias name</label>
          <input id={`${idp}-name`} value={aliasName} onChange={(e) => setAliasName(e.target.value)} />
        </div>
      )}
      <div className="field">
        <label htmlFor={`${idp}-version`}>Version</label>
        <select id={`${idp}-version`} value={version} onChange={(e) => setVersion(e.target.value)}>
          {versions.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idp}-second`}>Shift traffic to</label>
        <select id={`${idp}-second`} value={second} onChange={(e) => setSecond(e.target.value)}>
          <option value="">(no second version)</option>
          {versions
            .filter((v) => v !== version && v !== "$LATEST")
            .map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
        </select>
      </div>
      {second !== "" && (
        <div className="field">
          <label htmlFor={`${idp}-weight`}>
            Weight of version {second}: {percent}%
          </label>
          <input
            id={`${idp}-weight`}
            type="range"
            min={0}
            max={100}
            step={1}
            value={percent}
            onChange={(e) => setPercent(Number(e.target.value))}
          />
        </div>
      )}
      {error !== undefined && <ErrorBox error={error} />}
      <button type="submit" disabled={busy}>
        {alias === undefined ? "Create alias" : "Save"}
      </button>
    </form>
  );
}

export function VersionsTab({ api, name }: { api: Api; name: string }) {
  const data = useLoad(
    async () => ({ versions: await api.versions(name), aliases: await api.aliases(name) }),
    [api, name],
  );
  const [description, setDescription] = useState("");
  const [publishError, setPublishError] = useState<unknown>();
  const [editing, setEditing] = useState<string | undefined>();

  const publish = (e: FormEvent): void => {
    e.preventDefault();
    setPublishError(undefined);
    api.publish(name, description).then(
      () => {
        setDescription("");
        data.reload();
      },
      (err: unknown) => setPublishError(err),
    );
  };

  if (data.data === undefined)
    return data.error !== undefined ? (
      <ErrorBox error={data.error} onRetry={data.reload} />
    ) : (
      <Loading what="versions" />
    );
  const versionIds = data.data.versions.map((v) => v.version);
  return (
    <div className="cols">
      <section aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Description</th>
              <th scope="col">Memory</th>
              <th scope="col">Code</th>
            </tr>
          </thead>
          <tbody>
            {data.data.versions.map((v) => (
              <tr key={v.version}>
                <th scope="row">{v.version}</th>
                <td>{v.description}</td>
                <td>{v.memorySize} MB</td>
                <td>
                  <code>{v.codeSha256.slice(0, 10)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form onSubmit={publish} className="inline-form">
          <label>
            Description
            <input value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <button type="submit">Publish version</button>
        </form>
        {publishError !== undefined && <ErrorBox error={publishError} />}
      </section>
      <section aria-labelledby="aliases-title">
        <h2 id="aliases-title">Aliases</h2>
        {data.error !== undefined && <ErrorBox error={data.error} />}
        {data.data.aliases.length === 0 && <p className="muted">No aliases.</p>}
        <ul className="aliases">
          {data.data.aliases.map((a) => (
            <li key={a.name}>
              <strong>{a.name}</strong>: <span data-testid={`split-${a.name}`}>{splitText(a)}</span>{" "}
              <button
                type="button"
                className="secondary small"
                onClick={() => setEditing(editing === a.name ? undefined : a.name)}
              >
                {editing === a.name ? "Cancel" : "Edit"}
              </button>
              {editing === a.name && (
                <AliasForm
                  api={api}
                  name={name}
                  versions={versionIds}
                  alias={a}
                  onDone={() => {
                    setEditing(undefined);
                    data.reload();
                  }}
                />
              )}
            </li>
          ))}
        </ul>
        <h3>New alias</h3>
        <AliasForm api={api} name={name} versions={versionIds} onDone={data.reload} />
      </section>
    </div>
  );
}
