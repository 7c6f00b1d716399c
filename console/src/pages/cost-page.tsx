// Cost & Budgets: the cost report (`GET /cost`) by function, version or day over a chosen period, with
// the change against the period before, a chart of cost by day and a CSV download; and below it the
// budgets (budgets-panel.tsx). Shaping is in lib/cost.ts.
import { useMemo, useState } from "react";
import type { Api } from "../lib/api.ts";
import {
  COST_GROUPINGS,
  COST_PERIODS,
  attachmentName,
  costQuery,
  costRows,
  dailyCost,
  groupLabel,
  type CostGroupingId,
  type CostPeriodId,
  type CostPick,
  type CostRow,
} from "../lib/cost.ts";
import { count } from "../lib/format.ts";
import { Chart } from "../chart.tsx";
import { ErrorBox, Loading, useLoad } from "../components.tsx";
import { Outcome, useSaver } from "../forms/saver.tsx";
import { BudgetsPanel } from "./budgets-panel.tsx";

/** Saves text as a file through a temporary object URL (the key stays in the request's header). */
function saveFile(text: string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the click; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function CostTableRow({ r, total }: { r: CostRow; total?: boolean }) {
  return (
    <tr className={total === true ? "total" : undefined}>
      <th scope="row">{r.key}</th>
      <td className="num">{count(r.requests)}</td>
      <td className="num">{r.gbSeconds}</td>
      <td className="num">{r.requestCost}</td>
      <td className="num">{r.durationCost}</td>
      <td className="num">{r.otherCost}</td>
      <td className="num">
        <strong>{r.total}</strong>
      </td>
      <td className="num">{r.previous}</td>
      <td className={`num${r.up ? " bad" : ""}`}>{r.change}</td>
    </tr>
  );
}

function PeriodPicker({ pick, onPick }: { pick: CostPick; onPick: (p: CostPick) => void }) {
  return (
    <div className="inline-form">
      <label>
        Period{" "}
        <select
          value={pick.period}
          onChange={(e) => onPick({ ...pick, period: e.target.value as CostPeriodId })}
        >
          {COST_PERIODS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      {pick.period === "custom" && (
        <>
          <label>
            From{" "}
            <input
              type="datetime-local"
              value={pick.since}
              onChange={(e) => onPick({ ...pick, since: e.target.value })}
            />
          </label>
          <label>
            Until{" "}
            <input
              type="datetime-local"
              value={pick.until}
              onChange={(e) => onPick({ ...pick, until: e.target.value })}
            />
          </label>
        </>
      )}
      <label>
        Group by{" "}
        <select value={pick.by} onChange={(e) => onPick({ ...pick, by: e.target.value as CostGroupingId })}>
          {COST_GROUPINGS.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

export function CostReportPanel({ api }: { api: Api }) {
  const [pick, setPick] = useState<CostPick>({ period: "30d", since: "", until: "", by: "function" });
  const q = costQuery(pick);
  const dayQ = costQuery(pick, "day");
  const query = "query" in q ? q.query : undefined;
  const dayQuery = "query" in dayQ ? dayQ.query : undefined;
  const report = useLoad(
    () => (query === undefined ? Promise.resolve(undefined) : api.costReport(query)),
    [api, query],
  );
  // The chart is always by day: a second report unless the table is by day already.
  const byDay = useLoad(
    () =>
      dayQuery === undefined || dayQuery === query ? Promise.resolve(undefined) : api.costReport(dayQuery),
    [api, dayQuery, query],
  );
  const dayReport = pick.by === "day" ? report.data : byDay.data;
  const chart = useMemo(() => (dayReport === undefined ? undefined : dailyCost(dayReport)), [dayReport]);
  const lines = useMemo(
    () =>
      chart === undefined
        ? []
        : [
            { label: "Total", values: chart.total, color: "#3b82f6", points: true },
            { label: "Duration", values: chart.duration, color: "#10b981" },
            { label: "Requests", values: chart.requests, color: "#f59e0b" },
          ],
    [chart],
  );
  const table = report.data === undefined ? undefined : costRows(report.data);
  const csv = useSaver();
  const download = (): void => {
    if (query === undefined) return;
    csv.run(async () => {
      const { text, disposition } = await api.costCsv(query);
      const name = attachmentName(disposition, `vajra-cost-by-${pick.by}.csv`);
      saveFile(text, name, "text/csv");
      return `Saved ${name}.`;
    });
  };

  return (
    <section aria-labelledby="cost-report-title">
      <h2 id="cost-report-title">Cost report</h2>
      <PeriodPicker pick={pick} onPick={setPick} />
      {"error" in q && (
        <p className="field-error" role="alert">
          {q.error}
        </p>
      )}
      {report.error !== undefined && <ErrorBox error={report.error} onRetry={report.reload} />}
      {report.data === undefined && report.loading && <Loading what="the cost report" />}
      {report.data !== undefined && table !== undefined && (
        <>
          <p className="muted" data-testid="cost-range">
            {report.data.from.slice(0, 16).replace("T", " ")} to{" "}
            {report.data.to.slice(0, 16).replace("T", " ")} UTC, compared with the same length before (from{" "}
            {report.data.previousFrom.slice(0, 16).replace("T", " ")}). Prices: price sheet{" "}
            {report.data.priceSheets.length === 0 ? "in force" : report.data.priceSheets.join(", ")} (
            {report.data.currency}).
          </p>
          {report.data.warnings.map((w) => (
            <p key={w} className="notice">
              {w}
            </p>
          ))}
          {table.rows.length === 0 ? (
            <p className="muted">Nothing ran in this period, so nothing was billed.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Cost report">
                <thead>
                  <tr>
                    <th scope="col">{groupLabel(report.data.by)}</th>
                    <th scope="col">Requests</th>
                    <th scope="col">GB-seconds</th>
                    <th scope="col">Request cost</th>
                    <th scope="col">Duration cost</th>
                    <th scope="col">Provisioned + storage</th>
                    <th scope="col">Total</th>
                    <th scope="col">Previous period</th>
                    <th scope="col">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {table.rows.map((r) => (
                    <CostTableRow key={r.key} r={r} />
                  ))}
                </tbody>
                <tfoot>
                  <CostTableRow r={table.total} total />
                </tfoot>
              </table>
            </div>
          )}
        </>
      )}
      {byDay.error !== undefined && pick.by !== "day" && <ErrorBox error={byDay.error} />}
      {chart !== undefined && chart.x.length > 0 && (
        <div className="charts">
          <Chart title={`Cost by day (${dayReport?.currency ?? ""})`} x={chart.x} lines={lines} unit="" />
        </div>
      )}
      <div className="buttons">
        <button type="button" onClick={download} disabled={csv.busy || query === undefined}>
          {csv.busy ? "Downloading…" : "Download CSV"}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            report.reload();
            byDay.reload();
          }}
        >
          Refresh
        </button>
      </div>
      <Outcome problem={csv.problem} done={csv.done} />
    </section>
  );
}

export function CostPage({ api }: { api: Api }) {
  return (
    <>
      <h1>Cost &amp; budgets</h1>
      <CostReportPanel api={api} />
      <BudgetsPanel api={api} />
    </>
  );
}
