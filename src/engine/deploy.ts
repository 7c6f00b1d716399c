// Turns a deploy request into a new FunctionConfig: validates every field, checks the runtime is
// available, validates and stores the code package, and checks the handler's module is in it.
// Nothing here touches the function record: the caller commits the result in one store write, so
// a failure (or a crash) at any point leaves the previous version in place.

import { validateTracingMode } from "../core/trace-context.js";
import { createHash, randomUUID } from "node:crypto";
import { VajraError, invalid } from "../core/errors.js";
import { functionArn } from "../core/lambda-format.js";
import {
  LIMITS,
  validateDescription,
  validateEnvironment,
  validateEphemeralStorage,
  validateFunctionName,
  validateHandler,
  validateMemory,
  validateReservedConcurrency,
  validateTags,
  validateTimeout,
} from "../core/limits.js";
import { isDeprecated, resolveRuntimeId, runsBootstrap, type RuntimeFamily } from "../core/runtimes.js";
import {
  type FunctionBuild,
  type FunctionConfig,
  type FunctionLayer,
  type NetworkMode,
} from "../core/types.js";
import { inspectZip, type BlobStore } from "../blobs/code-package.js";
import { resolveLoggingConfig, type LoggingConfigInput } from "../core/logging-config.js";
import { planBuild, type PackageBuilder } from "./builds.js";
import type { RuntimeInfo } from "../executor/runtime-discovery.js";
import type { ConcurrencyGate } from "./concurrency.js";

export interface DeployInput {
  name: string;
  runtime?: string;
  handler?: string;
  memorySize?: number;
  timeout?: number;
  environment?: Record<string, string>;
  description?: string;
  ephemeralStorage?: number;
  /** Lambda's LoggingConfig, merged into the current one (partial updates keep the other fields). */
  logging?: LoggingConfigInput;
  /** TracingConfig.Mode (Active | PassThrough), checked here. */
  tracingMode?: string;
  /** `none`, `egress` or network names (`a,b`); null: the server's default. */
  network?: string | null;
  reservedConcurrency?: number | null;
  role?: string;
  tags?: Record<string, string>;
  /** Layer version ARNs, in order. */
  layers?: string[];
  /** DeadLetterConfig.TargetArn, checked by the region; null removes it. */
  deadLetterTarget?: string | null;
  zipFile?: Buffer;
}

export interface DeployOptions {
  /** "create" fails if the function exists, "update" if it does not; "upsert" (the default) does either. */
  mode?: "create" | "update" | "upsert";
  /** When set, the change applies only if the function's current RevisionId is this one. */
  expectedRevisionId?: string;
  /**
   * Check that the handler's module is in the package (default true). The Lambda API's update calls
   * skip it, as AWS does: code and handler are often changed in two steps.
   */
  checkHandler?: boolean;
  /** Receives the build's output as it runs, when the upload needs a build. */
  onBuildLog?: (text: string) => void;
}

export interface DeployResult {
  config: FunctionConfig;
  created: boolean;
  warnings: string[];
}

export interface DeployContext {
  blobs: BlobStore;
  runtimes: ReadonlyMap<string, RuntimeInfo>;
  gate: ConcurrencyGate;
  /** Digests stored but not yet committed; garbage collection must keep them. */
  pendingDigests: Set<string>;
  /** Checks layer version ARNs and pins their digests. */
  resolveLayers: (arns: unknown) => FunctionLayer[];
  builder: PackageBuilder;
  /** The network of a function created without one (the server's --default-network). */
  defaultNetwork: NetworkMode;
  /** Checks a `network` value (`none`, `egress` or existing network names) and normalises it. */
  checkNetwork: (value: unknown) => string;
}

/** Java handlers: `pkg.Class::method`, or `pkg.Class` for a RequestHandler / RequestStreamHandler. */
const JAVA_HANDLER = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*(::[A-Za-z_$][\w$]*)?$/;

function validateJavaHandler(value: string): string {
  if (value.length > 128 || !JAVA_HANDLER.test(value))
    throw invalid("a Java handler is 'package.Class::method' or 'package.Class' (a RequestHandler)", {
      field: "handler",
    });
  return value;
}

/** A custom runtime's handler is only passed on in `_HANDLER`: any non-blank string up to 128 characters. */
function validateCustomHandler(value: string): string {
  if (!/^\S{1,128}$/.test(value))
    throw invalid("handler must be 1-128 characters without spaces", { field: "handler" });
  return value;
}

const SOURCES: Record<string, string> = {
  go: "*.go files",
  rust: "a Cargo.toml crate",
  dotnet: "a *.csproj project",
};

/** Module files that can satisfy a handler's module part, per runtime family. */
function handlerModuleCandidates(
  family: RuntimeFamily,
  handler: string,
): { module: string; files: string[] } {
  const dot = handler.lastIndexOf(".");
  const modulePart = handler.slice(0, dot);
  if (family === "python") {
    const path = modulePart.replace(/\./g, "/");
    return { module: modulePart, files: [`${path}.py`, `${path}/__init__.py`, `${path}.pyc`] };
  }
  // Node.js: "dir/file.fn" or "file.obj.fn" — the module is up to the first dot after the last slash.
  const slash = handler.lastIndexOf("/");
  const firstDot = handler.indexOf(".", slash + 1);
  const path = handler.slice(0, firstDot);
  return { module: path, files: [".js", ".mjs", ".cjs"].map((ext) => path + ext) };
}

function checkHandlerModule(family: RuntimeFamily, handler: string, entries: readonly string[]): void {
  if (runsBootstrap(family)) {
    // The entry point is the package's executable `bootstrap` (built or prebuilt); the handler is its business.
    if (!entries.includes("bootstrap")) {
      const what =
        family === "provided"
          ? "a custom runtime (provided.*) needs"
          : `a ${family} package needs sources to build (${SOURCES[family]}) or`;
      throw new VajraError(
        "HandlerNotFound",
        `${what} an executable file named 'bootstrap' at the root of the package`,
        {
          details: { field: "zipFile" },
        },
      );
    }
    return;
  }
  if (family === "java") {
    // Classes may also come in jars, which are not looked into here; the shim reports a missing class at init.
    if (entries.some((e) => e.endsWith(".jar"))) return;
    const cls = handler.split("::")[0] ?? handler;
    const file = `${cls.replace(/\./g, "/")}.class`;
    if (!entries.includes(file))
      throw new VajraError(
        "HandlerNotFound",
        `handler '${handler}': class '${cls}' is not in the code package (looked for ${file} and for jars)`,
        { details: { field: "handler" } },
      );
    return;
  }
  const { module, files } = handlerModuleCandidates(family, handler);
  const present = new Set(entries);
  // Python extension modules (module.cpython-311-x86_64-linux-gnu.so) also satisfy an import.
  const ext =
    family === "python" &&
    entries.some((e) => e.startsWith(module.replace(/\./g, "/") + ".") && e.endsWith(".so"));
  if (!ext && !files.some((f) => present.has(f))) {
    throw new VajraError(
      "HandlerNotFound",
      `handler '${handler}': module '${module}' is not in the code package (looked for ${files.join(", ")})`,
      { details: { field: "handler" } },
    );
  }
}

export async function deployFunction(
  ctx: DeployContext,
  existing: FunctionConfig | undefined,
  input: DeployInput,
  opts: DeployOptions = {},
): Promise<DeployResult> {
  const name = validateFunctionName(input.name);
  if (opts.mode === "create" && existing !== undefined) {
    throw new VajraError("AlreadyExists", `Function already exist: ${name}`);
  }
  if (opts.mode === "update" && existing === undefined) {
    throw new VajraError("FunctionNotFound", `Function not found: ${functionArn(name)}`);
  }
  if (
    opts.expectedRevisionId !== undefined &&
    existing !== undefined &&
    opts.expectedRevisionId !== existing.revisionId
  ) {
    throw new VajraError(
      "PreconditionFailed",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    );
  }
  const warnings: string[] = [];
  if (existing === undefined) {
    if (input.runtime === undefined)
      throw invalid("runtime is required when creating a function", { field: "runtime" });
    // A bootstrap decides what its handler means; it may be left out.
    if (input.handler === undefined && !runsBootstrap(resolveRuntimeId(input.runtime).family))
      throw invalid("handler is required when creating a function", { field: "handler" });
    if (input.zipFile === undefined)
      throw invalid("code (zipFile) is required when creating a function", { field: "zipFile" });
  }
  const runtimeId =
    input.runtime === undefined ? (existing as FunctionConfig).runtime : resolveRuntimeId(input.runtime).id;
  const runtime = ctx.runtimes.get(runtimeId);
  if (runtime === undefined || !runtime.available) {
    throw new VajraError(
      "RuntimeUnavailable",
      `runtime ${runtimeId} is not available on this host: ${runtime?.reason ?? "not installed"}`,
      {
        details: { field: "runtime" },
      },
    );
  }
  if (isDeprecated(runtime.spec))
    warnings.push(
      `runtime ${runtimeId} is deprecated by AWS; it still runs here, but plan to move to a newer one`,
    );
  const family = runtime.spec.family;
  const handler =
    input.handler === undefined
      ? (existing?.handler ?? "bootstrap")
      : runsBootstrap(family)
        ? validateCustomHandler(input.handler)
        : family === "java"
          ? validateJavaHandler(input.handler)
          : validateHandler(input.handler);
  const memorySize =
    input.memorySize === undefined
      ? (existing?.memorySize ?? LIMITS.memoryDefaultMb)
      : validateMemory(input.memorySize);
  const timeout =
    input.timeout === undefined
      ? (existing?.timeout ?? LIMITS.timeoutDefaultSec)
      : validateTimeout(input.timeout);
  const ephemeralStorage =
    input.ephemeralStorage === undefined
      ? (existing?.ephemeralStorage ?? LIMITS.ephemeralDefaultMb)
      : validateEphemeralStorage(input.ephemeralStorage);
  const logging =
    input.logging === undefined ? existing?.logging : resolveLoggingConfig(input.logging, existing?.logging);
  const tracingMode =
    input.tracingMode === undefined ? existing?.tracingMode : validateTracingMode(input.tracingMode);
  const network =
    input.network === undefined
      ? (existing?.network ?? ctx.defaultNetwork)
      : // null (an empty VpcConfig) sets it back to the server's default.
        input.network === null
        ? ctx.defaultNetwork
        : ctx.checkNetwork(input.network);
  const environment =
    input.environment === undefined ? (existing?.environment ?? {}) : validateEnvironment(input.environment);
  const description =
    input.description === undefined ? (existing?.description ?? "") : validateDescription(input.description);
  const reservedConcurrency =
    input.reservedConcurrency === undefined
      ? (existing?.reservedConcurrency ?? null)
      : validateReservedConcurrency(input.reservedConcurrency, ctx.gate.accountLimit);
  ctx.gate.checkReservation(name, reservedConcurrency);

  let codeSha256: string;
  let codeSize: number;
  let build: FunctionBuild | undefined;
  if (input.zipFile !== undefined) {
    const zip = input.zipFile;
    // One walk checks the package and keeps the manifests a build plan reads.
    const inspection = await inspectZip(zip, {}, ["requirements.txt", "package.json"]);
    const plan = planBuild(runtime, inspection.entries, inspection.files);
    if (plan === undefined) {
      if (opts.checkHandler !== false) checkHandlerModule(family, handler, inspection.entries);
      const stored = await ctx.blobs.put(zip);
      ctx.pendingDigests.add(stored.sha256);
      await ctx.blobs.ensureUnpacked(stored.sha256);
      codeSha256 = stored.sha256;
      codeSize = stored.size;
    } else {
      const sourceSha256 = createHash("sha256").update(zip).digest("hex");
      const built = await ctx.builder.build(runtime, plan, zip, sourceSha256, opts.onBuildLog);
      if (opts.checkHandler !== false) {
        const builtEntries = (await inspectZip(await ctx.blobs.read(built.packageSha256))).entries;
        checkHandlerModule(family, handler, builtEntries);
      }
      codeSha256 = built.packageSha256;
      codeSize = built.packageSize;
      build = { key: built.key, sourceSha256, sourceSize: zip.length };
    }
  } else {
    const prev = existing as FunctionConfig;
    codeSha256 = prev.codeSha256;
    codeSize = prev.codeSize;
    build = prev.build;
    if (
      opts.checkHandler !== false &&
      (handler !== prev.handler || family !== resolveRuntimeId(prev.runtime).family)
    ) {
      // The code did not change, but what must be in it did: check against the stored package.
      const inspection = await inspectZip(await ctx.blobs.read(codeSha256));
      checkHandlerModule(family, handler, inspection.entries);
    }
  }
  const now = new Date().toISOString();
  const config: FunctionConfig = {
    name,
    runtime: runtimeId,
    handler,
    memorySize,
    timeout,
    environment,
    description,
    ephemeralStorage,
    ...(logging === undefined ? {} : { logging }),
    ...(tracingMode === undefined ? {} : { tracingMode }),
    network,
    reservedConcurrency,
    ...(input.role !== undefined
      ? { role: input.role }
      : existing?.role !== undefined
        ? { role: existing.role }
        : {}),
    codeSha256,
    codeSize,
    ...(build === undefined ? {} : { build }),
    revisionId: randomUUID(),
    state: "Active",
    lastModified: now,
    createdAt: existing?.createdAt ?? now,
    ...(input.tags !== undefined
      ? { tags: validateTags(input.tags) }
      : existing?.tags !== undefined
        ? { tags: existing.tags }
        : {}),
    ...(existing?.eventInvokeConfig === undefined ? {} : { eventInvokeConfig: existing.eventInvokeConfig }),
    ...(input.deadLetterTarget === undefined
      ? existing?.deadLetterTarget === undefined
        ? {}
        : { deadLetterTarget: existing.deadLetterTarget }
      : input.deadLetterTarget === null
        ? {}
        : { deadLetterTarget: input.deadLetterTarget }),
    ...(existing?.url === undefined ? {} : { url: existing.url }),
    ...(existing?.provisioned === undefined ? {} : { provisioned: existing.provisioned }),
    ...(existing?.policy === undefined ? {} : { policy: existing.policy }),
    ...(input.layers !== undefined
      ? input.layers.length === 0
        ? {}
        : { layers: ctx.resolveLayers(input.layers) }
      : existing?.layers === undefined
        ? {}
        : { layers: existing.layers }),
    // Version numbers are never reused, so the counter survives every change of $LATEST.
    ...(existing?.lastPublishedVersion === undefined
      ? {}
      : { lastPublishedVersion: existing.lastPublishedVersion }),
  };
  return { config, created: existing === undefined, warnings };
}
