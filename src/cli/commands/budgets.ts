// `vajra budget create|list|show|update|delete`: monthly budgets with alerts and an optional throttle,
// through the native /budgets routes.

import { defineCommand, defineGroup, type OptionSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatKeyValues, formatMoney, formatTable } from "../output.js";
import { confirmDeletion } from "./functions.js";
import type { BudgetView } from "../../core/budget.js";

interface BudgetFlags {
  monthly?: string;
  scope?: string;
  alertAt?: string;
  alertTo?: string;
  enforce?: boolean;
}

const path = (name = ""): string => (name === "" ? "/budgets" : `/budgets/${encodeURIComponent(name)}`);

const fieldOptions: OptionSpec[] = [
  {
    flags: "--monthly <amount>",
    description: "money per calendar month (UTC), in the price sheet's currency",
  },
  { flags: "--scope <all|function:NAME>", description: "every function of the region, or one function" },
  {
    flags: "--alert-at <percents>",
    description: "alert thresholds in percent, e.g. 50,80,100 (the default)",
  },
  {
    flags: "--alert-to <log|FUNCTION|URL>",
    description: "where alerts go: the server log (default), a function (Event invocation) or a webhook",
  },
  { flags: "--enforce", description: "throttle the scope (429 BudgetExceeded) once 100 % is reached" },
];

function body(opts: BudgetFlags): Record<string, unknown> {
  const b: Record<string, unknown> = {};
  if (opts.monthly !== undefined) {
    const n = Number(opts.monthly);
    // The server names a zero or negative amount; only text that is no number is caught here.
    if (opts.monthly.trim() === "" || !Number.isFinite(n))
      throw new UsageError(`--monthly must be a number such as 50; got ${opts.monthly}`);
    b.monthlyAmount = n;
  }
  if (opts.scope !== undefined) b.scope = opts.scope;
  // Sent as text: the server checks each threshold and names a bad one.
  if (opts.alertAt !== undefined) b.alertAt = opts.alertAt;
  if (opts.alertTo !== undefined) b.alertTo = opts.alertTo;
  // --enforce and --no-enforce (update) set one flag; commander leaves it undefined when neither is given.
  if (opts.enforce !== undefined) b.enforce = opts.enforce;
  return b;
}

function printBudget(ctx: CommandContext, b: BudgetView, verb?: string): void {
  if (ctx.json) return ctx.out.printJson(b);
  const c = ctx.out.colors;
  if (verb !== undefined) ctx.out.print(`${c.green("✓")} ${verb} budget ${c.bold(b.name)}`);
  const s = b.state;
  const sent = s.alertsSent.map((a) => `${a.thresholdPercent} % at ${a.sentAt}`);
  ctx.out.print(
    formatKeyValues(
      [
        ["name", b.name],
        ["monthly", formatMoney(b.monthlyAmount, s.currency)],
        ["scope", b.scope],
        ["alert at", b.alertAt.map((t) => `${t} %`).join(", ")],
        ["alert to", b.alertTo],
        ["enforce", b.enforce ? "yes" : "no"],
        ["period", s.period],
        ["spent", `${formatMoney(s.spent, s.currency)} (${s.percent.toFixed(1)} %)`],
        ["alerts sent", sent.length === 0 ? "-" : sent.join("\n" + " ".repeat(14))],
        ["throttled", s.enforced ? c.red("yes: invocations get 429 BudgetExceeded") : "no"],
      ],
      c.bold,
    ),
  );
}

function need(name: string | undefined, usage: string): string {
  if (name === undefined) throw new UsageError(`usage: ${usage}`);
  return name;
}

export const budgetCreateCommand = defineCommand<BudgetFlags>({
  name: "create",
  args: ["<name>"],
  summary: "create a monthly budget with alerts (and optionally a throttle)",
  options: fieldOptions,
  examples: [
    "vajra budget create api --monthly 50 --scope function:api --alert-at 50,80,100 --enforce",
    "vajra budget create everything --monthly 200 --scope all --alert-to https://hooks.example.com/budget",
  ],
  async run(ctx, [name], opts) {
    const n = need(name, "vajra budget create NAME --monthly AMOUNT --scope all|function:NAME");
    if (opts.monthly === undefined) throw new UsageError("--monthly is required");
    if (opts.scope === undefined) throw new UsageError("--scope is required (all or function:NAME)");
    const b = { name: n, ...body(opts) };
    printBudget(ctx, await (await ctx.client()).json<BudgetView>("POST", path(), b), "Created");
  },
});

export const budgetUpdateCommand = defineCommand<BudgetFlags>({
  name: "update",
  args: ["<name>"],
  summary: "change a budget (only the options given); a raised amount lifts its throttle at once",
  options: [...fieldOptions, { flags: "--no-enforce", description: "stop throttling the scope" }],
  examples: ["vajra budget update api --monthly 80", "vajra budget update api --no-enforce"],
  async run(ctx, [name], opts) {
    const n = need(name, "vajra budget update NAME [options]");
    const b = body(opts);
    if (Object.keys(b).length === 0) throw new UsageError("nothing to change: give at least one option");
    printBudget(ctx, await (await ctx.client()).json<BudgetView>("PATCH", path(n), b), "Updated");
  },
});

export const budgetListCommand = defineCommand({
  name: "list",
  summary: "list budgets with this month's spend",
  async run(ctx) {
    const r = await (await ctx.client()).json<{ budgets: BudgetView[] }>("GET", path());
    if (ctx.json) return ctx.out.printJson(r.budgets);
    if (r.budgets.length === 0) return ctx.out.print("No budgets.");
    ctx.out.print(
      formatTable(
        ["NAME", "SCOPE", "MONTHLY", "SPENT", "%", "ENFORCE", "THROTTLED"],
        r.budgets.map((b) => [
          b.name,
          b.scope,
          formatMoney(b.monthlyAmount, b.state.currency),
          formatMoney(b.state.spent, b.state.currency),
          b.state.percent.toFixed(1),
          b.enforce ? "yes" : "no",
          b.state.enforced ? "yes" : "no",
        ]),
        { styleHeader: ctx.out.colors.bold },
      ),
    );
  },
});

export const budgetShowCommand = defineCommand({
  name: "show",
  args: ["<name>"],
  summary: "show a budget, this month's spend and the alerts sent",
  async run(ctx, [name]) {
    const n = need(name, "vajra budget show NAME");
    printBudget(ctx, await (await ctx.client()).json<BudgetView>("GET", path(n)));
  },
});

export const budgetDeleteCommand = defineCommand<{ yes?: boolean }>({
  name: "delete",
  args: ["<name>"],
  summary: "delete a budget (its throttle ends at once)",
  options: [{ flags: "--yes", description: "do not ask for confirmation" }],
  async run(ctx, [name], opts) {
    const n = need(name, "vajra budget delete NAME");
    if (opts.yes !== true) await confirmDeletion(ctx, `budget ${n}`, `Delete budget ${n}?`);
    await (await ctx.client()).json("DELETE", path(n));
    if (ctx.json) ctx.out.printJson({ deleted: n });
    else ctx.out.print(`${ctx.out.colors.green("✓")} Deleted budget ${n}`);
  },
});

export const budgetGroup = defineGroup({
  name: "budget",
  summary: "monthly budgets: alerts at thresholds, and a throttle at 100 % with --enforce",
  commands: [
    budgetCreateCommand,
    budgetListCommand,
    budgetShowCommand,
    budgetUpdateCommand,
    budgetDeleteCommand,
  ],
  examples: [
    "vajra budget create api --monthly 50 --scope function:api --enforce",
    "vajra budget show api",
    "vajra budget update api --monthly 80",
    "vajra budget delete api --yes",
  ],
});
