// `vajra schedule create|list|show|update|delete|pause|resume`: functions run on a rate, a cron
// expression or once at a time, through the native /schedules routes.

import { defineCommand, defineGroup, type OptionSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatKeyValues, formatTable, formatTimestamp } from "../output.js";
import { confirmDeletion } from "./functions.js";

interface ScheduleView {
  name: string;
  arn: string;
  expression: string;
  timezone: string;
  function: string;
  qualifier?: string;
  state: string;
  flexibleWindowMinutes: number | null;
  input?: string;
  description?: string;
  startDate?: string;
  endDate?: string;
  lastFiredDue?: string;
  lastError?: string;
  nextFireTimes: string[];
}

interface ScheduleFlags {
  function?: string;
  qualifier?: string;
  expression?: string;
  timezone?: string;
  input?: string;
  flexibleWindow?: string;
  disabled?: boolean;
  description?: string;
  start?: string;
  end?: string;
  deleteAfterCompletion?: boolean;
}

const path = (name = ""): string => (name === "" ? "/schedules" : `/schedules/${encodeURIComponent(name)}`);

const fieldOptions: OptionSpec[] = [
  { flags: "--function <name|arn>", description: "the function to invoke (name, name:qualifier or ARN)" },
  { flags: "--qualifier <version|alias>", description: "the version or alias to invoke" },
  {
    flags: "--expression <expr>",
    description: "rate(5 minutes), rate(10 seconds), cron(0 9 ? * MON-FRI *) or at(2027-01-01T09:00:00)",
  },
  { flags: "--timezone <zone>", description: "IANA time zone of cron() and at() (default UTC)" },
  { flags: "--input <json>", description: "the event each fire sends (default: a Scheduled Event)" },
  {
    flags: "--flexible-window <minutes|OFF>",
    description: "a late fire (server down) still runs within this many minutes (default OFF: 60 s)",
  },
  { flags: "--description <text>", description: "a description" },
  { flags: "--start <iso-date>", description: "no fire before this date" },
  { flags: "--end <iso-date>", description: "no fire after this date" },
];

function body(opts: ScheduleFlags): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  if (opts.function !== undefined) b.function = opts.function;
  if (opts.qualifier !== undefined) b.qualifier = opts.qualifier;
  if (opts.expression !== undefined) b.expression = opts.expression;
  if (opts.timezone !== undefined) b.timezone = opts.timezone;
  if (opts.input !== undefined) {
    try {
      JSON.parse(opts.input);
    } catch {
      throw new UsageError(`--input must be JSON; got ${opts.input}`);
    }
    b.input = opts.input;
  }
  if (opts.flexibleWindow !== undefined) {
    const w = opts.flexibleWindow;
    if (w.toUpperCase() === "OFF") b.flexibleWindowMinutes = null;
    else if (/^[0-9]+$/.test(w)) b.flexibleWindowMinutes = Number(w);
    else throw new UsageError(`--flexible-window must be a number of minutes or OFF; got ${w}`);
  }
  if (opts.description !== undefined) b.description = opts.description;
  if (opts.start !== undefined) b.startDate = opts.start;
  if (opts.end !== undefined) b.endDate = opts.end;
  if (opts.deleteAfterCompletion === true) b.actionAfterCompletion = "DELETE";
  return b;
}

function printSchedule(ctx: CommandContext, s: ScheduleView, verb?: string): void {
  if (ctx.json) return ctx.out.printJson(s);
  const c = ctx.out.colors;
  if (verb !== undefined) ctx.out.print(`${c.green("✓")} ${verb} schedule ${c.bold(s.name)}`);
  const pairs: Array<[string, string]> = [
    ["name", s.name],
    ["arn", s.arn],
    ["expression", s.expression],
    ["timezone", s.timezone],
    ["function", s.qualifier === undefined ? s.function : `${s.function}:${s.qualifier}`],
    ["state", s.state],
    ["flexible window", s.flexibleWindowMinutes === null ? "OFF" : `${s.flexibleWindowMinutes} min`],
    ["input", s.input ?? "(Scheduled Event)"],
  ];
  if (s.description !== undefined) pairs.push(["description", s.description]);
  if (s.startDate !== undefined) pairs.push(["start", s.startDate]);
  if (s.endDate !== undefined) pairs.push(["end", s.endDate]);
  pairs.push(["last fired", s.lastFiredDue ?? "-"]);
  if (s.lastError !== undefined) pairs.push(["last error", s.lastError]);
  pairs.push([
    "next fires",
    s.nextFireTimes.length === 0 ? "-" : s.nextFireTimes.join("\n" + " ".repeat(17)),
  ]);
  ctx.out.print(formatKeyValues(pairs, c.bold));
}

function need(name: string | undefined, usage: string): string {
  if (name === undefined) throw new UsageError(`usage: ${usage}`);
  return name;
}

export const scheduleCreateCommand = defineCommand<ScheduleFlags>({
  name: "create",
  args: ["<name>"],
  summary: "run a function on a schedule",
  options: [
    ...fieldOptions,
    { flags: "--disabled", description: "create it paused" },
    { flags: "--delete-after-completion", description: "delete an at() schedule once it has fired" },
  ],
  examples: [
    "vajra schedule create nightly --function report --expression 'cron(0 2 * * ? *)' --timezone Europe/Paris",
    "vajra schedule create tick --function hello --expression 'rate(5 minutes)' --input '{\"ping\":true}'",
  ],
  async run(ctx, [name], opts) {
    const n = need(name, "vajra schedule create NAME --function F --expression EXPR");
    if (opts.function === undefined) throw new UsageError("--function is required");
    if (opts.expression === undefined) throw new UsageError("--expression is required");
    const b = { name: n, ...body(opts), ...(opts.disabled === true ? { state: "DISABLED" } : {}) };
    printSchedule(ctx, await (await ctx.client()).json<ScheduleView>("POST", path(), b), "Created");
  },
});

export const scheduleUpdateCommand = defineCommand<ScheduleFlags>({
  name: "update",
  args: ["<name>"],
  summary: "change a schedule (only the options given)",
  options: fieldOptions,
  examples: ["vajra schedule update tick --expression 'rate(10 minutes)'"],
  async run(ctx, [name], opts) {
    const n = need(name, "vajra schedule update NAME [options]");
    printSchedule(
      ctx,
      await (await ctx.client()).json<ScheduleView>("PATCH", path(n), body(opts)),
      "Updated",
    );
  },
});

export const scheduleListCommand = defineCommand({
  name: "list",
  summary: "list schedules",
  async run(ctx) {
    const r = await (await ctx.client()).json<{ schedules: ScheduleView[] }>("GET", path());
    if (ctx.json) return ctx.out.printJson(r.schedules);
    if (r.schedules.length === 0) return ctx.out.print("No schedules.");
    ctx.out.print(
      formatTable(
        ["NAME", "STATE", "EXPRESSION", "TIMEZONE", "FUNCTION", "LAST FIRED"],
        r.schedules.map((s) => [
          s.name,
          s.state,
          s.expression,
          s.timezone,
          s.function,
          formatTimestamp(s.lastFiredDue),
        ]),
        { styleHeader: ctx.out.colors.bold },
      ),
    );
  },
});

export const scheduleShowCommand = defineCommand<{ next?: string }>({
  name: "show",
  args: ["<name>"],
  summary: "show a schedule and its next fire times",
  options: [{ flags: "--next <n>", description: "how many next fire times to show (default 5)" }],
  async run(ctx, [name], opts) {
    const n = need(name, "vajra schedule show NAME");
    const q = opts.next === undefined ? "" : `?next=${encodeURIComponent(opts.next)}`;
    printSchedule(ctx, await (await ctx.client()).json<ScheduleView>("GET", path(n) + q));
  },
});

function stateCommand(verb: "pause" | "resume"): ReturnType<typeof defineCommand> {
  return defineCommand({
    name: verb,
    args: ["<name>"],
    summary: verb === "pause" ? "stop a schedule's fires (DISABLED)" : "start a paused schedule again",
    async run(ctx, [name]) {
      const n = need(name, `vajra schedule ${verb} NAME`);
      const s = await (await ctx.client()).json<ScheduleView>("POST", `${path(n)}/${verb}`);
      if (ctx.json) return ctx.out.printJson(s);
      ctx.out.print(`${ctx.out.colors.green("✓")} ${n} is ${s.state}`);
    },
  });
}

export const scheduleDeleteCommand = defineCommand<{ yes?: boolean }>({
  name: "delete",
  args: ["<name>"],
  summary: "delete a schedule (it stops at once)",
  options: [{ flags: "--yes", description: "do not ask for confirmation" }],
  async run(ctx, [name], opts) {
    const n = need(name, "vajra schedule delete NAME");
    if (opts.yes !== true) await confirmDeletion(ctx, `schedule ${n}`, `Delete schedule ${n}?`);
    await (await ctx.client()).json("DELETE", path(n));
    if (ctx.json) ctx.out.printJson({ deleted: n });
    else ctx.out.print(`${ctx.out.colors.green("✓")} Deleted schedule ${n}`);
  },
});

export const scheduleGroup = defineGroup({
  name: "schedule",
  summary: "run functions on a rate, a cron expression or once at a time",
  commands: [
    scheduleCreateCommand,
    scheduleListCommand,
    scheduleShowCommand,
    scheduleUpdateCommand,
    stateCommand("pause"),
    stateCommand("resume"),
    scheduleDeleteCommand,
  ],
  examples: [
    "vajra schedule create tick --function hello --expression 'rate(5 minutes)'",
    "vajra schedule show tick",
    "vajra schedule pause tick",
    "vajra schedule delete tick --yes",
  ],
});
