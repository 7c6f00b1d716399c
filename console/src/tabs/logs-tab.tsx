// Logs: search (text filter, request id, errors only, time) over GET .../logs, and a live tail read
// from the server-sent-events form through fetch, so the key stays in a header. Each request id opens
// that invocation's whole log.
import { useEffect, useRef, useState, type FormEvent } from "react";
import type { Api, LogEvent, LogQuery } from "../lib/api.ts";
import { sseParser } from "../lib/sse.ts";
import { ErrorBox } from "../components.tsx";

const MAX_LIVE = 2000;

export function LogsTab({ api, name }: { api: Api; name: string }) {
  const [query, setQuery] = useState<LogQuery>({ since: "1h", limit: 200 });
  const [events, setEvents] = useState<LogEvent[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useState(false);
  const [dropped, setDropped] = useState(0);
  const [open, setOpen] = useState<{ requestId: string; events: LogEvent[] } | undefined>();
  const stop = useRef<AbortController | undefined>(undefined);

  const search = (e?: FormEvent): void => {
    e?.preventDefault();
    setBusy(true);
    setError(undefined);
    api.searchLogs(name, query).then(
      (r) => {
        setBusy(false);
        setEvents(r.events);
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };

  // The first search runs when the tab opens.
  useEffect(() => search(), [name]);

  // The live tail lives as long as `live` is on and the tab is open.
  useEffect(() => {
    if (!live) return;
    const ctl = new AbortController();
    stop.current = ctl;
    setEvents([]);
    setDropped(0);
    const push = sseParser((msg) => {
      if (msg.event === "log") {
        const ev = JSON.parse(msg.data) as LogEvent;
        setEvents((old) => [...old.slice(-(MAX_LIVE - 1)), ev]);
      } else if (msg.event === "dropped") setDropped((JSON.parse(msg.data) as { dropped: number }).dropped);
    });
    (async () => {
      const res = await api.followLogs(name, { ...query, limit: 50 }, ctl.signal);
      const reader = res.body?.getReader();
      if (reader === undefined) return;
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        push(decoder.decode(value, { stream: true }));
      }
      if (!ctl.signal.aborted) setError(new Error("the live stream ended: the server may have stopped"));
      setLive(false);
    })().catch((err: unknown) => {
      if (ctl.signal.aborted) return;
      setError(err);
      setLive(false);
    });
    return () => ctl.abort();
    // The query in effect when the tail starts is the one it follows.
  }, [live, api, name]);

  const openInvocation = (requestId: string): void => {
    api.searchLogs(name, { requestId, limit: 10000 }).then(
      (r) => setOpen({ requestId, events: r.events }),
      (err: unknown) => setError(err),
    );
  };

  return (
    <div>
      <form className="log-search" onSubmit={search} aria-label="Search logs">
        <label>
          Text or filter pattern
          <input
            value={query.filter ?? ""}
            onChange={(e) => setQuery({ ...query, filter: e.target.value })}
            disabled={live}
          />
        </label>
        <label>
          Request id
          <input
            value={query.requestId ?? ""}
            onChange={(e) => setQuery({ ...query, requestId: e.target.value })}
            disabled={live}
          />
        </label>
        <label>
          Since
          <select
            value={query.since ?? "1h"}
            onChange={(e) => setQuery({ ...query, since: e.target.value })}
            disabled={live}
          >
            <option value="15m">15 minutes</option>
            <option value="1h">1 hour</option>
            <option value="1d">1 day</option>
            <option value="1w">1 week</option>
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={query.errors === true}
            onChange={(e) => setQuery({ ...query, errors: e.target.checked })}
            disabled={live}
          />
          Errors only
        </label>
        <button type="submit" disabled={busy || live}>
          Search
        </button>
        <button
          type="button"
          className={live ? "" : "secondary"}
          aria-pressed={live}
          onClick={() => setLive((l) => !l)}
        >
          {live ? "Stop live tail" : "Live tail"}
        </button>
      </form>
      {error !== undefined && <ErrorBox error={error} />}
      {live && (
        <p className="muted" role="status">
          Following new log events…{dropped > 0 && ` (${dropped} dropped: the console did not keep up)`}
        </p>
      )}
      {events.length === 0 && !busy && <p className="muted">No log events match.</p>}
      <ol className="log-events" aria-label="Log events" data-testid="log-events">
        {events.map((e) => (
          <li key={`${e.id}-${e.timestamp}`} className={e.error ? "bad" : undefined}>
            <time dateTime={e.time}>{e.time.slice(11, 23)}</time>{" "}
            {e.requestId !== null && (
              <button
                type="button"
                className="link"
                onClick={() => openInvocation(e.requestId as string)}
                title="Show this invocation's whole log"
              >
                {e.requestId.slice(0, 8)}
              </button>
            )}{" "}
            <span className="msg">{e.message}</span>
          </li>
        ))}
      </ol>
      {open !== undefined && (
        <section className="invocation" aria-label={`Log of invocation ${open.requestId}`}>
          <h3>
            Invocation {open.requestId}{" "}
            <button type="button" className="secondary small" onClick={() => setOpen(undefined)}>
              Close
            </button>
          </h3>
          <pre className="log">{open.events.map((e) => e.message).join("\n")}</pre>
        </section>
      )}
    </div>
  );
}
