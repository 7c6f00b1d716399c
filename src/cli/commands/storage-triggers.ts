// `vajra storage-trigger create-dir|create-webhook|list|show|enable|disable|delete`: functions invoked
// with S3 event notifications from a watched directory or an S3-compatible store's webhook (MinIO,
// Ceph RGW, Garage), through /storage-triggers. Named (the name is the events' bucket), unlike the
// broker mappings of `vajra trigger`, which are known by UUID.

import { defineCommand, defineGroup } from "../command.js";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatKeyValues, formatTable } from "../output.js";
import { confirmDeletion } from "./functions.js";

interface StorageTriggerView {
  name: string;
  kind: string;
  function: string;
  qualifier?: string;
  state: string;
  bucketArn: string;
  path?: string;
  include?: string[];
  exclude?: string[];
  events?: string[];
  webhookPath?: string;
  secret?: string;
  delivered: number;
  lastError?: string;
}

const path = (name = ""): string =>
  name === "" ? "/storage-triggers" : `/storage-triggers/${encodeURIComponent(name)}`;

function need(v: string | undefined, usage: string): string {
  if (v === undefined) throw new UsageError(`usage: ${usage}`);
  return v;
}

function printTrigger(ctx: CommandContext, t: StorageTriggerView, verb?: string): void {
  if (ctx.json) return ctx.out.printJson(t);
  const c = ctx.out.colors;
  if (verb !== undefined) ctx.out.print(`${c.green("✓")} ${verb} storage trigger ${c.bold(t.name)}`);
  const pairs: Array<[string, string]> = [
    ["name", t.name],
    ["kind", t.kind],
    ["function", t.qualifier === undefined ? t.function : `${t.function}:${t.qualifier}`],
    ["state", t.state],
    ["bucket", t.bucketArn],
  ];
  if (t.path !== undefined) pairs.push(["path", t.path]);
  if (t.include !== undefined && t.include.length > 0) pairs.push(["include", t.include.join(", ")]);
  if (t.exclude !== undefined && t.exclude.length > 0) pairs.push(["exclude", t.exclude.join(", ")]);
  if (t.events !== undefined) pairs.push(["events", t.events.join(", ")]);
  if (t.webhookPath !== undefined) pairs.push(["webhook", `${ctx.endpoint}${t.webhookPath}`]);
  pairs.push(["delivered", `${t.delivered} since the server started`]);
  if (t.lastError !== undefined) pairs.push(["last error", t.lastError]);
  ctx.out.print(formatKeyValues(pairs, c.bold));
  if (t.secret !== undefined)
    ctx.out.print(
      `\nSecret (shown only now; the store sends it as 'Authorization: Bearer <secret>'):\n${t.secret}`,
    );
}

interface DirFlags {
  function?: string;
  path?: string;
  include?: string;
  exclude?: string;
  events?: string;
}

const functionOption = {
  flags: "--function <name|arn>",
  description: "the function to invoke (name, name:qualifier or ARN)",
};

export const createDirCommand = defineCommand<DirFlags>({
  name: "create-dir",
  args: ["<name>"],
  summary: "invoke a function for each file created, modified or deleted under a directory",
  options: [
    functionOption,
    { flags: "--path <dir>", description: "the directory to watch, recursively (absolute)" },
    { flags: "--include <globs>", description: "comma-separated globs a file must match, e.g. '*.csv'" },
    { flags: "--exclude <globs>", description: "comma-separated globs of files to ignore, e.g. 'tmp/**'" },
    { flags: "--events <list>", description: "created,modified,deleted (default: all three)" },
  ],
  examples: [
    "vajra storage-trigger create-dir uploads --function ingest --path /srv/uploads --include '*.csv'",
    "vajra storage-trigger create-dir inbox --function audit --path /data/in --events created,deleted",
  ],
  async run(ctx, [name], o) {
    const n = need(name, "vajra storage-trigger create-dir NAME --function F --path DIR");
    if (o.function === undefined) throw new UsageError("--function is required");
    if (o.path === undefined) throw new UsageError("--path is required");
    const body: Record<string, unknown> = { name: n, kind: "directory", function: o.function, path: o.path };
    if (o.include !== undefined) body.include = o.include.split(",");
    if (o.exclude !== undefined) body.exclude = o.exclude.split(",");
    if (o.events !== undefined) body.events = o.events.split(",");
    printTrigger(ctx, await (await ctx.client()).json<StorageTriggerView>("POST", path(), body), "Created");
  },
});

export const createWebhookCommand = defineCommand<{ function?: string }>({
  name: "create-webhook",
  args: ["<name>"],
  summary: "invoke a function with the S3 event notifications a MinIO, Ceph or Garage store posts",
  options: [functionOption],
  examples: ["vajra storage-trigger create-webhook photos --function thumbnail"],
  async run(ctx, [name], o) {
    const n = need(name, "vajra storage-trigger create-webhook NAME --function F");
    if (o.function === undefined) throw new UsageError("--function is required");
    const body = { name: n, kind: "webhook", function: o.function };
    printTrigger(ctx, await (await ctx.client()).json<StorageTriggerView>("POST", path(), body), "Created");
  },
});

const listCommand = defineCommand({
  name: "list",
  summary: "list storage triggers",
  async run(ctx) {
    const r = await (await ctx.client()).json<{ triggers: StorageTriggerView[] }>("GET", path());
    if (ctx.json) return ctx.out.printJson(r.triggers);
    if (r.triggers.length === 0) return ctx.out.print("No storage triggers.");
    ctx.out.print(
      formatTable(
        ["NAME", "KIND", "STATE", "FUNCTION", "SOURCE"],
        r.triggers.map((t) => [t.name, t.kind, t.state, t.function, t.path ?? t.webhookPath ?? ""]),
        { styleHeader: ctx.out.colors.bold },
      ),
    );
  },
});

const showCommand = defineCommand({
  name: "show",
  args: ["<name>"],
  summary: "show a storage trigger",
  async run(ctx, [name]) {
    const n = need(name, "vajra storage-trigger show NAME");
    printTrigger(ctx, await (await ctx.client()).json<StorageTriggerView>("GET", path(n)));
  },
});

function stateCommand(verb: "enable" | "disable"): ReturnType<typeof defineCommand> {
  return defineCommand({
    name: verb,
    args: ["<name>"],
    summary:
      verb === "enable"
        ? "deliver again (a directory reports what changed while disabled)"
        : "stop delivering (webhook posts are accepted and dropped)",
    async run(ctx, [name]) {
      const n = need(name, `vajra storage-trigger ${verb} NAME`);
      const t = await (await ctx.client()).json<StorageTriggerView>("POST", `${path(n)}/${verb}`);
      if (ctx.json) return ctx.out.printJson(t);
      ctx.out.print(`${ctx.out.colors.green("✓")} ${n} is ${t.state}`);
    },
  });
}

const deleteCommand = defineCommand<{ yes?: boolean }>({
  name: "delete",
  args: ["<name>"],
  summary: "delete a storage trigger (events already queued still run)",
  options: [{ flags: "--yes", description: "do not ask for confirmation" }],
  async run(ctx, [name], opts) {
    const n = need(name, "vajra storage-trigger delete NAME");
    if (opts.yes !== true) await confirmDeletion(ctx, `storage trigger ${n}`, `Delete storage trigger ${n}?`);
    await (await ctx.client()).json("DELETE", path(n));
    if (ctx.json) ctx.out.printJson({ deleted: n });
    else ctx.out.print(`${ctx.out.colors.green("✓")} Deleted storage trigger ${n}`);
  },
});

export const storageTriggerGroup = defineGroup({
  name: "storage-trigger",
  summary: "invoke functions with S3 events from a watched directory or an S3-compatible store's webhook",
  commands: [
    createDirCommand,
    createWebhookCommand,
    listCommand,
    showCommand,
    stateCommand("enable"),
    stateCommand("disable"),
    deleteCommand,
  ],
  examples: [
    "vajra storage-trigger create-dir uploads --function ingest --path /srv/uploads --include '*.csv'",
    "vajra storage-trigger create-webhook photos --function thumbnail",
    "vajra storage-trigger list",
    "vajra storage-trigger delete uploads --yes",
  ],
});
