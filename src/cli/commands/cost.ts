// `vajra cost [NAME]`: what functions cost over a period (by function, version or day) with the change
// against the previous period, as a table, JSON or CSV; `--records` exports the per-invocation metering
// records. `vajra prices`: the versioned price sheet (show, set).

import { readFile } from "node:fs/promises";
import type { CostReport, PriceSheet, PriceSheetVersion } from "../../core/billing.js";
import { costReportCsv, csvLines } from "../../core/cost-csv.js";
import { defineCommand, defineGroup } from "../command.js";
import { UsageError } from "../errors.js";
import { formatMoney, formatTable } from "../output.js";

interface CostOptions {
  since?: string;
  until?: string;
  by?: string;
  csv?: boolean;
  records?: boolean;
  limit?: string;
  after?: string;
}

interface MeteringPage {
  currency: string;
  records: Array<Record<string, string | number | null | undefined>>;
  next?: string;
}

function changeText(c: number | null): string {
  if (c === null) return "new";
  const pct = c * 100;
  return `${pct >= 0 ? "+" : ""}${pct.toFixed(pct !== 0 && Math.abs(pct) < 10 ? 1 : 0)} %`;
}

function params(
  name: string | undefined,
  opts: CostOptions,
  extra: Record<string, string | undefined>,
): string {
  const q = new URLSearchParams();
  if (name !== undefined) q.set("function", name);
  if (opts.since !== undefined) q.set("since", opts.since);
  if (opts.until !== undefined) q.set("until", opts.until);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

export const costCommand = defineCommand<CostOptions>({
  name: "cost",
  args: ["[name]"],
  summary: "show what functions cost over a period, and the change against the period before",
  description:
    "Prices metered usage (requests, GB-seconds of billed duration, provisioned concurrency, ephemeral " +
    "storage) with the price sheet in force when it ran (see `vajra prices`). --since and --until are " +
    "spans back from now (30d, 12h) or ISO 8601 times; the previous period is the same length just " +
    "before. --records exports one metering record per invocation instead.",
  options: [
    { flags: "--since <span|time>", description: "start of the period (default 30d)" },
    { flags: "--until <span|time>", description: "end of the period (default now)" },
    { flags: "--by <grouping>", description: "function, version or day (default function)" },
    { flags: "--csv", description: "print CSV instead of a table" },
    { flags: "--records", description: "per-invocation metering records instead of the report" },
    { flags: "--limit <n>", description: "records per page with --records (default 1000, at most 10000)" },
    { flags: "--after <token>", description: "with --records: continue after this page token" },
  ],
  examples: [
    "vajra cost",
    "vajra cost orders --since 7d --by day",
    "vajra cost --by version --csv > cost.csv",
    "vajra cost orders --records --since 1d --csv > metering.csv",
  ],
  async run(ctx, [name], opts) {
    const client = await ctx.client();
    if (opts.records === true) {
      if (opts.by !== undefined) throw new UsageError("--by applies to the report, not to --records");
      const page = await client.json<MeteringPage>(
        "GET",
        `/cost/records${params(name, opts, { limit: opts.limit, after: opts.after })}`,
      );
      if (ctx.json) return ctx.out.printJson(page);
      const cols = Object.keys(page.records[0] ?? { requestId: "" });
      const cellOf = (r: MeteringPage["records"][number], c: string): string | number | null | undefined =>
        c === "startedAt" ? new Date(Number(r[c])).toISOString() : r[c];
      if (opts.csv === true)
        ctx.out.printRaw(
          csvLines(
            cols,
            page.records.map((r) => cols.map((c) => cellOf(r, c))),
          ),
        );
      else
        ctx.out.print(
          formatTable(
            ["STARTED", "FUNCTION", "VERSION", "REQUEST ID", "BILLED MS", "MEMORY MB", "COST"],
            page.records.map((r) => [
              new Date(Number(r.startedAt)).toISOString().replace("T", " ").slice(0, 19),
              String(r.functionName),
              String(r.version),
              String(r.requestId),
              String(r.billedDurationMs),
              String(r.memorySizeMb),
              formatMoney(Number(r.cost), page.currency),
            ]),
          ),
        );
      if (page.next !== undefined) ctx.out.note(`more records: --after ${page.next}`);
      return;
    }
    const report = await client.json<CostReport>("GET", `/cost${params(name, opts, { by: opts.by })}`);
    if (ctx.json) return ctx.out.printJson(report);
    if (opts.csv === true) return ctx.out.printRaw(costReportCsv(report));
    const c = ctx.out.colors;
    const cur = report.currency;
    const rows = report.lines.map((l) => [
      l.key,
      String(l.requests),
      l.gbSeconds.toFixed(3),
      formatMoney(l.cost.total, cur),
      formatMoney(l.previousCost, cur),
      changeText(l.change),
    ]);
    const t = report.total;
    rows.push([
      c.bold("total"),
      String(t.requests),
      t.gbSeconds.toFixed(3),
      c.bold(formatMoney(t.cost.total, cur)),
      formatMoney(t.previousCost, cur),
      changeText(t.change),
    ]);
    ctx.out.print(
      formatTable([report.by.toUpperCase(), "REQUESTS", "GB-SECONDS", "COST", "PREVIOUS", "CHANGE"], rows, {
        align: ["left", "right", "right", "right", "right", "right"],
        styleHeader: c.dim,
      }),
    );
    ctx.out.note(
      ctx.out.errColors.dim(
        `${report.from} to ${report.to}; previous period from ${report.previousFrom}; price sheet version(s) ${report.priceSheets.join(", ") || "0"}`,
      ),
    );
    for (const w of report.warnings) ctx.out.note(c.yellow(w));
  },
});

interface SheetsResult {
  versions: Array<Omit<PriceSheetVersion, "effectiveFrom"> & { effectiveFrom: string }>;
  current: PriceSheet;
}

const SHEET_FLAGS: Array<[flag: string, field: keyof PriceSheet, what: string]> = [
  ["--requests-per-million <price>", "requestsPerMillion", "price per million requests"],
  ["--duration-per-gb-second <price>", "durationPerGbSecond", "price per GB-second of billed duration"],
  [
    "--provisioned-per-gb-second <price>",
    "provisionedConcurrencyPerGbSecond",
    "price per GB-second of provisioned concurrency kept ready",
  ],
  [
    "--provisioned-duration-per-gb-second <price>",
    "provisionedDurationPerGbSecond",
    "price per GB-second of duration on provisioned instances",
  ],
  ["--ephemeral-per-gb-second <price>", "ephemeralStoragePerGbSecond", "price per GB-second of extra /tmp"],
  ["--ephemeral-free-mb <mb>", "ephemeralStorageFreeMb", "ephemeral storage included free (MB)"],
];

const optionKey = (flag: string): string =>
  (flag.split(" ")[0] ?? "").replace(/^--/, "").replace(/-([a-z])/g, (_m, ch: string) => ch.toUpperCase());

const pricesShowCommand = defineCommand({
  name: "show",
  summary: "show the price sheet in force and its earlier versions",
  async run(ctx) {
    const client = await ctx.client();
    const r = await client.json<SheetsResult>("GET", "/cost/price-sheets");
    if (ctx.json) return ctx.out.printJson(r);
    ctx.out.print(
      formatTable(
        ["FIELD", "VALUE"],
        Object.entries(r.current).map(([k, v]) => [k, String(v)]),
      ),
    );
    ctx.out.print("");
    ctx.out.print(
      formatTable(
        ["VERSION", "IN FORCE FROM", "CURRENCY", "DESCRIPTION"],
        r.versions.map((v) => [String(v.version), v.effectiveFrom, v.sheet.currency, v.sheet.description]),
      ),
    );
  },
});

type SetOptions = Record<string, string | undefined> & { file?: string; effectiveFrom?: string };

const pricesSetCommand = defineCommand<SetOptions>({
  name: "set",
  summary: "store a new price-sheet version (fields left out keep their current value)",
  description:
    "Give a JSON file (--file) or single prices. The new version applies from now, or from --effective-from " +
    "(never in the past: usage already metered keeps the prices it ran at).",
  options: [
    { flags: "--file <path>", description: "a JSON price sheet" },
    ...SHEET_FLAGS.map(([flags, , description]) => ({ flags, description })),
    { flags: "--currency <code>", description: "three-letter currency code" },
    { flags: "--description <text>", description: "where these prices come from" },
    { flags: "--effective-from <time>", description: "ISO 8601 time the version starts (default now)" },
  ],
  examples: [
    "vajra prices set --duration-per-gb-second 0.000004 --description 'our rack, 2026'",
    "vajra prices set --file prices.json --effective-from 2027-01-01T00:00:00Z",
  ],
  async run(ctx, _args, opts) {
    let sheet: Record<string, unknown> = {};
    if (opts.file !== undefined) {
      try {
        sheet = JSON.parse(await readFile(opts.file, "utf8")) as Record<string, unknown>;
      } catch (err) {
        throw new UsageError(`cannot read the price sheet ${opts.file}: ${(err as Error).message}`);
      }
    }
    for (const [flags, field] of SHEET_FLAGS) {
      const v = opts[optionKey(flags)];
      if (v === undefined) continue;
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n))
        throw new UsageError(`${flags.split(" ")[0]} must be a number, got '${v}'`);
      sheet[field] = n;
    }
    if (opts.currency !== undefined) sheet.currency = opts.currency;
    if (opts.description !== undefined) sheet.description = opts.description;
    if (Object.keys(sheet).length === 0) throw new UsageError("give --file or at least one price to change");
    const q =
      opts.effectiveFrom === undefined ? "" : `?effectiveFrom=${encodeURIComponent(opts.effectiveFrom)}`;
    const client = await ctx.client();
    const v = await client.json<SheetsResult["versions"][number]>("POST", `/cost/price-sheets${q}`, sheet);
    if (ctx.json) return ctx.out.printJson(v);
    ctx.out.print(
      `${ctx.out.colors.green("✓")} Price sheet version ${v.version} in force from ${v.effectiveFrom}`,
    );
  },
});

export const pricesGroup = defineGroup({
  name: "prices",
  summary: "show or set the price sheet that `vajra cost` uses",
  commands: [pricesShowCommand, pricesSetCommand],
  examples: ["vajra prices show", "vajra prices set --duration-per-gb-second 0.000004"],
});
