// `vajra recommend [NAME]`: cost recommendations computed by the server from what the functions did
// (memory, timeout, provisioned concurrency, cold starts, errors), as a table with the evidence of
// each below it.

import type { Recommendation, RecommendationReport } from "../../core/recommend-model.js";
import { defineCommand } from "../command.js";
import { formatMoney, formatTable } from "../output.js";

/** Word-wraps `text` to `width` columns, each line starting with `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(indent + line);
  return lines.join("\n");
}

const WIDTH = 100;

export const recommendCommand = defineCommand({
  name: "recommend",
  args: ["[name]"],
  summary: "show cost recommendations for one function or all, with their evidence and savings",
  description:
    "Computed from the last 14 days of invocation records and metrics: memory right-sizing (and " +
    "duration against memory when a function ran at several sizes), timeouts far above the p99 " +
    "duration, idle provisioned concurrency, frequent cold starts, error-heavy functions. Savings are " +
    "monthly, extrapolated from the observed traffic at the price sheet in force.",
  examples: ["vajra recommend", "vajra recommend hello", "vajra recommend --json"],
  async run(ctx, [name]) {
    const client = await ctx.client();
    const q = name === undefined ? "" : `?function=${encodeURIComponent(name)}`;
    const r = await client.json<RecommendationReport>("GET", `/recommendations${q}`);
    if (ctx.json) {
      ctx.out.printJson(r);
      return;
    }
    const c = ctx.out.colors;
    const sev = (s: Recommendation["severity"]): string =>
      s === "high" ? c.red(s) : s === "medium" ? c.yellow(s) : s === "low" ? s : c.dim(s);
    const scope = name ?? `${r.functions} function${r.functions === 1 ? "" : "s"}`;
    if (r.recommendations.length === 0) {
      ctx.out.print(`No recommendations for ${scope}: nothing observed calls for a change.`);
    } else {
      ctx.out.print(
        formatTable(
          ["#", "SEVERITY", "FUNCTION", "KIND", "SAVING/MONTH", "RECOMMENDATION"],
          r.recommendations.map((x, i) => [
            String(i + 1),
            sev(x.severity),
            c.bold(x.function),
            x.kind,
            formatMoney(x.estimatedMonthlySaving, x.currency),
            x.title,
          ]),
          { align: ["right", "left", "left", "left", "right", "left"], styleHeader: c.dim },
        ),
      );
      r.recommendations.forEach((x, i) => {
        ctx.out.print("");
        ctx.out.print(`${c.bold(`${i + 1}. ${x.function}`)}: ${x.title}`);
        ctx.out.print(wrap(x.detail, WIDTH, "   "));
        if (x.risk !== undefined) ctx.out.print(wrap(`risk: ${x.risk}`, WIDTH, "   "));
      });
    }
    for (const n of r.notes) ctx.out.note(ctx.out.errColors.dim(`note: ${n}`));
    const footer = `prices: ${r.priceSheet} (${r.currency}); ${r.assumptions.join("; ")}`;
    ctx.out.note(ctx.out.errColors.dim(wrap(footer, WIDTH, "")));
  },
});
