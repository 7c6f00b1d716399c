// `vajra metrics NAME`: a function's recent trend from Vajra's own 1-minute series, as a table (and,
// on a terminal, a sparkline of invocations per period), so a single-machine user needs no Prometheus.

import { defineCommand } from "../command.js";
import { UsageError } from "../errors.js";
import type { MetricSeries } from "../../core/metric-series.js";
import { formatMs, formatTable, formatTimestamp } from "../output.js";

const SPARKS = "▁▂▃▄▅▆▇█";

/** One block character per value, scaled to the largest (all lowest when everything is zero). */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map(
      (v) => SPARKS[max === 0 ? 0 : Math.min(SPARKS.length - 1, Math.round((v / max) * (SPARKS.length - 1)))],
    )
    .join("");
}

const ms = (v: number | null): string => (v === null ? "-" : formatMs(v));

export const metricsCommand = defineCommand<{ since?: string; until?: string; period?: string }>({
  name: "metrics",
  args: ["<name>"],
  summary: "show a function's invocations, errors, throttles, durations and cold starts over time",
  description:
    "Reads Vajra's own 1-minute series (kept 14 days). --since and --until are spans back from now " +
    "(90s, 15m, 1h, 7d) or ISO 8601 times; --period groups minutes (1m, 5m, 1h; at most 1440 periods).",
  options: [
    { flags: "--since <span|time>", description: "start of the range (default 1h)" },
    { flags: "--until <span|time>", description: "end of the range (default now)" },
    { flags: "--period <span>", description: "length of one row (default 1m)" },
  ],
  examples: [
    "vajra metrics hello",
    "vajra metrics hello --since 24h --period 1h",
    "vajra metrics hello --json",
  ],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra metrics NAME [--since 1h] [--period 1m]");
    const q = new URLSearchParams();
    q.set("since", opts.since ?? "1h");
    if (opts.until !== undefined) q.set("until", opts.until);
    q.set("period", opts.period ?? "1m");
    const client = await ctx.client();
    const r = await client.json<MetricSeries>(
      "GET",
      `/functions/${encodeURIComponent(name)}/metrics?${q.toString()}`,
    );
    if (ctx.json) {
      ctx.out.printJson(r);
      return;
    }
    const c = ctx.out.colors;
    const total = r.points.reduce((n, p) => n + p.invocations, 0);
    if (ctx.out.stdoutIsTTY && r.points.length > 1) {
      // The newest periods that fit a terminal line.
      const tail = r.points.slice(-100).map((p) => p.invocations);
      ctx.out.print(`${c.bold("invocations")} ${sparkline(tail)}`);
    }
    ctx.out.print(
      formatTable(
        [
          "TIME (UTC)",
          "INVOCATIONS",
          "ERRORS",
          "THROTTLES",
          "COLD",
          "MAX CONC",
          "P50 MS",
          "P95 MS",
          "P99 MS",
        ],
        r.points.map((p) => [
          formatTimestamp(p.start).slice(0, 16),
          String(p.invocations),
          p.errors > 0 ? c.red(String(p.errors)) : "0",
          p.throttles > 0 ? c.yellow(String(p.throttles)) : "0",
          String(p.coldStarts),
          String(p.maxConcurrency),
          ms(p.durationP50Ms),
          ms(p.durationP95Ms),
          ms(p.durationP99Ms),
        ]),
        {
          align: ["left", "right", "right", "right", "right", "right", "right", "right", "right"],
          styleHeader: c.dim,
        },
      ),
    );
    ctx.out.note(
      ctx.out.errColors.dim(
        `${total} invocations of ${r.function} in ${r.points.length} periods of ${r.periodSeconds} s`,
      ),
    );
  },
});
