// `vajra scale`: minimum instances kept warm (provisioned concurrency, on a version or alias) and the
// maximum that may run at once (reserved concurrency).

import { defineCommand } from "../command.js";
import { UsageError } from "../errors.js";

interface ScaleResult {
  reservedConcurrency: number | null;
  provisioned: Array<{ qualifier: string; requested: number; allocated: number; status: string }>;
}

function parseCount(flag: string, v: string | undefined, allowNone: boolean): number | null | undefined {
  if (v === undefined) return undefined;
  if (allowNone && v === "none") return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`${flag} must be a whole number${allowNone ? " or none" : ""}; got '${v}'`);
  return n;
}

export const scaleCommand = defineCommand<{ min?: string; max?: string; qualifier?: string }>({
  name: "scale",
  args: ["<name>"],
  summary: "set min instances kept warm (provisioned) and max concurrent instances (reserved)",
  description:
    "--min keeps that many instances of a published version or alias initialised (Lambda's provisioned " +
    "concurrency; default qualifier: the latest published version). --max caps the function's concurrent " +
    "instances (reserved concurrency; 'none' removes the cap, 0 stops all invocations).",
  options: [
    { flags: "--min <n>", description: "instances kept warm" },
    { flags: "--max <n|none>", description: "most instances at once" },
    { flags: "--qualifier <version|alias>", description: "what --min applies to" },
  ],
  examples: [
    "vajra scale hello --min 2 --max 10",
    "vajra scale hello --min 1 --qualifier live",
    "vajra scale hello --max none",
  ],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra scale NAME [--min N] [--max M|none]");
    const min = parseCount("--min", opts.min, false);
    const max = parseCount("--max", opts.max, true);
    if (min === undefined && max === undefined) throw new UsageError("give --min, --max or both");
    const client = await ctx.client();
    const body: Record<string, unknown> = {};
    if (min !== undefined) body.min = min;
    if (max !== undefined) body.max = max;
    if (opts.qualifier !== undefined) body.qualifier = opts.qualifier;
    const r = await client.json<ScaleResult>("POST", `/functions/${encodeURIComponent(name)}/scale`, body);
    if (ctx.json) {
      ctx.out.printJson(r);
      return;
    }
    const warm = r.provisioned
      .map((p) => `${p.qualifier}: ${p.requested} (${p.status.toLowerCase().replace("_", " ")})`)
      .join(", ");
    ctx.out.print(
      `${ctx.out.colors.green("✓")} ${name}: max ${r.reservedConcurrency ?? "unreserved"}, min ${warm === "" ? "0" : warm}`,
    );
  },
});
