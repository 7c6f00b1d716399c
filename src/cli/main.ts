// Entry point of the `vajra` command line: builds the commander program from the command specs, wires
// the global options, and turns every failure into `error: ...` on stderr with exit code 1 (or 2 for
// bad usage). bin/vajra.js calls `main(process.argv)`; tests call `run(argv, io)` with a fake io.

import { inspect } from "node:util";
import { Command, CommanderError } from "commander";
import { banner } from "./banner.js";
import { registerCommand, type OptionSpec, type ProgramEntry } from "./command.js";
import { createContext, processIo, type CliIo, type GlobalOptions } from "./context.js";
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./errors.js";
import { Output } from "./output.js";
import { deployCommand } from "./commands/deploy.js";
import { doctorCommand } from "./commands/doctor.js";
import { aliasGroup } from "./commands/aliases.js";
import { deleteCommand, infoCommand, listCommand } from "./commands/functions.js";
import { logsCommand } from "./commands/logs.js";
import { invokeCommand } from "./commands/invoke.js";
import { metricsCommand } from "./commands/metrics.js";
import { costCommand, pricesGroup } from "./commands/cost.js";
import { recommendCommand } from "./commands/recommend.js";
import { keysGroup } from "./commands/keys.js";
import { networkGroup } from "./commands/network.js";
import { roleGroup } from "./commands/roles.js";
import { scaleCommand } from "./commands/scale.js";
import { urlGroup } from "./commands/url.js";
import { scheduleGroup } from "./commands/schedules.js";
import { budgetGroup } from "./commands/budgets.js";
import { routeGroup } from "./commands/routes.js";
import { triggerGroup } from "./commands/triggers.js";
import { storageTriggerGroup } from "./commands/storage-triggers.js";
import { runtimesCommand } from "./commands/runtimes.js";
import { serverCommand } from "./commands/server.js";
import { versionsGroup } from "./commands/versions.js";
import { cliVersion } from "./version.js";

/** In the order `vajra --help` lists them. */
export const COMMANDS: ProgramEntry[] = [
  serverCommand,
  deployCommand,
  invokeCommand,
  listCommand,
  infoCommand,
  logsCommand,
  metricsCommand,
  costCommand,
  pricesGroup,
  recommendCommand,
  deleteCommand,
  versionsGroup,
  aliasGroup,
  keysGroup,
  networkGroup,
  roleGroup,
  scaleCommand,
  urlGroup,
  scheduleGroup,
  routeGroup,
  budgetGroup,
  triggerGroup,
  storageTriggerGroup,
  runtimesCommand,
  doctorCommand,
];

const HELP_FOOTER = `
Environment:
  VAJRA_ENDPOINT   server URL (default http://127.0.0.1:8700, or the port in VAJRA_PORT)
  VAJRA_DATA_DIR   data directory, where the admin key is read from (default ~/.vajra)
  VAJRA_API_KEY    API key (overrides <data-dir>/admin-key)
  VAJRA_PORT       port for \`vajra server\`
  NO_COLOR         disable colors

Exit codes: 0 success, 1 failure (API error, function error), 2 bad usage.
Run \`vajra <command> --help\` for a command's options and examples.
`;

/** Accepted before or after the command (`vajra --json list`, `vajra list --json`). */
const GLOBAL_OPTIONS: OptionSpec[] = [
  {
    flags: "--endpoint <url>",
    description: "server URL (env VAJRA_ENDPOINT, default http://127.0.0.1:8700)",
  },
  {
    flags: "--data-dir <dir>",
    description: "data directory holding the admin key (env VAJRA_DATA_DIR, default ~/.vajra)",
  },
  { flags: "--json", description: "machine-readable output: one JSON document on stdout" },
];

export function buildProgram(io: CliIo, options: { showBanner: boolean }): Command {
  const program = new Command("vajra");
  const helpColors = new Output({ stdout: io.stdout, stderr: io.stderr, env: io.env, json: false });
  program
    .description("Vajra: a self-hosted serverless platform that speaks AWS Lambda")
    .version(cliVersion(), "-v, --version", "print the version")
    // Program options end at the command name; commands carry hidden copies (see registerCommand).
    .enablePositionalOptions()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error:/, helpColors.errColors.red("error:"))),
    })
    .showHelpAfterError("(add --help for usage)")
    // Throw instead of calling process.exit, so `run` decides the exit code (2 for usage errors).
    .exitOverride();
  if (options.showBanner) program.addHelpText("before", () => banner(helpColors.colors, cliVersion()));
  program.addHelpText("after", HELP_FOOTER);

  const makeContext = (command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const out = new Output({
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env,
      json: globals.json === true,
    });
    return createContext(io, out, globals);
  };
  for (const o of GLOBAL_OPTIONS) program.option(o.flags, o.description);
  const inherited = { options: GLOBAL_OPTIONS, version: cliVersion() };
  for (const entry of COMMANDS) registerCommand(program, entry, makeContext, inherited);
  return program;
}

/** Runs the CLI and returns the exit code. `argv` is process.argv-shaped: [node, script, ...args]. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const json = argv.includes("--json");
  // The banner is decoration for people: never in pipes or machine output.
  const program = buildProgram(io, { showBanner: io.stdout.isTTY === true && !json });
  const errors = new Output({ stdout: io.stdout, stderr: io.stderr, env: io.env, json });
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT_OK;
  }
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (err) {
    return reportError(err, errors, io.env);
  }
}

function reportError(err: unknown, out: Output, env: NodeJS.ProcessEnv): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help / version text).
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof CliError) {
    out.error(err.message, err.code);
    if (env.VAJRA_DEBUG !== undefined && err.cause !== undefined) out.note(inspect(err.cause));
    return err.exitCode;
  }
  const error = err instanceof Error ? err : new Error(String(err));
  out.error(error.message, (error as NodeJS.ErrnoException).code);
  if (env.VAJRA_DEBUG !== undefined && error.stack !== undefined) out.note(error.stack);
  return EXIT_FAILURE;
}

export async function main(argv: string[]): Promise<void> {
  // `vajra list | head -1`: the reader went away; stop quietly like other Unix tools instead of crashing.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? EXIT_OK);
    throw err;
  });
  // Set the exit code rather than calling process.exit, so buffered stdout (a pipe) is fully flushed.
  process.exitCode = await run(argv, processIo());
}
