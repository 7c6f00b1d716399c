// Commands are data: each module exports CommandSpecs (name, arguments, options, examples, run) and
// main.ts turns them into commander commands in one place, the way wrangler's createCommand does. That
// keeps parsing, global options and error handling out of the commands themselves.

import { Option, type Command } from "commander";
import type { CommandContext } from "./context.js";

export interface OptionSpec {
  /** Commander flag syntax, e.g. `--memory <MB>`. */
  flags: string;
  description: string;
  /** Converts (and validates) the raw value; for repeatable options it receives the previous value. */
  parse?: (value: string, previous: never) => unknown;
  defaultValue?: unknown;
}

export interface CommandSpec<Opts = Record<string, never>> {
  name: string;
  /** Positional arguments in commander syntax: `<name>` required, `[dir]` optional. */
  args?: string[];
  summary: string;
  /** Longer help text shown by `vajra <command> --help`. */
  description?: string;
  options?: OptionSpec[];
  examples?: string[];
  run(ctx: CommandContext, args: string[], opts: Opts): Promise<void>;
}

/** Erases the options type so specs of different commands fit in one list. */
export type AnyCommandSpec = CommandSpec<never>;

export function defineCommand<Opts>(spec: CommandSpec<Opts>): AnyCommandSpec {
  // `run` is declared as a method, so a spec with any options type fits the erased one as is.
  return spec;
}

/** Adds one spec to the program; `makeContext` builds the context from the parsed global options. */
export function registerCommand(
  program: Command,
  spec: AnyCommandSpec,
  makeContext: (command: Command) => CommandContext,
): Command {
  const cmd = program
    .command(spec.name)
    .summary(spec.summary)
    .description(spec.description ?? spec.summary);
  for (const arg of spec.args ?? []) cmd.argument(arg);
  for (const o of spec.options ?? []) {
    const option = new Option(o.flags, o.description);
    if (o.parse !== undefined) option.argParser(o.parse as (value: string, previous: unknown) => unknown);
    if (o.defaultValue !== undefined) option.default(o.defaultValue);
    cmd.addOption(option);
  }
  if (spec.examples !== undefined && spec.examples.length > 0) {
    cmd.addHelpText("after", `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join("\n")}\n`);
  }
  cmd.action(async (...params: unknown[]) => {
    // Commander passes the declared arguments, then the options object, then the command itself.
    const command = params[params.length - 1] as Command;
    const args = command.processedArgs as Array<string | undefined>;
    // The option values were produced by the spec's own parsers, so their types match `Opts`.
    await spec.run(
      makeContext(command),
      args.filter((a): a is string => a !== undefined),
      command.opts<never>(),
    );
  });
  return cmd;
}
