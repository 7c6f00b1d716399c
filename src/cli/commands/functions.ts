// The read and delete commands for functions: `list`, `info`, `logs`, `delete`. Each is one API call;
// the work here is presentation, plus the rule that a delete is never silent.

import type { BuildLog, FunctionConfig, FunctionDetails } from "../api-types.js";
import { defineCommand } from "../command.js";
import type { CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { formatBytes, formatKeyValues, formatTable, formatTimestamp } from "../output.js";

const path = (name: string, rest = "") => `/functions/${encodeURIComponent(name)}${rest}`;

export const listCommand = defineCommand({
  name: "list",
  summary: "list the functions",
  examples: ["vajra list", "vajra list --json | jq -r '.functions[].name'"],
  async run(ctx) {
    const client = await ctx.client();
    const result = await client.json<{ functions: FunctionConfig[] }>("GET", "/functions");
    if (ctx.json) {
      ctx.out.printJson(result);
      return;
    }
    if (result.functions.length === 0) {
      ctx.out.print("No functions yet. Deploy one with `vajra deploy NAME DIR`.");
      return;
    }
    const c = ctx.out.colors;
    ctx.out.print(
      formatTable(
        ["NAME", "RUNTIME", "MEMORY", "TIMEOUT", "LAST MODIFIED"],
        result.functions.map((f) => [
          c.bold(f.name),
          f.runtime,
          `${f.memorySize} MB`,
          `${f.timeout} s`,
          formatTimestamp(f.lastModified),
        ]),
        { align: ["left", "left", "right", "right", "left"], styleHeader: c.dim },
      ),
    );
  },
});

export const infoCommand = defineCommand<{ buildLog?: boolean }>({
  name: "info",
  args: ["<name>"],
  summary: "show a function's configuration (or, with --build-log, the log of its package's build)",
  options: [
    { flags: "--build-log", description: "print the log of the build that made the function's package" },
  ],
  examples: ["vajra info hello", "vajra info hello --json", "vajra info hello-go --build-log"],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra info NAME");
    const client = await ctx.client();
    if (opts.buildLog === true) {
      const b = await client.json<BuildLog>("GET", `${path(name)}/build-log`);
      if (ctx.json) ctx.out.printJson(b);
      else {
        ctx.out.note(
          `Build ${b.buildKey.slice(0, 12)} (${b.runtime}, ${b.toolchain}): ${b.status} in ` +
            `${(b.durationMs / 1000).toFixed(1)} s, ${formatTimestamp(b.startedAt)}`,
        );
        ctx.out.printRaw(b.log.endsWith("\n") ? b.log : b.log + "\n");
      }
      return;
    }
    const f = await client.json<FunctionDetails>("GET", path(name));
    if (ctx.json) {
      ctx.out.printJson(f);
      return;
    }
    const c = ctx.out.colors;
    const env = Object.entries(f.environment ?? {});
    const pairs: Array<[string, string]> = [
      ["Name", c.bold(f.name)],
      ["ARN", f.arn],
      ["State", f.state],
      ["Runtime", f.runtime],
      ["Handler", f.handler],
      ["Memory", `${f.memorySize} MB`],
      ["Timeout", `${f.timeout} s`],
      ["Ephemeral storage", `${f.ephemeralStorage} MB`],
      ...(f.logging === undefined
        ? []
        : ([
            [
              "Logging",
              f.logging.logFormat === "JSON"
                ? `JSON (application ${f.logging.applicationLogLevel ?? "INFO"}, system ${f.logging.systemLogLevel ?? "INFO"}) to ${f.logging.logGroup}`
                : `Text to ${f.logging.logGroup}`,
            ],
          ] as Array<[string, string]>)),
      ["Network", f.network],
      ["Reserved concurrency", f.reservedConcurrency === null ? "none" : String(f.reservedConcurrency)],
      ["Description", f.description === "" ? c.dim("(none)") : f.description],
      ["Code SHA-256", f.codeSha256],
      ["Code size", formatBytes(f.codeSize)],
      ...(f.build === undefined
        ? []
        : ([
            [
              "Built from",
              `${f.build.sourceSha256} (${formatBytes(f.build.sourceSize)}; vajra info ${f.name} --build-log)`,
            ],
          ] as Array<[string, string]>)),
      ["Version", f.version],
      ["Revision", f.revisionId],
      ["Last modified", formatTimestamp(f.lastModified)],
      ["Created", formatTimestamp(f.createdAt)],
    ];
    if (f.instances !== undefined)
      pairs.push(["Instances", `${f.instances.idle} idle, ${f.instances.busy} busy`]);
    pairs.push(["Environment", env.length === 0 ? c.dim("(none)") : ""]);
    for (const [k, v] of env) pairs.push([`  ${k}`, v]);
    ctx.out.print(formatKeyValues(pairs, c.dim));
    for (const warning of f.warnings ?? []) ctx.out.warn(warning);
  },
});

/**
 * A delete is never silent: on a terminal it asks `question [y/N]`; without one (scripts, CI) it
 * refuses, and the caller must pass --yes instead of calling this.
 */
export async function confirmDeletion(ctx: CommandContext, what: string, question: string): Promise<void> {
  if (!ctx.io.stdin.isTTY) {
    throw new CliError(`refusing to delete ${what} without confirmation: pass --yes`, {
      code: "ConfirmationRequired",
    });
  }
  const answer = await ctx.io.stdin.question(`${question} [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) {
    throw new CliError("not deleted", { code: "Cancelled" });
  }
}

export const deleteCommand = defineCommand<{ yes?: boolean }>({
  name: "delete",
  args: ["<name>"],
  summary: "delete a function (asks first unless --yes)",
  description:
    "Delete a function and its code. On a terminal it asks for confirmation; without a terminal " +
    "(scripts, CI) it refuses unless --yes is given.",
  options: [{ flags: "-y, --yes", description: "do not ask for confirmation" }],
  examples: ["vajra delete hello", "vajra delete hello --yes"],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra delete NAME");
    if (opts.yes !== true) await confirmDeletion(ctx, name, `Delete function ${name}?`);
    const client = await ctx.client();
    await client.json("DELETE", path(name));
    if (ctx.json) ctx.out.printJson({ deleted: name });
    else ctx.out.print(`${ctx.out.colors.green("✓")} Deleted function ${name}`);
  },
});
