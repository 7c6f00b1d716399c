// `vajra role`: execution roles. A function deployed with `--role NAME` (or the Lambda API's `Role`)
// gets session credentials for that role in its environment, and the role's IAM policy decides which
// Lambda API calls those credentials may make.

import { readFile } from "node:fs/promises";
import { defineCommand, defineGroup } from "../command.js";
import { UsageError } from "../errors.js";
import { formatTable } from "../output.js";
import { confirmDeletion } from "./functions.js";

interface RoleView {
  name: string;
  account: string;
  arn: string;
  roleId: string;
  policy: { Version?: string; Statement?: unknown[] };
  createdAt: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

interface CreateOptions {
  allow?: string[];
  deny?: string[];
  resource?: string[];
  policy?: string;
}

async function policyOf(opts: CreateOptions): Promise<unknown> {
  const simple = (opts.allow ?? []).length + (opts.deny ?? []).length + (opts.resource ?? []).length > 0;
  if (opts.policy !== undefined) {
    if (simple) throw new UsageError("give either --policy FILE or --allow/--deny/--resource, not both");
    try {
      return JSON.parse(await readFile(opts.policy, "utf8")) as unknown;
    } catch (err) {
      throw new UsageError(`cannot read the policy document ${opts.policy}: ${(err as Error).message}`);
    }
  }
  const resource = opts.resource ?? [];
  const stmt = (effect: string, actions: string[]) => ({
    Effect: effect,
    Action: actions,
    Resource: resource.length === 0 ? ["*"] : resource,
  });
  const statements = [
    ...((opts.allow ?? []).length > 0 ? [stmt("Allow", opts.allow ?? [])] : []),
    ...((opts.deny ?? []).length > 0 ? [stmt("Deny", opts.deny ?? [])] : []),
  ];
  if (statements.length === 0)
    throw new UsageError("give --allow ACTION (and --resource ARN) or --policy FILE");
  return { Version: "2012-10-17", Statement: statements };
}

export const roleCreateCommand = defineCommand<CreateOptions>({
  name: "create",
  args: ["<name>"],
  summary: "create an execution role, or replace its policy",
  description:
    "Actions and resources take IAM wildcards (* and ?). Without --resource the statements apply to every " +
    "resource. Credentials already handed to functions stay valid and follow the new policy.",
  options: [
    {
      flags: "--allow <action>",
      description: "action to allow, e.g. lambda:InvokeFunction (repeatable)",
      parse: collect,
    },
    { flags: "--deny <action>", description: "action to deny (repeatable; a deny wins)", parse: collect },
    {
      flags: "--resource <arn>",
      description: "resource ARN the statements apply to (repeatable)",
      parse: collect,
    },
    { flags: "--policy <file.json>", description: "an IAM policy document instead of --allow/--deny" },
  ],
  examples: [
    "vajra role create orders-caller --allow lambda:InvokeFunction --resource 'arn:aws:lambda:*:*:function:orders-*'",
    "vajra role create admin --policy admin-policy.json",
  ],
  async run(ctx, [name], opts) {
    if (name === undefined)
      throw new UsageError("usage: vajra role create NAME --allow ACTION | --policy FILE");
    const policy = await policyOf(opts);
    const client = await ctx.client();
    const role = await client.json<RoleView>("PUT", `/roles/${encodeURIComponent(name)}`, { policy });
    if (ctx.json) ctx.out.printJson(role);
    else ctx.out.print(`${ctx.out.colors.green("✓")} Role ${role.name}: ${role.arn}`);
  },
});

export const roleListCommand = defineCommand({
  name: "list",
  summary: "list execution roles",
  examples: ["vajra role list"],
  async run(ctx) {
    const client = await ctx.client();
    const result = await client.json<{ roles: RoleView[] }>("GET", "/roles");
    if (ctx.json) {
      ctx.out.printJson(result);
      return;
    }
    const rows = result.roles.map((r) => [
      r.name,
      r.arn,
      String(r.policy.Statement?.length ?? 0),
      r.createdAt,
    ]);
    ctx.out.print(
      formatTable(["NAME", "ARN", "STATEMENTS", "CREATED"], rows, { styleHeader: ctx.out.colors.dim }),
    );
  },
});

export const roleShowCommand = defineCommand({
  name: "show",
  args: ["<name>"],
  summary: "show a role and its policy document",
  examples: ["vajra role show orders-caller"],
  async run(ctx, [name]) {
    if (name === undefined) throw new UsageError("usage: vajra role show NAME");
    const client = await ctx.client();
    const role = await client.json<RoleView>("GET", `/roles/${encodeURIComponent(name)}`);
    if (ctx.json) {
      ctx.out.printJson(role);
      return;
    }
    ctx.out.print(
      `${role.name}\n  arn:     ${role.arn}\n  id:      ${role.roleId}\n  created: ${role.createdAt}\n` +
        JSON.stringify(role.policy, null, 2),
    );
  },
});

export const roleDeleteCommand = defineCommand<{ yes?: boolean }>({
  name: "delete",
  args: ["<name>"],
  summary: "delete a role: credentials minted for it are refused from now on",
  options: [{ flags: "--yes", description: "do not ask for confirmation" }],
  examples: ["vajra role delete orders-caller --yes"],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra role delete NAME");
    if (opts.yes !== true) await confirmDeletion(ctx, `role ${name}`, `Delete role ${name}?`);
    const client = await ctx.client();
    await client.json("DELETE", `/roles/${encodeURIComponent(name)}`);
    if (ctx.json) ctx.out.printJson({ deleted: name });
    else ctx.out.print(`${ctx.out.colors.green("✓")} Deleted role ${name}`);
  },
});

export const roleGroup = defineGroup({
  name: "role",
  summary: "create, list, show and delete execution roles",
  commands: [roleCreateCommand, roleListCommand, roleShowCommand, roleDeleteCommand],
  examples: [
    "vajra role create orders-caller --allow lambda:InvokeFunction --resource 'arn:aws:lambda:*:*:function:orders-*'",
    "vajra role list",
  ],
});
