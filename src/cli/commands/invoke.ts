// `vajra invoke`: sends one event to a function and prints what it returned, or with --test measures a
// cold start followed by warm invocations. The function's output goes to stdout untouched, so
// `vajra invoke f | jq` works; everything else (log, errors) goes to stderr.

import { defineCommand } from "../command.js";
import type { CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { intOption } from "../parse-options.js";
import { resolvePayload } from "../payload.js";
import { resolveQualifier } from "../qualifier.js";
import { decodeBody, describeFunctionError, invokeOnce, type InvokeResult } from "./invocation.js";
import { runInvokeTest } from "./invoke-test.js";

interface InvokeOptions {
  payload?: string;
  log?: boolean;
  test?: boolean;
  runs?: number;
  qualifier?: string;
}

function printInvokeResult(ctx: CommandContext, result: InvokeResult, qualified: string | undefined): void {
  if (ctx.json) {
    const { body, ...rest } = result;
    ctx.out.printJson({ ...rest, payload: decodeBody(body) });
    return;
  }
  const text = result.body.toString("utf8");
  if (text !== "") ctx.out.printRaw(text.endsWith("\n") ? text : text + "\n");
  // Which version an alias routed to is the point of naming one; without a qualifier it is $LATEST.
  if (qualified !== undefined && result.executedVersion !== undefined) {
    ctx.out.note(ctx.out.errColors.dim(`${qualified} ran version ${result.executedVersion}`));
  }
  if (result.log !== undefined) ctx.out.note(ctx.out.errColors.dim(result.log.trimEnd()));
}

export const invokeCommand = defineCommand<InvokeOptions>({
  name: "invoke",
  args: ["<name[:qualifier]>"],
  summary: "invoke a function and print its response",
  description:
    "Invoke a function synchronously and print its response on stdout. The event is --payload JSON, " +
    "--payload @file, --payload - (stdin), or piped stdin; otherwise {}. Exits 1 if the function fails. " +
    "NAME:QUALIFIER (or --qualifier) invokes a version or an alias instead of $LATEST.",
  options: [
    { flags: "--payload <json|@file|->", description: "the event: inline JSON, @file, or - for stdin" },
    {
      flags: "--qualifier <qualifier>",
      description: "a version number, $LATEST or an alias name (same as NAME:QUALIFIER)",
    },
    { flags: "--log", description: "print the invocation's log (last 4 KB) to stderr after the response" },
    { flags: "--test", description: "stop warm instances, then time one cold and --runs warm invocations" },
    {
      flags: "--runs <n>",
      description: "warm invocations in --test mode (default 5)",
      parse: intOption(1, 1000),
    },
  ],
  examples: [
    `vajra invoke hello --payload '{"name":"Ada"}'`,
    "vajra invoke hello --payload @event.json --log",
    "vajra invoke hello:live",
    "vajra invoke hello --qualifier 3",
    "echo '{\"n\": 3}' | vajra invoke hello",
    "vajra invoke hello --test --runs 20",
  ],
  async run(ctx, [target], opts) {
    if (target === undefined) throw new UsageError("usage: vajra invoke NAME[:QUALIFIER]");
    const { name, qualifier } = resolveQualifier(target, opts.qualifier);
    if (opts.runs !== undefined && opts.test !== true)
      throw new UsageError("--runs only applies with --test");
    const payload = await resolvePayload(opts.payload, ctx.io.stdin);
    const client = await ctx.client();
    if (opts.test === true) {
      await runInvokeTest(ctx, client, name, payload, opts.runs ?? 5, qualifier);
      return;
    }
    const result = await invokeOnce(client, name, payload, opts.log === true, qualifier);
    printInvokeResult(ctx, result, qualifier === undefined ? undefined : `${name}:${qualifier}`);
    if (result.functionError !== undefined) {
      throw new CliError(
        `function ${qualifier === undefined ? name : `${name}:${qualifier}`} failed: ${describeFunctionError(result)}`,
        {
          code: result.functionError,
        },
      );
    }
  },
});
