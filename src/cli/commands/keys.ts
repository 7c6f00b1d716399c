// `vajra keys`: AWS-style access keys for SigV4 clients (AWS CLI, SDKs, boto3). The secret is shown
// once, at creation; the server keeps it to verify signatures.

import { defineCommand, defineGroup } from "../command.js";
import { UsageError } from "../errors.js";
import { formatTable } from "../output.js";
import { confirmDeletion } from "./functions.js";

interface AccessKeyView {
  accessKeyId: string;
  name: string;
  accountId?: string;
  createdAt: string;
  secretAccessKey?: string;
}

export const keysCreateCommand = defineCommand<{ name?: string; account?: string }>({
  name: "create",
  summary: "create an access key (the secret is printed once)",
  description:
    "With --account the key belongs to another account: it can only invoke functions whose resource " +
    "policy allows that account (aws lambda add-permission --principal ACCOUNT).",
  options: [
    { flags: "--name <name>", description: "a label for the key" },
    { flags: "--account <id>", description: "12-digit account id of another principal" },
  ],
  examples: ["vajra keys create --name ci", "vajra keys create --json > key.json"],
  async run(ctx, _args, opts) {
    const client = await ctx.client();
    const body: Record<string, string> = {};
    if (opts.name !== undefined) body.name = opts.name;
    if (opts.account !== undefined) body.accountId = opts.account;
    const key = await client.json<AccessKeyView>("POST", "/keys", body);
    if (ctx.json) {
      ctx.out.printJson(key);
      return;
    }
    ctx.out.print(
      `${ctx.out.colors.green("✓")} Created access key ${key.accessKeyId}\n` +
        `aws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey ?? ""}\n` +
        ctx.out.colors.dim("The secret is not shown again."),
    );
  },
});

export const keysListCommand = defineCommand({
  name: "list",
  summary: "list access keys (without secrets)",
  examples: ["vajra keys list"],
  async run(ctx) {
    const client = await ctx.client();
    const result = await client.json<{ keys: AccessKeyView[] }>("GET", "/keys");
    if (ctx.json) {
      ctx.out.printJson(result);
      return;
    }
    const rows = result.keys.map((k) => [k.accessKeyId, k.name, k.accountId ?? "", k.createdAt]);
    ctx.out.print(
      formatTable(["ACCESS KEY ID", "NAME", "ACCOUNT", "CREATED"], rows, { styleHeader: ctx.out.colors.dim }),
    );
  },
});

export const keysRevokeCommand = defineCommand<{ yes?: boolean }>({
  name: "revoke",
  args: ["<access-key-id>"],
  summary: "revoke an access key: requests signed with it are refused from now on",
  options: [{ flags: "--yes", description: "do not ask for confirmation" }],
  examples: ["vajra keys revoke AKIA... --yes"],
  async run(ctx, [id], opts) {
    if (id === undefined) throw new UsageError("usage: vajra keys revoke ACCESS_KEY_ID");
    if (opts.yes !== true) await confirmDeletion(ctx, `access key ${id}`, `Revoke access key ${id}?`);
    const client = await ctx.client();
    await client.json("DELETE", `/keys/${encodeURIComponent(id)}`);
    if (ctx.json) ctx.out.printJson({ revoked: id });
    else ctx.out.print(`${ctx.out.colors.green("✓")} Revoked access key ${id}`);
  },
});

export const keysGroup = defineGroup({
  name: "keys",
  summary: "create, list and revoke AWS-style access keys",
  commands: [keysCreateCommand, keysListCommand, keysRevokeCommand],
  examples: ["vajra keys create --name ci", "vajra keys list", "vajra keys revoke AKIA... --yes"],
});
