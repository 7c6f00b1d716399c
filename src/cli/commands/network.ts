// `vajra network`: named networks, the VPC analogue. An operator lists what a network's functions may
// reach (`--allow CIDR|HOST:PORT`, `--egress`); functions join with `vajra deploy --network NAME[,NAME]`.

import { defineCommand, defineGroup } from "../command.js";
import { UsageError } from "../errors.js";
import { formatTable } from "../output.js";
import type { CommandContext } from "../context.js";
import { confirmDeletion } from "./functions.js";

interface NetworkView {
  name: string;
  allow: string[];
  egress: boolean;
  resolved: Record<string, string[] | null>;
  createdAt: string;
  lastModified: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const ALLOW_OPTION = {
  flags: "--allow <target:port>",
  description:
    "allowed destination, repeatable: CIDR, address or host name, and a port or range (tcp; udp/53 for UDP)",
  parse: collect as (value: string, previous: never) => unknown,
};

function printNetwork(ctx: CommandContext, n: NetworkView): void {
  if (ctx.json) {
    ctx.out.printJson(n);
    return;
  }
  const lines = [
    `Name     ${n.name}`,
    `Egress   ${n.egress ? "yes (also public addresses, as mode egress)" : "no"}`,
    `Allow    ${n.allow.length === 0 ? "(nothing)" : n.allow.join("\n         ")}`,
  ];
  const hosts = Object.entries(n.resolved);
  if (hosts.length > 0)
    lines.push(
      `Resolved ${hosts.map(([h, a]) => `${h} → ${a === null ? "unresolved (retried every minute)" : a.join(", ")}`).join("\n         ")}`,
    );
  lines.push(`Modified ${n.lastModified}`);
  ctx.out.print(lines.join("\n"));
}

export const networkCreateCommand = defineCommand<{ allow?: string[]; egress?: boolean }>({
  name: "create",
  args: ["<name>"],
  summary: "create a named network: what its functions may reach",
  description:
    "Functions join it with `vajra deploy NAME --network NETWORK` (or a comma list). They reach exactly the " +
    "listed destinations (never the host, loopback or 169.254.0.0/16), plus public addresses with --egress. " +
    "A host name that does not resolve yet is accepted, shown as unresolved and retried every minute.",
  options: [ALLOW_OPTION, { flags: "--egress", description: "also allow what mode egress allows" }],
  examples: [
    "vajra network create backend --allow 10.20.0.0/16:5432 --allow db.internal:6379 --egress",
    "vajra network create dns --allow 10.0.0.2:udp/53",
  ],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra network create NAME --allow TARGET:PORT");
    const client = await ctx.client();
    const n = await client.json<NetworkView>("POST", "/networks", {
      name,
      allow: opts.allow ?? [],
      egress: opts.egress === true,
    });
    if (ctx.json) ctx.out.printJson(n);
    else {
      ctx.out.print(`${ctx.out.colors.green("✓")} Created network ${n.name}`);
      printNetwork(ctx, n);
    }
  },
});

export const networkUpdateCommand = defineCommand<{
  allow?: string[];
  egress?: boolean;
  clearAllow?: boolean;
}>({
  name: "update",
  args: ["<name>"],
  summary: "change a network's rules (its functions' instances follow at once)",
  options: [
    { ...ALLOW_OPTION, description: `${ALLOW_OPTION.description}; replaces the list` },
    { flags: "--clear-allow", description: "remove every allowed destination" },
    { flags: "--egress", description: "also allow what mode egress allows" },
    { flags: "--no-egress", description: "only the listed destinations" },
  ],
  examples: [
    "vajra network update backend --allow 10.20.0.0/16:5432-5433",
    "vajra network update backend --no-egress",
  ],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra network update NAME [--allow …] [--egress]");
    const body: Record<string, unknown> = {};
    if (opts.clearAllow === true) body.allow = [];
    if (opts.allow !== undefined) body.allow = opts.allow;
    if (opts.egress !== undefined) body.egress = opts.egress;
    if (Object.keys(body).length === 0)
      throw new UsageError("nothing to change: give --allow, --clear-allow, --egress or --no-egress");
    const client = await ctx.client();
    const n = await client.json<NetworkView>("PUT", `/networks/${encodeURIComponent(name)}`, body);
    printNetwork(ctx, n);
  },
});

export const networkListCommand = defineCommand({
  name: "list",
  summary: "list named networks",
  examples: ["vajra network list"],
  async run(ctx) {
    const client = await ctx.client();
    const result = await client.json<{ networks: NetworkView[] }>("GET", "/networks");
    if (ctx.json) {
      ctx.out.printJson(result);
      return;
    }
    const rows = result.networks.map((n) => [
      n.name,
      n.allow.join(" "),
      n.egress ? "yes" : "no",
      String(Object.values(n.resolved).filter((a) => a === null).length),
    ]);
    ctx.out.print(
      formatTable(["NAME", "ALLOW", "EGRESS", "UNRESOLVED"], rows, { styleHeader: ctx.out.colors.dim }),
    );
  },
});

export const networkShowCommand = defineCommand({
  name: "show",
  args: ["<name>"],
  summary: "show a network's rules and what its host names resolve to",
  examples: ["vajra network show backend"],
  async run(ctx, [name]) {
    if (name === undefined) throw new UsageError("usage: vajra network show NAME");
    const client = await ctx.client();
    printNetwork(ctx, await client.json<NetworkView>("GET", `/networks/${encodeURIComponent(name)}`));
  },
});

export const networkDeleteCommand = defineCommand<{ yes?: boolean }>({
  name: "delete",
  args: ["<name>"],
  summary: "delete a network (refused while functions join it)",
  options: [{ flags: "--yes", description: "do not ask for confirmation" }],
  examples: ["vajra network delete backend --yes"],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra network delete NAME");
    if (opts.yes !== true) await confirmDeletion(ctx, `network ${name}`, `Delete network ${name}?`);
    const client = await ctx.client();
    await client.json("DELETE", `/networks/${encodeURIComponent(name)}`);
    if (ctx.json) ctx.out.printJson({ deleted: name });
    else ctx.out.print(`${ctx.out.colors.green("✓")} Deleted network ${name}`);
  },
});

export const networkGroup = defineGroup({
  name: "network",
  summary: "named networks: what functions on them may reach (the VPC analogue)",
  commands: [
    networkCreateCommand,
    networkListCommand,
    networkShowCommand,
    networkUpdateCommand,
    networkDeleteCommand,
  ],
  examples: [
    "vajra network create backend --allow 10.20.0.0/16:5432 --egress",
    "vajra deploy api ./api --network backend",
    "vajra network delete backend --yes",
  ],
});
