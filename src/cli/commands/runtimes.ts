// `vajra runtimes`: which language runtimes the server can run on its host, and why not when it cannot.

import type { RuntimeInfo } from "../api-types.js";
import { defineCommand } from "../command.js";
import { formatTable } from "../output.js";

export const runtimesCommand = defineCommand({
  name: "runtimes",
  summary: "list the runtimes and whether the server's host has them",
  examples: ["vajra runtimes", "vajra runtimes --json | jq -r '.runtimes[] | select(.available) | .id'"],
  async run(ctx) {
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
  },
});
