// The configuration tab's settings beyond memory, timeout and environment: layers and the network mode
// (each saved as a deploy without code, like the main form), tags and destinations (their own routes,
// see tags-destinations.tsx). Errors from the API are shown in the panel that sent the change.
import { useState, type FormEvent } from "react";
import type { Api, FunctionDetails } from "../lib/api.ts";
import { addLayer, formatNetwork, moveLayer, parseNetwork, type NetworkMode } from "../lib/settings.ts";
import { ErrorBox, useLoad } from "../components.tsx";
import { Outcome, useSaver } from "../forms/saver.tsx";
import { DestinationsPanel, TagsPanel } from "./tags-destinations.tsx";

function LayersPanel({ api, fn, onSaved }: { api: Api; fn: FunctionDetails; onSaved: () => void }) {
  const available = useLoad(() => api.layers(), [api]);
  const [list, setList] = useState<string[]>(() => (fn.layers ?? []).map((l) => l.arn));
  const [choice, setChoice] = useState("");
  const [listError, setListError] = useState<string | undefined>();
  const saver = useSaver();

  const add = (): void => {
    const next = addLayer(list, choice.trim());
    if ("error" in next) setListError(next.error);
    else {
      setListError(undefined);
      setList(next);
      setChoice("");
    }
  };
  const save = (e: FormEvent): void => {
    e.preventDefault();
    saver.run(async () => {
      const c = await api.deploy({ name: fn.name, layers: list });
      return `Saved: ${(c.layers ?? []).length} layer(s).`;
    }, onSaved);
  };

  return (
    <form onSubmit={save} aria-labelledby="layers-title">
      <h2 id="layers-title">Layers</h2>
      {list.length === 0 && <p className="muted">None. Layers are merged in order under /opt.</p>}
      <ol className="plain">
        {list.map((arn, i) => (
          <li key={arn}>
            <code>{arn}</code>
            <button
              type="button"
              className="secondary small"
              aria-label={`Move ${arn} up`}
              disabled={i === 0}
              onClick={() => setList(moveLayer(list, i, -1))}
            >
              ↑
            </button>
            <button
              type="button"
              className="secondary small"
              aria-label={`Remove layer ${arn}`}
              onClick={() => setList(list.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </li>
        ))}
      </ol>
      {available.error !== undefined && <ErrorBox error={available.error} onRetry={available.reload} />}
      <div className="inline-form">
        <div className="field">
          <label htmlFor="layer-add">Layer version ARN</label>
          <input
            id="layer-add"
            list="layer-choices"
            value={choice}
            placeholder="arn:aws:lambda:…:layer:NAME:1"
            onChange={(e) => setChoice(e.target.value)}
            aria-invalid={listError !== undefined}
          />
          <datalist id="layer-choices">
            {(available.data ?? []).map((l) => (
              <option key={l.versionArn} value={l.versionArn}>
                {l.name} {l.version}
                {l.description === "" ? "" : `: ${l.description}`}
              </option>
            ))}
          </datalist>
        </div>
        <button type="button" className="secondary" onClick={add}>
          Add layer
        </button>
      </div>
      {available.data !== undefined && available.data.length === 0 && (
        <p className="muted">No layers are published on this server yet.</p>
      )}
      {listError !== undefined && (
        <p className="field-error" role="alert">
          {listError}
        </p>
      )}
      <Outcome problem={saver.problem} done={saver.done} />
      <button type="submit" disabled={saver.busy}>
        {saver.busy ? "Saving…" : "Update layers"}
      </button>
    </form>
  );
}

function NetworkPanel({ api, fn, onSaved }: { api: Api; fn: FunctionDetails; onSaved: () => void }) {
  const networks = useLoad(() => api.networks(), [api]);
  const initial = parseNetwork(fn.network);
  const [mode, setMode] = useState<NetworkMode>(initial.mode);
  const [names, setNames] = useState<string[]>(initial.names);
  const saver = useSaver();

  const save = (e: FormEvent): void => {
    e.preventDefault();
    const network = formatNetwork(mode, names);
    if (typeof network !== "string") {
      saver.fail(new Error(network.error));
      return;
    }
    saver.run(async () => {
      const c = await api.deploy({ name: fn.name, network });
      return `Saved: network ${c.network}.`;
    }, onSaved);
  };
  const MODES: { mode: NetworkMode; label: string }[] = [
    { mode: "none", label: "None: no network at all" },
    { mode: "egress", label: "Egress: the internet, not the host or private addresses" },
    { mode: "named", label: "Named networks" },
  ];
  // Names the function uses but the server no longer lists still show, so saving keeps them visible.
  const known = [...new Set([...(networks.data ?? []).map((n) => n.name), ...names])];

  return (
    <form onSubmit={save} aria-labelledby="network-title">
      <h2 id="network-title">Network</h2>
      <fieldset>
        <legend>Network mode</legend>
        {MODES.map((m) => (
          <label key={m.mode} className="block">
            <input
              type="radio"
              name="network-mode"
              value={m.mode}
              checked={mode === m.mode}
              onChange={() => setMode(m.mode)}
            />{" "}
            {m.label}
          </label>
        ))}
        {mode === "named" && (
          <ul className="plain" aria-label="Named networks">
            {known.length === 0 && (
              <li className="muted">No named networks exist: create one with the CLI.</li>
            )}
            {known.map((n) => (
              <li key={n}>
                <label>
                  <input
                    type="checkbox"
                    checked={names.includes(n)}
                    onChange={(e) =>
                      setNames((s) => (e.target.checked ? [...s, n] : s.filter((x) => x !== n)))
                    }
                  />{" "}
                  {n}
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      {networks.error !== undefined && <ErrorBox error={networks.error} onRetry={networks.reload} />}
      <Outcome problem={saver.problem} done={saver.done} />
      <button type="submit" disabled={saver.busy}>
        {saver.busy ? "Saving…" : "Update network"}
      </button>
    </form>
  );
}

export function SettingsPanels({ api, fn, onSaved }: { api: Api; fn: FunctionDetails; onSaved: () => void }) {
  return (
    <div className="settings">
      <LayersPanel api={api} fn={fn} onSaved={onSaved} />
      <NetworkPanel api={api} fn={fn} onSaved={onSaved} />
      <TagsPanel api={api} name={fn.name} />
      <DestinationsPanel api={api} name={fn.name} />
    </div>
  );
}
