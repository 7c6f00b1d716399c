// `vajra trigger create|list|show|update|enable|disable|delete`: event source mappings (RabbitMQ
// queues, NATS JetStream streams) that invoke a function per batch of messages, through /triggers.

import { defineCommand, defineGroup, type OptionSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatKeyValues, formatTable } from "../output.js";
import { confirmDeletion } from "./functions.js";

interface TriggerView {
  uuid: string;
  kind: string;
  source: string;
  function: string;
  qualifier?: string;
  state: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  maximumRetryAttempts: number;
  reportBatchItemFailures: boolean;
  startingPosition?: string;
  stateTransitionReason: string;
  lastProcessingResult: string;
  processed: number;
  discarded: number;
  filtered: number;
  filters?: string[];
  onFailure?: string;
  bisectBatchOnFunctionError?: boolean;
  maximumRecordAgeInSeconds?: number;
  maximumConcurrency?: number;
}

interface TriggerFlags {
  function?: string;
  source?: string;
  batchSize?: string;
  batchWindow?: string;
  retries?: string;
  reportFailures?: boolean;
  startingPosition?: string;
  filter?: string;
  onFailure?: string;
  bisect?: boolean;
  maxRecordAge?: string;
  concurrency?: string;
  disabled?: boolean;
}

const path = (uuid = ""): string => (uuid === "" ? "/triggers" : `/triggers/${encodeURIComponent(uuid)}`);

const fieldOptions: OptionSpec[] = [
  { flags: "--function <name|arn>", description: "the function to invoke (name, name:qualifier or ARN)" },
  { flags: "--batch-size <n>", description: "messages per invocation, 1-10000 (default 100)" },
  {
    flags: "--batch-window <seconds>",
    description: "wait up to this long to fill a batch, 0-300 (default 0)",
  },
  {
    flags: "--retries <n>",
    description: "retries of a failed batch before it is given up (-1: forever, default)",
  },
  {
    flags: "--report-failures",
    description: "ReportBatchItemFailures: retry only the items the function names",
  },
  {
    flags: "--starting-position <TRIM_HORIZON|LATEST>",
    description: "nats, redis: where a new mapping starts",
  },
  {
    flags: "--filter <pattern>",
    description:
      'FilterCriteria pattern (JSON); \'[]\' removes filtering, e.g. \'{"body":{"kind":["order"]}}\'',
  },
  {
    flags: "--on-failure <destination>",
    description:
      "where given-up messages' records go (function ARN, nats://, amqp://, mqtt://, redis://, http(s)://); '' removes it",
  },
  { flags: "--bisect", description: "split a failing batch in halves to isolate the failing message" },
  {
    flags: "--max-record-age <seconds>",
    description: "older messages go to --on-failure without invoking (-1: no limit, or 60-604800)",
  },
  {
    flags: "--concurrency <n>",
    description: "batches invoked at once, 2-1000 (default one, which keeps order)",
  },
];

function int(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?[0-9]+$/.test(v)) throw new UsageError(`${flag} must be a whole number; got ${v}`);
  return Number(v);
}

function body(o: TriggerFlags): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  if (o.function !== undefined) b.function = o.function;
  if (o.source !== undefined) b.source = o.source;
  const bs = int("--batch-size", o.batchSize);
  if (bs !== undefined) b.batchSize = bs;
  const w = int("--batch-window", o.batchWindow);
  if (w !== undefined) b.maximumBatchingWindowInSeconds = w;
  const r = int("--retries", o.retries);
  if (r !== undefined) b.maximumRetryAttempts = r;
  if (o.reportFailures === true) b.reportBatchItemFailures = true;
  if (o.startingPosition !== undefined) b.startingPosition = o.startingPosition;
  if (o.disabled === true) b.enabled = false;
  if (o.filter !== undefined) b.filters = o.filter.trim() === "[]" ? [] : [o.filter];
  if (o.onFailure !== undefined) b.onFailure = o.onFailure === "" ? null : o.onFailure;
  if (o.bisect === true) b.bisectBatchOnFunctionError = true;
  const age = int("--max-record-age", o.maxRecordAge);
  if (age !== undefined) b.maximumRecordAgeInSeconds = age;
  const mc = int("--concurrency", o.concurrency);
  if (mc !== undefined) b.maximumConcurrency = mc;
  return b;
}

function printTrigger(ctx: CommandContext, t: TriggerView, verb?: string): void {
  if (ctx.json) return ctx.out.printJson(t);
  const c = ctx.out.colors;
  if (verb !== undefined) ctx.out.print(`${c.green("✓")} ${verb} trigger ${c.bold(t.uuid)}`);
  const pairs: Array<[string, string]> = [
    ["uuid", t.uuid],
    ["source", t.source],
    ["function", t.qualifier === undefined ? t.function : `${t.function}:${t.qualifier}`],
    ["state", t.state],
    ["batch", `${t.batchSize} messages, window ${t.maximumBatchingWindowInSeconds} s`],
    ["retries", t.maximumRetryAttempts < 0 ? "until success" : String(t.maximumRetryAttempts)],
    ["report failures", t.reportBatchItemFailures ? "yes" : "no"],
    ["status", t.stateTransitionReason],
    ["last result", t.lastProcessingResult],
    ["processed", `${t.processed} (given up: ${t.discarded}, filtered out: ${t.filtered})`],
  ];
  if (t.startingPosition !== undefined) pairs.push(["starting position", t.startingPosition]);
  for (const f of t.filters ?? []) pairs.push(["filter", f]);
  if (t.onFailure !== undefined) pairs.push(["on failure", t.onFailure]);
  if (t.bisectBatchOnFunctionError === true) pairs.push(["bisect", "yes"]);
  if ((t.maximumRecordAgeInSeconds ?? -1) >= 0)
    pairs.push(["max record age", `${t.maximumRecordAgeInSeconds} s`]);
  if (t.maximumConcurrency !== undefined) pairs.push(["concurrency", String(t.maximumConcurrency)]);
  ctx.out.print(formatKeyValues(pairs, c.bold));
}

function need(v: string | undefined, usage: string): string {
  if (v === undefined) throw new UsageError(`usage: ${usage}`);
  return v;
}

export const triggerCreateCommand = defineCommand<TriggerFlags>({
  name: "create",
  args: ["<source-uri>"],
  summary: "invoke a function with the messages of a RabbitMQ queue or NATS JetStream stream",
  options: [...fieldOptions, { flags: "--disabled", description: "create it disabled" }],
  examples: [
    "vajra trigger create 'amqp://user:pass@localhost:5672/?queue=orders' --function orders --batch-size 10",
    "vajra trigger create 'nats://localhost:4222?stream=EVENTS' --function audit --report-failures",
    "vajra trigger create 'mqtt://localhost:1883?topic=plant/%2B/temp' --function temps",
    "vajra trigger create 'redis://localhost:6379?stream=orders&group=billing' --function billing",
    "vajra trigger create 'postgres://app@localhost:5432/shop?channel=orders_new' --function notify",
  ],
  async run(ctx, [source], opts) {
    const s = need(source, "vajra trigger create SOURCE-URI --function F");
    if (opts.function === undefined) throw new UsageError("--function is required");
    printTrigger(
      ctx,
      await (await ctx.client()).json<TriggerView>("POST", path(), body({ ...opts, source: s })),
      "Created",
    );
  },
});

export const triggerUpdateCommand = defineCommand<TriggerFlags>({
  name: "update",
  args: ["<uuid>"],
  summary: "change a trigger (only the options given)",
  options: fieldOptions,
  examples: ["vajra trigger update 6f1c… --batch-size 50"],
  async run(ctx, [uuid], opts) {
    const u = need(uuid, "vajra trigger update UUID [options]");
    printTrigger(ctx, await (await ctx.client()).json<TriggerView>("PATCH", path(u), body(opts)), "Updated");
  },
});

export const triggerListCommand = defineCommand<{ function?: string }>({
  name: "list",
  summary: "list triggers",
  options: [{ flags: "--function <name>", description: "only this function's triggers" }],
  async run(ctx, _args, opts) {
    const q = opts.function === undefined ? "" : `?function=${encodeURIComponent(opts.function)}`;
    const r = await (await ctx.client()).json<{ triggers: TriggerView[] }>("GET", path() + q);
    if (ctx.json) return ctx.out.printJson(r.triggers);
    if (r.triggers.length === 0) return ctx.out.print("No triggers.");
    ctx.out.print(
      formatTable(
        ["UUID", "STATE", "SOURCE", "FUNCTION", "STATUS"],
        r.triggers.map((t) => [t.uuid, t.state, t.source, t.function, t.stateTransitionReason]),
        { styleHeader: ctx.out.colors.bold },
      ),
    );
  },
});

export const triggerShowCommand = defineCommand({
  name: "show",
  args: ["<uuid>"],
  summary: "show a trigger and how it is doing",
  async run(ctx, [uuid]) {
    const u = need(uuid, "vajra trigger show UUID");
    printTrigger(ctx, await (await ctx.client()).json<TriggerView>("GET", path(u)));
  },
});

function stateCommand(verb: "enable" | "disable"): ReturnType<typeof defineCommand> {
  return defineCommand({
    name: verb,
    args: ["<uuid>"],
    summary: verb === "enable" ? "start delivering again" : "stop delivering (messages stay on the broker)",
    async run(ctx, [uuid]) {
      const u = need(uuid, `vajra trigger ${verb} UUID`);
      const t = await (
        await ctx.client()
      ).json<TriggerView>("PATCH", path(u), { enabled: verb === "enable" });
      if (ctx.json) return ctx.out.printJson(t);
      ctx.out.print(`${ctx.out.colors.green("✓")} ${u} is ${t.state}`);
    },
  });
}

export const triggerDeleteCommand = defineCommand<{ yes?: boolean }>({
  name: "delete",
  args: ["<uuid>"],
  summary: "delete a trigger (it stops at once; unacknowledged messages stay on the broker)",
  options: [{ flags: "--yes", description: "do not ask for confirmation" }],
  async run(ctx, [uuid], opts) {
    const u = need(uuid, "vajra trigger delete UUID");
    if (opts.yes !== true) await confirmDeletion(ctx, `trigger ${u}`, `Delete trigger ${u}?`);
    await (await ctx.client()).json("DELETE", path(u));
    if (ctx.json) ctx.out.printJson({ deleted: u });
    else ctx.out.print(`${ctx.out.colors.green("✓")} Deleted trigger ${u}`);
  },
});

export const triggerGroup = defineGroup({
  name: "trigger",
  summary: "invoke functions with messages from RabbitMQ queues and NATS JetStream streams",
  commands: [
    triggerCreateCommand,
    triggerListCommand,
    triggerShowCommand,
    triggerUpdateCommand,
    stateCommand("enable"),
    stateCommand("disable"),
    triggerDeleteCommand,
  ],
  examples: [
    "vajra trigger create 'amqp://guest:guest@localhost:5672/?queue=orders' --function orders",
    "vajra trigger list",
    "vajra trigger disable 6f1c…",
    "vajra trigger delete 6f1c… --yes",
  ],
});
