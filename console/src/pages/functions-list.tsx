// The functions list: configuration from GET /functions, the last hour from each function's metrics,
// warm instances from GET /functions/{name}; search, sort by any column, and an empty state.
import { useMemo, useState } from "react";
import type { Api } from "../lib/api.ts";
import { summarize, sparkline } from "../lib/chart-data.ts";
import { count, ms, when } from "../lib/format.ts";
import {
  filterRows,
  nextSort,
  sortRows,
  type FunctionRow,
  type SortKey,
  type SortState,
} from "../lib/list.ts";
import { hrefOf } from "../route.ts";
import { ErrorBox, Loading, useLoad } from "../components.tsx";

interface Row extends FunctionRow {
  trend: number[];
  statsError?: string;
}

/** Per-function calls run a few at a time, so a long list does not flood the server. */
async function mapLimited<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function loadRows(api: Api): Promise<Row[]> {
  const fns = await api.listFunctions();
  return mapLimited(fns, 4, async (f): Promise<Row> => {
    const row: Row = {
      name: f.name,
      runtime: f.runtime,
      memorySize: f.memorySize,
      lastModified: f.lastModified,
      invocations: null,
      errors: null,
      p95Ms: null,
      warm: null,
      trend: [],
    };
    try {
      // One period for the hour's exact p95; 5-minute periods for the trend line.
      const [hour, trend, details] = await Promise.all([
        api.metrics(f.name, { since: "1h", period: "60m" }),
        api.metrics(f.name, { since: "1h", period: "5m" }),
        api.getFunction(f.name),
      ]);
      const s = summarize(hour.points);
      row.invocations = s.invocations;
      row.errors = s.errors;
      row.p95Ms = s.p95Ms;
      row.trend = summarize(trend.points).trend;
      if (details.instances !== undefined) row.warm = details.instances.idle + details.instances.busy;
    } catch (err) {
      // One function's numbers failing (metrics off, deleted meanwhile) leaves the rest of the list.
      row.statsError = (err as Error).message;
    }
    return row;
  });
}

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: "name", label: "Name" },
  { key: "runtime", label: "Runtime" },
  { key: "memorySize", label: "Memory", numeric: true },
  { key: "lastModified", label: "Last modified" },
  { key: "invocations", label: "Invocations (1 h)", numeric: true },
  { key: "errors", label: "Errors (1 h)", numeric: true },
  { key: "p95Ms", label: "p95 (1 h)", numeric: true },
  { key: "warm", label: "Warm", numeric: true },
];

export function FunctionsList({ api }: { api: Api }) {
  const { data, error, loading, reload } = useLoad(() => loadRows(api), [api]);
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<SortState>({ key: "name", descending: false });
  const rows = useMemo(() => sortRows(filterRows(data ?? [], search), sort) as Row[], [data, search, sort]);

  return (
    <section aria-labelledby="fn-title">
      <div className="title-row">
        <h1 id="fn-title">Functions</h1>
        <a className="button" href={hrefOf({ page: "create" })}>
          Create function
        </a>
        <button type="button" className="secondary" onClick={reload} disabled={loading}>
          Refresh
        </button>
      </div>
      {error !== undefined && <ErrorBox error={error} onRetry={reload} />}
      {data === undefined && loading && <Loading what="functions" />}
      {data !== undefined && data.length === 0 && (
        <div className="empty">
          <h2>No functions yet</h2>
          <p>
            <a className="button" href={hrefOf({ page: "create" })}>
              Create a function
            </a>{" "}
            from a folder or a .zip of its code, here in the browser.
          </p>
          <p>Or deploy it from a folder with the CLI, for example:</p>
          <pre>
            <code>vajra deploy hello --runtime python3.12 --handler app.handler --code ./hello</code>
          </pre>
          <p>
            or with the AWS CLI&apos;s <code>aws lambda create-function</code> pointed at this server. It
            appears here once deployed: press Refresh.
          </p>
        </div>
      )}
      {data !== undefined && data.length > 0 && (
        <>
          <label className="search">
            Search
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="name or runtime"
            />
          </label>
          <div className="table-wrap">
            <table className="functions">
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th
                      key={c.key}
                      scope="col"
                      className={c.numeric === true ? "num" : undefined}
                      aria-sort={sort.key === c.key ? (sort.descending ? "descending" : "ascending") : "none"}
                    >
                      <button
                        type="button"
                        className="sort"
                        onClick={() => setSort((s) => nextSort(s, c.key))}
                      >
                        {c.label}
                        {sort.key === c.key ? (sort.descending ? " ▼" : " ▲") : ""}
                      </button>
                    </th>
                  ))}
                  <th scope="col">Trend</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.name}>
                    <th scope="row">
                      <a href={hrefOf({ page: "function", name: r.name, tab: "config" })}>{r.name}</a>
                    </th>
                    <td>{r.runtime}</td>
                    <td className="num">{r.memorySize} MB</td>
                    <td title={r.lastModified}>{when(r.lastModified)}</td>
                    <td className="num">{count(r.invocations)}</td>
                    <td className={`num${(r.errors ?? 0) > 0 ? " bad" : ""}`}>{count(r.errors)}</td>
                    <td className="num">{ms(r.p95Ms)}</td>
                    <td className="num">{count(r.warm)}</td>
                    <td>
                      {r.statsError !== undefined ? (
                        <span className="muted" title={r.statsError}>
                          n/a
                        </span>
                      ) : (
                        <svg
                          className="spark"
                          width="80"
                          height="20"
                          role="img"
                          aria-label="invocations over the last hour"
                        >
                          <polyline points={sparkline(r.trend, 80, 18)} fill="none" />
                        </svg>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.length === 0 && <p className="muted">No function matches “{search}”.</p>}
        </>
      )}
    </section>
  );
}
