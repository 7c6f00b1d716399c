// `vajra invoke`: sends one event to a function and prints what it returned, or with --test measures a
// cold start followed by warm invocations. The function's output goes to stdout untouched, so
// `vajra invoke f | jq` works; everything else (log, errors) goes to stderr.

import { defineCommand } from "../command.js";
import type { CommandContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { intOption } from "../parse-options.js";
import { resolvePayload } from "../payload.js";
import { decodeBody, describeFunctionError, invokeOnce, type InvokeResult } from "./invocation.js";
import { runInvokeTest } from "./invoke-test.js";

interface InvokeOptions {
  payload?: string;
  log?: boolean;
  test?: boolean;
  runs?: number;
}

function printInvokeResult(ctx: CommandContext, result: InvokeResult): void {
  if (ctx.json) {
    const { body, ...rest } = result;
    ctx.out.printJson({ ...rest, payload: decodeBody(body) });
    return;
  }
  const text = result.body.toString("utf8");
  if (text !== "") ctx.out.printRaw(text.endsWith("\n") ? text : text + "\n");
  if (result.log !== undefined) ctx.out.note(ctx.out.errColors.dim(result.log.trimEnd()));
}

export const invokeCommand = defineCommand<InvokeOptions>({
  name: "invoke",
  args: ["<name>"],
  summary: "invoke a function and print its response",
  description:
    "Invoke a function synchronously and print its response on stdout. The event is --payload JSON, " +
    "--payload @file, --payload - (stdin), or piped stdin; otherwise {}. Exits 1 if the function fails.",
  options: [
    { flags: "--payload <json|@file|->", description: "the event: inline JSON, @file, or - for stdin" },
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
    "echo '{\"n\": 3}' | vajra invoke hello",
    "vajra invoke hello --test --runs 20",
  ],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra invoke NAME");
    if (opts.runs !== undefined && opts.test !== true)
      throw new UsageError("--runs only applies with --test");
    const payload = await resolvePayload(opts.payload, ctx.io.stdin);
    const client = await ctx.client();
    if (opts.test === true) {
      await runInvokeTest(ctx, client, name, payload, opts.runs ?? 5);
      return;
    }
    const result = await invokeOnce(client, name, payload, opts.log === true);
    printInvokeResult(ctx, result);
    if (result.functionError !== undefined) {
      throw new CliError(`function ${name} failed: ${describeFunctionError(result)}`, {
        code: result.functionError,
      });
    }
  },
});
