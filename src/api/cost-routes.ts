// Cost over HTTP: `GET /cost` (a report by function, version or day with the change against the previous
// period), `GET /cost/records` (per-invocation metering records, paged), both as JSON or CSV, and the
// versioned price sheets (`GET /cost/price-sheets`, `POST /cost/price-sheets`).

import type { FastifyInstance, FastifyReply } from "fastify";
import { invalid } from "../core/errors.js";
import { costReportCsv, csvLines } from "../core/cost-csv.js";
import type { Platform } from "../engine/platform.js";
import type { CostQuery, MeteringPage } from "../engine/cost/ledger.js";

type Format = "json" | "csv";

function format(v: string | undefined): Format {
  if (v === undefined || v === "json" || v === "csv") return v ?? "json";
  throw invalid(`format must be json or csv, got '${v}'`, { field: "format" });
}

type CostRequest = {
  Querystring: { since?: string; until?: string; by?: string; function?: string; format?: string };
};
type RecordsRequest = {
  Querystring: {
    since?: string;
    until?: string;
    function?: string;
    limit?: string;
    after?: string;
    format?: string;
  };
};
type SheetRequest = { Body: unknown; Querystring: { effectiveFrom?: string } };

function query(q: { since?: string; until?: string; by?: string; function?: string }): CostQuery {
  const out: CostQuery = {};
  if (q.since !== undefined) out.since = q.since;
  if (q.until !== undefined) out.until = q.until;
  if (q.by !== undefined) out.by = q.by;
  if (q.function !== undefined) out.functionName = q.function;
  return out;
}

function csv(reply: FastifyReply, name: string, text: string): FastifyReply {
  return reply
    .header("content-type", "text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${name}"`)
    .send(text);
}

const RECORD_COLUMNS = [
  "requestId",
  "functionName",
  "version",
  "startedAt",
  "status",
  "attempt",
  "durationMs",
  "billedDurationMs",
  "memorySizeMb",
  "maxMemoryUsedMb",
  "initDurationMs",
  "ephemeralStorageMb",
  "cost",
  "priceSheet",
] as const;

function recordsCsv(page: MeteringPage): string {
  return csvLines(
    RECORD_COLUMNS.map((c) => (c === "cost" ? `cost_${page.currency}` : c)),
    page.records.map((r) =>
      RECORD_COLUMNS.map((c) => (c === "startedAt" ? new Date(r.startedAt).toISOString() : r[c])),
    ),
  );
}

export function registerCostRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<CostRequest>("/cost", async (req, reply) => {
    const f = format(req.query.format);
    const report = await platform.cost.report(query(req.query));
    return f === "csv" ? csv(reply, `vajra-cost-by-${report.by}.csv`, costReportCsv(report)) : report;
  });

  app.get<RecordsRequest>("/cost/records", async (req, reply) => {
    const f = format(req.query.format);
    const q = req.query;
    let limit: number | undefined;
    if (q.limit !== undefined) {
      limit = /^\d+$/.test(q.limit) ? Number(q.limit) : NaN;
      if (Number.isNaN(limit)) throw invalid(`limit '${q.limit}' is not a whole number`, { field: "limit" });
    }
    const page = await platform.cost.records({
      ...query(q),
      ...(limit === undefined ? {} : { limit }),
      ...(q.after === undefined ? {} : { after: q.after }),
    });
    if (f === "json") return page;
    if (page.next !== undefined) void reply.header("x-vajra-next", page.next);
    return csv(reply, "vajra-metering.csv", recordsCsv(page));
  });

  app.get("/cost/price-sheets", async () => {
    const versions = await platform.cost.priceSheets();
    const current = await platform.cost.currentSheet();
    return {
      versions: versions.map((v) => ({ ...v, effectiveFrom: new Date(v.effectiveFrom).toISOString() })),
      current,
    };
  });

  app.post<SheetRequest>("/cost/price-sheets", async (req, reply) => {
    const v = await platform.cost.setPriceSheet(req.body ?? {}, req.query.effectiveFrom);
    return reply.code(201).send({ ...v, effectiveFrom: new Date(v.effectiveFrom).toISOString() });
  });
}
