// Commands are data: each module exports CommandSpecs (name, arguments, options, examples, run) and
// main.ts turns them into commander commands in one place, the way wrangler's createCommand does. That
// keeps parsing, global options and error handling out of the commands themselves.

import { Help, Option, type Command } from "commander";
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

/** A noun with verbs under it (`vajra alias create ...`): a commander command holding subcommands. */
export interface CommandGroupSpec {
  name: string;
  summary: string;
  description?: string;
  commands: AnyCommandSpec[];
  examples?: string[];
}

/** What `vajra --help` lists: a command, or a group of them. */
export type ProgramEntry = AnyCommandSpec | CommandGroupSpec;

export function defineGroup(spec: CommandGroupSpec): CommandGroupSpec {
  return spec;
}

function isGroup(entry: ProgramEntry): entry is CommandGroupSpec {
  return "commands" in entry;
}

/**
 * What every command accepts besides its own options. The program parses its options only before the
 * command name (positional options), so that a command may own a flag the program also has (`alias
 * create --version 3` is not `vajra --version`); each command therefore carries hidden copies of the
 * global options, which keeps `vajra list --json` working, and `-v, --version` unless it has its own.
 */
export interface Inherited {
  options: OptionSpec[];
  version: string;
}

function longFlag(flags: string): string | undefined {
  return /--[\w-]+/.exec(flags)?.[0];
}

function addOption(cmd: Command, o: OptionSpec, hidden = false): void {
  const option = new Option(o.flags, o.description);
  if (o.parse !== undefined) option.argParser(o.parse as (value: string, previous: unknown) => unknown);
  if (o.defaultValue !== undefined) option.default(o.defaultValue);
  if (hidden) option.hideHelp();
  cmd.addOption(option);
}

function addInherited(cmd: Command, own: OptionSpec[], inherited: Inherited): void {
  const taken = new Set(own.map((o) => longFlag(o.flags)));
  for (const o of inherited.options) if (!taken.has(longFlag(o.flags))) addOption(cmd, o, true);
  if (!taken.has("--version")) {
    cmd.version(inherited.version, "-v, --version", "print the version");
    cmd.options.find((o) => o.long === "--version")?.hideHelp();
    return;
  }
  // Here --version is the command's own; listing the program's under "Global Options" would mislead.
  cmd.configureHelp({
    ...cmd.configureHelp(),
    visibleGlobalOptions(this: Help, c: Command) {
      return Help.prototype.visibleGlobalOptions.call(this, c).filter((o) => o.long !== "--version");
    },
  });
}

function addExamples(cmd: Command, examples: string[] | undefined): void {
  if (examples !== undefined && examples.length > 0) {
    cmd.addHelpText("after", `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\n`);
  }
}

/** Adds one spec (or group) to the program; `makeContext` builds the context from the parsed options. */
export function registerCommand(
  program: Command,
  entry: ProgramEntry,
  makeContext: (command: Command) => CommandContext,
  inherited: Inherited,
): Command {
  const cmd = program
    .command(entry.name)
    .summary(entry.summary)
    .description(entry.description ?? entry.summary);
  if (isGroup(entry)) {
    addInherited(cmd, [], inherited);
    addExamples(cmd, entry.examples);
    for (const sub of entry.commands) registerCommand(cmd, sub, makeContext, inherited);
    return cmd;
  }
  const spec = entry;
  for (const arg of spec.args ?? []) cmd.argument(arg);
  for (const o of spec.options ?? []) addOption(cmd, o);
  addInherited(cmd, spec.options ?? [], inherited);
  addExamples(cmd, spec.examples);
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
