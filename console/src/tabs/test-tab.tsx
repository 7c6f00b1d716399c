// Test: named events saved per function (in this browser), templates, JSON checked before sending,
// a synchronous invoke with the log tail, and the REPORT numbers from the response headers.
import { useState } from "react";
import type { Api, InvokeResult } from "../lib/api.ts";
import { ms, pretty } from "../lib/format.ts";
import {
  checkEventJson,
  checkEventName,
  deleteEvent,
  loadEvents,
  saveEvent,
  TEMPLATES,
  templateText,
} from "../lib/test-events.ts";
import { ErrorBox } from "../components.tsx";

export function TestTab({ api, name }: { api: Api; name: string }) {
  const [events, setEvents] = useState(() => loadEvents(localStorage, name));
  const [eventName, setEventName] = useState(events[0]?.name ?? "");
  const [text, setText] = useState(events[0]?.json ?? "{}");
  const [jsonError, setJsonError] = useState<string | undefined>();
  const [nameError, setNameError] = useState<string | undefined>();
  const [result, setResult] = useState<InvokeResult | undefined>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const invoke = (): void => {
    const check = checkEventJson(text);
    if (!check.ok) {
      setJsonError(check.message);
      return;
    }
    setJsonError(undefined);
    setFailure(undefined);
    setBusy(true);
    api.invoke(name, text).then(
      (r) => {
        setBusy(false);
        setResult(r);
      },
      (err: unknown) => {
        setBusy(false);
        setFailure(err);
      },
    );
  };

  const save = (): void => {
    const badName = checkEventName(eventName);
    setNameError(badName);
    const check = checkEventJson(text);
    setJsonError(check.ok ? undefined : check.message);
    if (badName !== undefined || !check.ok) return;
    setEvents(saveEvent(localStorage, name, { name: eventName, json: text }));
  };

  return (
    <div className="cols">
      <div>
        <h2>Test event</h2>
        <div className="field">
          <label htmlFor="saved-event">Saved events</label>
          <select
            id="saved-event"
            value={events.some((e) => e.name === eventName) ? eventName : ""}
            onChange={(e) => {
              const ev = events.find((x) => x.name === e.target.value);
              if (ev !== undefined) {
                setEventName(ev.name);
                setText(ev.json);
                setJsonError(undefined);
              }
            }}
          >
            <option value="">{events.length === 0 ? "(none saved yet)" : "(choose)"}</option>
            {events.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="template">Start from a template</label>
          <select
            id="template"
            value=""
            onChange={(e) => {
              if (e.target.value === "") return;
              setText(templateText(e.target.value));
              setJsonError(undefined);
            }}
          >
            <option value="">(choose)</option>
            {TEMPLATES.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="event-name">Event name</label>
          <input
            id="event-name"
            value={eventName}
            onChange={(e) => setEventName(e.target.value)}
            aria-invalid={nameError !== undefined}
          />
          {nameError !== undefined && (
            <p className="field-error" role="alert">
              {nameError}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="event-json">Event JSON</label>
          <textarea
            id="event-json"
            rows={14}
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-invalid={jsonError !== undefined}
            aria-describedby={jsonError !== undefined ? "event-json-err" : undefined}
          />
          {jsonError !== undefined && (
            <p id="event-json-err" className="field-error" role="alert">
              {jsonError}
            </p>
          )}
        </div>
        <div className="buttons">
          <button type="button" onClick={invoke} disabled={busy}>
            {busy ? "Invoking…" : "Invoke"}
          </button>
          <button type="button" className="secondary" onClick={save}>
            Save event
          </button>
          {events.some((e) => e.name === eventName) && (
            <button
              type="button"
              className="secondary"
              onClick={() => setEvents(deleteEvent(localStorage, name, eventName))}
            >
              Delete event
            </button>
          )}
        </div>
      </div>
      <div aria-live="polite">
        <h2>Result</h2>
        {failure !== undefined && <ErrorBox error={failure} />}
        {result === undefined && failure === undefined && (
          <p className="muted">Invoke to see the response and log here.</p>
        )}
        {result !== undefined && (
          <div className="result" data-testid="invoke-result">
            <p className={result.ok ? "ok" : "bad"}>
              <strong>{result.ok ? "Succeeded" : "Failed (function error)"}</strong> · request{" "}
              {result.requestId} · version {result.version}
            </p>
            <dl className="report">
              <dt>Duration</dt>
              <dd>{ms(result.durationMs)}</dd>
              <dt>Billed</dt>
              <dd>{result.billedDurationMs} ms</dd>
              <dt>Init</dt>
              <dd>{result.initDurationMs === undefined ? "warm start" : ms(result.initDurationMs)}</dd>
              <dt>Memory used</dt>
              <dd>
                {result.maxMemoryUsedMb} of {result.memorySizeMb} MB
              </dd>
            </dl>
            <h3>Response</h3>
            <pre className="response">{pretty(result.body)}</pre>
            <h3>Log tail</h3>
            <pre className="log">{result.logTail === "" ? "(no log)" : result.logTail}</pre>
          </div>
        )}
      </div>
    </div>
  );
}
