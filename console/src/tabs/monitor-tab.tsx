// Monitor: the metrics API's series over a chosen range, drawn with uPlot, and the function's cost
// recommendations.
import { useMemo, useState } from "react";
import type { Api } from "../lib/api.ts";
import { chartData, RANGES, summarize, type RangeId } from "../lib/chart-data.ts";
import { count } from "../lib/format.ts";
import { Chart } from "../chart.tsx";
import { ErrorBox, Loading, useLoad } from "../components.tsx";
import { Recommendations } from "./recommendations.tsx";

export function MonitorTab({ api, name }: { api: Api; name: string }) {
  const [rangeId, setRangeId] = useState<RangeId>("1h");
  const range = RANGES.find((r) => r.id === rangeId) ?? RANGES[0];
  const series = useLoad(
    () => api.metrics(name, { since: range.since, period: range.period }),
    [api, name, range],
  );
  const d = useMemo(
    () => (series.data === undefined ? undefined : chartData(series.data.points)),
    [series.data],
  );
  const total = series.data === undefined ? undefined : summarize(series.data.points);
  // Built once per data set, so the charts are not redrawn on every render.
  const charts = useMemo(
    () =>
      d === undefined
        ? []
        : [
            {
              title: "Invocations, errors, throttles",
              unit: "",
              lines: [
                { label: "Invocations", values: d.invocations, color: "#3b82f6" },
                { label: "Errors", values: d.errors, color: "#ef4444" },
                { label: "Throttles", values: d.throttles, color: "#f59e0b" },
              ],
            },
            {
              title: "Duration",
              unit: " ms",
              lines: [
                { label: "p50", values: d.p50, color: "#10b981", points: true },
                { label: "p95", values: d.p95, color: "#8b5cf6", points: true },
                { label: "p99", values: d.p99, color: "#ec4899", points: true },
              ],
            },
            {
              title: "Cold starts and concurrency",
              unit: "",
              lines: [
                { label: "Cold starts", values: d.coldStarts, color: "#06b6d4" },
                { label: "Max concurrency", values: d.concurrency, color: "#64748b" },
              ],
            },
          ],
    [d],
  );

  return (
    <div>
      <div className="title-row">
        <label>
          Range{" "}
          <select value={rangeId} onChange={(e) => setRangeId(e.target.value as RangeId)}>
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="secondary" onClick={series.reload}>
          Refresh
        </button>
      </div>
      {series.error !== undefined && <ErrorBox error={series.error} onRetry={series.reload} />}
      {series.data === undefined && series.loading && <Loading what="metrics" />}
      {d !== undefined && total !== undefined && (
        <>
          <p data-testid="monitor-totals">
            {count(total.invocations)} invocations, {count(total.errors)} errors in this range (periods of{" "}
            {series.data?.periodSeconds ?? 60} s).
          </p>
          <div className="charts">
            {d !== undefined &&
              charts.map((c) => (
                <Chart key={c.title} title={c.title} x={d.x} unit={c.unit} lines={c.lines} />
              ))}
          </div>
        </>
      )}
      <Recommendations api={api} name={name} />
    </div>
  );
}
