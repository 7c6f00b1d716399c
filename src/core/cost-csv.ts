// CSV renderings of a cost report and of metering records (RFC 4180: quoted when needed, CRLF lines).

import type { CostReport } from "./billing.js";

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? String(Number(v.toPrecision(12))) : v;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLines(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>,
): string {
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

export function costReportCsv(report: CostReport): string {
  const header = [
    report.by,
    "requests",
    "gb_seconds",
    "billed_duration_ms",
    "provisioned_gb_seconds",
    "request_cost",
    "duration_cost",
    "provisioned_cost",
    "ephemeral_cost",
    `total_cost_${report.currency}`,
    "previous_cost",
    "change",
  ];
  const rows = [...report.lines, { key: "TOTAL", ...report.total }].map((l) => [
    l.key,
    l.requests,
    l.gbSeconds,
    l.billedDurationMs,
    l.provisionedGbSeconds,
    l.cost.requests,
    l.cost.duration,
    l.cost.provisioned,
    l.cost.ephemeral,
    l.cost.total,
    l.previousCost,
    l.change,
  ]);
  return csvLines(header, rows);
}
