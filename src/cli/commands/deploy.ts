// `vajra deploy`: packages a directory (or takes a .zip), fills in the runtime and handler when they
// can be guessed safely, and creates or updates the function with one POST /functions.

import { readFile, stat } from "node:fs/promises";
import type { DeployRequest, FunctionConfig, RuntimeInfo } from "../api-types.js";
import type { ApiClient } from "../client.js";
import { directorySource, zipSource, type CodeSource } from "../code-source.js";
import { defineCommand } from "../command.js";
import type { CommandContext } from "../context.js";
import { chooseRuntime, detectFamily, detectHandler, familyOfRuntime } from "../detect-runtime.js";
import { UsageError } from "../errors.js";
import { formatBytes } from "../output.js";
import { withProgress } from "../progress.js";
import { concurrencyOption, envOption, intOption } from "../parse-options.js";

interface DeployOptions {
  runtime?: string;
  handler?: string;
  memory?: number;
  timeout?: number;
  env?: Record<string, string>;
  description?: string;
  concurrency?: number | null;
  ephemeralStorage?: number;
  network?: string;
  role?: string;
  logRetentionDays?: number | null;
  logFormat?: string;
  logLevel?: string;
  systemLogLevel?: string;
  tracing?: string;
}

/** `json`/`text` in any case become Lambda's `JSON`/`Text`; other values go to the server, which names them. */
function logFormatOption(value: string): string {
  const v = value.toLowerCase();
  return v === "json" ? "JSON" : v === "text" ? "Text" : value;
}

const levelOption = (value: string): string => value.toUpperCase();

/** The `logging` member of the request, or nothing when no logging flag was given (the function keeps its own). */
function loggingRequest(opts: DeployOptions): DeployRequest["logging"] {
  if (opts.logFormat === undefined && opts.logLevel === undefined && opts.systemLogLevel === undefined)
    return undefined;
  return {
    ...(opts.logFormat === undefined ? {} : { logFormat: opts.logFormat }),
    ...(opts.logLevel === undefined ? {} : { applicationLogLevel: opts.logLevel }),
    ...(opts.systemLogLevel === undefined ? {} : { systemLogLevel: opts.systemLogLevel }),
  };
}

interface Package {
  zip: Buffer;
  code: CodeSource;
}

async function loadPackage(path: string): Promise<Package> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`${path} does not exist`);
  if (info.isDirectory()) {
    const { zipDirectory } = await import("../../blobs/zip-dir.js");
    return { zip: await zipDirectory(path), code: await directorySource(path) };
  }
  const zip = await readFile(path);
  // Zip files start with the local file header signature "PK\x03\x04" (or "PK\x05\x06" when empty).
  if (!path.toLowerCase().endsWith(".zip") && zip.subarray(0, 2).toString("latin1") !== "PK") {
    throw new UsageError(`${path} is neither a directory nor a .zip file`);
  }
  return { zip, code: await zipSource(zip, path) };
}

/** GET /functions/NAME, or undefined when there is no such function yet. */
async function findFunction(client: ApiClient, name: string): Promise<FunctionConfig | undefined> {
  const res = await client.request("GET", `/functions/${encodeURIComponent(name)}`);
  if (res.status === 404) return undefined;
  client.throwIfError(res);
  return JSON.parse(res.body.toString("utf8")) as FunctionConfig;
}

/**
 * Runtime and handler to send. A new function gets detected values for whatever was not given. An
 * existing one keeps its runtime and handler unless they are given (as UpdateFunctionCode does), so a
 * redeploy never silently switches the handler; only a change of language re-detects the handler.
 */
async function resolveRuntimeAndHandler(
  ctx: CommandContext,
  client: ApiClient,
  code: CodeSource,
  opts: DeployOptions,
  existing: FunctionConfig | undefined,
): Promise<{ runtime?: string; handler?: string }> {
  let runtime = opts.runtime;
  let handler = opts.handler;
  if (existing !== undefined) {
    const languageChanged =
      runtime !== undefined && familyOfRuntime(runtime) !== familyOfRuntime(existing.runtime);
    if (!languageChanged) return { runtime, handler };
  }
  const notes: string[] = [];
  if (runtime === undefined) {
    const { family, reason } = detectFamily(code.files, code.tree);
    const { runtimes } = await client.json<{ runtimes: RuntimeInfo[] }>("GET", "/runtimes");
    runtime = chooseRuntime(family, runtimes);
    notes.push(`runtime ${runtime} (${reason})`);
  }
  const family = familyOfRuntime(runtime);
  if (handler === undefined && family !== undefined) {
    const choice = await detectHandler(family, code);
    handler = choice.value;
    notes.push(`handler ${handler} (${choice.reason})`);
  }
  if (notes.length > 0 && !ctx.json) {
    ctx.out.note(`Detected ${notes.join(", ")}; override with --runtime / --handler.`);
  }
  return { runtime, handler };
}

export const deployCommand = defineCommand<DeployOptions>({
  name: "deploy",
  args: ["<name>", "<path>"],
  summary: "create or update a function from a directory or a .zip",
  description:
    "Create or update a function. PATH is a directory (zipped for you) or a .zip file. Without --runtime " +
    "and --handler, a new function gets them detected from its files (the choice is printed); an " +
    "existing function keeps its own unless given.",
  options: [
    {
      flags: "--runtime <id>",
      description: "runtime id, e.g. python3.12, nodejs20.x (see `vajra runtimes`)",
    },
    { flags: "--handler <handler>", description: "handler, e.g. app.handler or index.handler" },
    // Ranges are checked by the server (core/limits.ts), the one place that knows them.
    { flags: "--memory <MB>", description: "memory size in MB (default 128)", parse: intOption(1) },
    { flags: "--timeout <seconds>", description: "timeout in seconds (default 3)", parse: intOption(1) },
    { flags: "--env <KEY=VALUE>", description: "environment variable (repeatable)", parse: envOption },
    { flags: "--description <text>", description: "description of the function" },
    {
      flags: "--concurrency <n>",
      description: "reserved concurrency (`none` removes the reservation)",
      parse: concurrencyOption,
    },
    {
      flags: "--ephemeral-storage <MB>",
      description: "size of /tmp in MB (default 512)",
      parse: intOption(1),
    },
    {
      flags: "--log-format <text|json>",
      description:
        "log format: text (the default) or json (structured application logs and platform records)",
      parse: logFormatOption,
    },
    {
      flags: "--log-level <level>",
      description: "with json: lowest application log level kept (trace, debug, info, warn, error, fatal)",
      parse: levelOption,
    },
    {
      flags: "--system-log-level <level>",
      description: "with json: lowest platform record level kept (debug, info, warn)",
      parse: levelOption,
    },
    {
      flags: "--role <name|arn>",
      description: "execution role (vajra role create); its credentials are in the function's environment",
    },
    {
      flags: "--log-retention-days <days>",
      description:
        "days the function's log events are kept: 1, 3, 5, 7, 14, 30 (default), 60, 90, … or `never`",
      parse: (v: string): number | null => (v === "never" ? null : intOption(1)(v)),
    },
    {
      flags: "--tracing <mode>",
      description:
        "active (trace every invocation the caller did not decide on) or passthrough (the default: only when the caller's trace is sampled); needs a server with --otlp-endpoint",
    },
    {
      flags: "--network <mode>",
      description:
        "none (no network, the default), egress (outbound to public addresses only) or named networks (a,b; see vajra network)",
    },
  ],
  examples: [
    "vajra deploy hello ./hello",
    "vajra deploy api build/api.zip --runtime nodejs20.x --handler index.handler",
    "vajra deploy worker ./worker --memory 512 --timeout 60 --env STAGE=prod --env LOG_LEVEL=debug",
    "vajra deploy api ./api --log-format json --log-level info --system-log-level warn",
  ],
  async run(ctx, [name, path], opts) {
    if (name === undefined || path === undefined) throw new UsageError("usage: vajra deploy NAME PATH");
    const pkg = await loadPackage(path);
    const client = await ctx.client();
    const existing = await findFunction(client, name);
    const { runtime, handler } = await resolveRuntimeAndHandler(ctx, client, pkg.code, opts, existing);
    const body: DeployRequest = {
      name,
      runtime,
      handler,
      memorySize: opts.memory,
      timeout: opts.timeout,
      environment: opts.env,
      description: opts.description,
      ephemeralStorage: opts.ephemeralStorage,
      logging: loggingRequest(opts),
      network: opts.network,
      role: opts.role,
      tracing: opts.tracing,
      reservedConcurrency: opts.concurrency,
      ...(opts.logRetentionDays === undefined ? {} : { logRetentionDays: opts.logRetentionDays }),
      zipFile: pkg.zip.toString("base64"),
    };
    // Builds (Java, Go, Rust, dependencies) stream their log while the server works.
    const res = await withProgress(ctx, client, `Deploying ${name}`, "POST", "/functions", body);
    client.throwIfError(res);
    const config = JSON.parse(res.body.toString("utf8")) as FunctionConfig;
    if (ctx.json) {
      ctx.out.printJson(config);
      return;
    }
    const c = ctx.out.colors;
    const verb = res.status === 201 ? "Created" : "Updated";
    ctx.out.print(
      `${c.green("✓")} ${verb} function ${c.bold(config.name)}: ${config.runtime}, handler ${config.handler}, ` +
        `${config.memorySize} MB, code ${config.codeSha256.slice(0, 12)} (${formatBytes(config.codeSize)}` +
        `${config.build === undefined ? "" : `, built from ${config.build.sourceSha256.slice(0, 12)}`})`,
    );
    for (const warning of config.warnings ?? []) ctx.out.warn(warning);
  },
});
