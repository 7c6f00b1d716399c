// The native REST API (what the CLI and console use): functions, invoke, logs, runtimes, health.
// Each handler maps HTTP to one Platform call and back; no decisions are made here.

import { incomingTraceContext, traceOption, validateTracingMode } from "../core/trace-context.js";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { VajraError, invalid } from "../core/errors.js";
import { loggingInput, nativeLoggingShape } from "../core/logging-config.js";
import { functionArn } from "../core/lambda-format.js";
import { arnScope, partitionOf } from "../core/arn-scope.js";
import { LIMITS } from "../core/limits.js";
import type { Alias, FunctionConfig, FunctionVersion } from "../core/types.js";
import type { AliasInput } from "../engine/versions.js";
import type { DeployInput, DeployOptions } from "../engine/deploy.js";
import type { Platform } from "../engine/platform.js";
import { sendError, toVajraError } from "./http-errors.js";
import { streamWork, wantsStream } from "./stream.js";
import { takeLogRetention } from "./logs-routes.js";

const MAX_DEPLOY_BODY = 80 * 1024 * 1024; // a 50 MB zip is ~67 MB of base64

type NameParams = { Params: { name: string } };
type AliasParams = { Params: { name: string; alias: string } };
type InvokeParams = NameParams & { Querystring: { qualifier?: string } };

function versionView(v: FunctionVersion): Record<string, unknown> {
  const c = v.config;
  return {
    version: v.version,
    codeSha256: c.codeSha256,
    runtime: c.runtime,
    handler: c.handler,
    memorySize: c.memorySize,
    timeout: c.timeout,
    description: v.description,
    lastModified: c.lastModified,
  };
}

function aliasView(a: Alias): Record<string, unknown> {
  return {
    name: a.name,
    arn: functionArn(a.functionName, a.name),
    functionVersion: a.functionVersion,
    description: a.description,
    routingConfig:
      a.additionalVersionWeights === null ? null : { additionalVersionWeights: a.additionalVersionWeights },
    revisionId: a.revisionId,
  };
}

function aliasBody(body: unknown, creating: boolean): AliasInput {
  if (typeof body !== "object" || body === null) throw invalid("request body must be a JSON object");
  const b = body as Record<string, unknown>;
  const input: AliasInput = { name: typeof b.name === "string" ? b.name : "" };
  if (typeof b.functionVersion === "string" || typeof b.functionVersion === "number")
    input.functionVersion = String(b.functionVersion);
  if (typeof b.description === "string") input.description = b.description;
  if (b.routingConfig !== undefined) {
    const rc: unknown = b.routingConfig;
    const weights: unknown =
      typeof rc === "object" && rc !== null
        ? (rc as Record<string, unknown>).additionalVersionWeights
        : undefined;
    input.additionalVersionWeights = (weights ?? null) as Record<string, number> | null; // checked by validateWeights
  } else if (creating) input.additionalVersionWeights = null;
  return input;
}

export function functionView(fn: FunctionConfig, warnings?: string[]): Record<string, unknown> {
  return {
    name: fn.name,
    arn: functionArn(fn.name),
    runtime: fn.runtime,
    handler: fn.handler,
    memorySize: fn.memorySize,
    timeout: fn.timeout,
    environment: fn.environment,
    description: fn.description,
    ephemeralStorage: fn.ephemeralStorage,
    logging: nativeLoggingShape(fn.name, fn.logging),
    tracing: fn.tracingMode ?? "PassThrough",
    network: fn.network ?? "none",
    // A function without a role runs as the built-in one (no permissions unless an operator creates it).
    role: fn.role ?? `arn:${partitionOf(arnScope().region)}:iam::${arnScope().account}:role/vajra-function`,
    reservedConcurrency: fn.reservedConcurrency,
    layers: (fn.layers ?? []).map((l) => ({ arn: l.arn, codeSize: l.codeSize })),
    tags: fn.tags ?? {},
    codeSha256: fn.codeSha256,
    codeSize: fn.codeSize,
    ...(fn.build === undefined
      ? {}
      : { build: { sourceSha256: fn.build.sourceSha256, sourceSize: fn.build.sourceSize } }),
    version: "$LATEST",
    revisionId: fn.revisionId,
    state: fn.state,
    lastModified: fn.lastModified,
    createdAt: fn.createdAt,
    ...(warnings !== undefined && warnings.length > 0 ? { warnings } : {}),
  };
}

const DEPLOY_FIELDS = new Set([
  "name",
  "runtime",
  "handler",
  "memorySize",
  "timeout",
  "environment",
  "description",
  "ephemeralStorage",
  "logging",
  "tracing",
  "network",
  "role",
  "reservedConcurrency",
  "layers",
  "tags",
  "zipFile",
]);

function parseDeploy(body: unknown): DeployInput {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("request body must be a JSON object");
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!DEPLOY_FIELDS.has(k))
      throw invalid(`unknown field '${k}'; allowed: ${[...DEPLOY_FIELDS].join(", ")}`);
  }
  const input: DeployInput = { name: b.name as string };
  for (const k of ["runtime", "handler", "description"] as const) {
    if (b[k] !== undefined) {
      if (typeof b[k] !== "string") throw invalid(`${k} must be a string`, { field: k });
      input[k] = b[k];
    }
  }
  for (const k of ["memorySize", "timeout", "ephemeralStorage"] as const) {
    if (b[k] !== undefined) input[k] = b[k] as number; // range and type checked in the engine
  }
  if (b.network !== undefined) input.network = b.network as string; // checked in the engine
  if (b.tracing !== undefined) input.tracingMode = validateTracingMode(b.tracing, "tracing");
  if (b.role !== undefined) {
    if (typeof b.role !== "string") throw invalid("role must be a role name or ARN", { field: "role" });
    input.role = b.role; // resolved (name -> ARN) and checked to exist in the engine
  }
  if (b.logging !== undefined) input.logging = loggingInput(b.logging); // values checked in the engine
  if (b.environment !== undefined) input.environment = b.environment as Record<string, string>;
  if (b.reservedConcurrency !== undefined) input.reservedConcurrency = b.reservedConcurrency as number | null;
  // Layer version ARNs and tags: checked in the engine (LayerCatalog.resolve, validateTags).
  if (b.layers !== undefined) input.layers = b.layers as string[];
  if (b.tags !== undefined) input.tags = b.tags as Record<string, string>;
  if (b.zipFile !== undefined) {
    if (typeof b.zipFile !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(b.zipFile)) {
      throw invalid("zipFile must be the base64 of a zip file", { field: "zipFile" });
    }
    input.zipFile = Buffer.from(b.zipFile, "base64");
  }
  return input;
}

export function registerNativeRoutes(app: FastifyInstance, platform: Platform, version: string): void {
  app.get("/health", () => ({
    status: "ok",
    version,
    isolation: { isolated: platform.isolated, warnings: platform.warnings },
    preinitPool: platform.sandboxPool ?? null,
  }));

  app.get("/runtimes", () => ({ runtimes: platform.runtimeRegistry.list() }));

  app.post<{ Params: { id: string } }>("/runtimes/:id/install", async (req, reply) => {
    if (wantsStream(req))
      return streamWork(reply, async (log) => ({
        status: 200,
        body: await platform.runtimeRegistry.install(req.params.id, (l) =>
          log(l.endsWith("\n") ? l : l + "\n"),
        ),
      }));
    return platform.runtimeRegistry.install(req.params.id);
  });

  app.get<NameParams & { Querystring: { qualifier?: string } }>("/functions/:name/build-log", async (req) => {
    const record = await platform.buildRecord(req.params.name, req.query.qualifier);
    if (record === undefined)
      throw new VajraError(
        "NotFound",
        `function ${req.params.name} runs its package as uploaded: there was no build, so there is no build log`,
      );
    const { key, log, ...rest } = record;
    return { buildKey: key, ...rest, log };
  });

  app.post<{ Querystring: { mode?: string } }>(
    "/functions",
    { bodyLimit: MAX_DEPLOY_BODY },
    async (req, reply) => {
      const retention = takeLogRetention(req.body);
      const input = parseDeploy(retention.body);
      // ?mode=create: refuse (409 AlreadyExists) instead of updating a function of that name.
      const mode = req.query.mode;
      if (mode !== undefined && mode !== "create" && mode !== "update" && mode !== "upsert")
        throw invalid(`mode must be create, update or upsert; got '${mode}'`, { field: "mode" });
      const opts: DeployOptions = mode === undefined ? {} : { mode };
      // Set once the deploy succeeded (a failed deploy changes nothing).
      const setRetention = async (): Promise<void> => {
        if (retention.days !== undefined) await platform.logEvents.setRetention(input.name, retention.days);
      };
      if (wantsStream(req)) {
        // A deploy that builds streams the build's output, then its result.
        return streamWork(reply, async (log) => {
          const result = await platform.deploy(input, { ...opts, onBuildLog: log });
          await setRetention();
          return { status: result.created ? 201 : 200, body: functionView(result.config, result.warnings) };
        });
      }
      const result = await platform.deploy(input, opts);
      await setRetention();
      return reply.code(result.created ? 201 : 200).send(functionView(result.config, result.warnings));
    },
  );

  app.get("/functions", () => ({ functions: platform.listFunctions().map((f) => functionView(f)) }));

  app.get<NameParams>("/functions/:name", (req) => ({
    ...functionView(platform.getFunction(req.params.name)),
    instances: platform.instanceCounts(req.params.name),
  }));

  app.delete<NameParams>("/functions/:name", async (req, reply) => {
    await platform.deleteFunction(req.params.name);
    return reply.code(204).send();
  });

  app.post<NameParams>("/functions/:name/versions", async (req, reply) => {
    const body = (req.body ?? {}) as { description?: unknown };
    if (body.description !== undefined && typeof body.description !== "string")
      throw invalid("description must be a string");
    const r = await platform.publishVersion(req.params.name, body.description);
    return reply.code(r.created ? 201 : 200).send(versionView(r.version));
  });

  app.get<NameParams>("/functions/:name/versions", (req) => {
    const latest = platform.getFunction(req.params.name);
    const versions = platform.listVersions(req.params.name).map(versionView);
    return {
      versions: [
        {
          ...versionView({
            functionName: latest.name,
            version: "$LATEST",
            config: latest,
            description: latest.description,
            createdAt: latest.createdAt,
          }),
        },
        ...versions,
      ],
    };
  });

  app.post<NameParams>("/functions/:name/aliases", async (req, reply) => {
    const alias = await platform.createAlias(req.params.name, aliasBody(req.body, true));
    return reply.code(201).send(aliasView(alias));
  });
  app.get<NameParams>("/functions/:name/aliases", (req) => ({
    aliases: platform.listAliases(req.params.name).map(aliasView),
  }));
  app.get<AliasParams>("/functions/:name/aliases/:alias", (req) =>
    aliasView(platform.getAlias(req.params.name, req.params.alias)),
  );
  app.put<AliasParams>("/functions/:name/aliases/:alias", async (req) => {
    const alias = await platform.updateAlias(req.params.name, {
      ...aliasBody(req.body, false),
      name: req.params.alias,
    });
    return aliasView(alias);
  });
  app.delete<AliasParams>("/functions/:name/aliases/:alias", async (req, reply) => {
    await platform.deleteAlias(req.params.name, req.params.alias);
    return reply.code(204).send();
  });

  // min instances = provisioned concurrency (on a version or alias), max = reserved concurrency.
  app.post<NameParams>("/functions/:name/scale", async (req) => {
    const b = (req.body ?? {}) as { min?: unknown; max?: unknown; qualifier?: unknown };
    const name = req.params.name;
    if (b.max !== undefined) {
      if (b.max !== null && typeof b.max !== "number")
        throw invalid("max must be a number or null", { field: "max" });
      await platform.deploy({ name, reservedConcurrency: b.max }, { mode: "update", checkHandler: false });
    }
    let qualifier = typeof b.qualifier === "string" ? b.qualifier : undefined;
    if (b.min !== undefined) {
      if (typeof b.min !== "number" || !Number.isInteger(b.min) || b.min < 0)
        throw invalid("min must be an integer of at least 0", { field: "min" });
      qualifier ??= platform.listVersions(name).at(-1)?.version;
      if (qualifier === undefined)
        throw invalid(
          "min instances apply to a published version or an alias: publish a version first (vajra versions publish NAME) or pass qualifier",
        );
      if (b.min === 0) {
        if (platform.getFunction(name).provisioned?.[qualifier] !== undefined)
          await platform.deleteProvisionedConcurrency(name, qualifier);
      } else await platform.putProvisionedConcurrency(name, qualifier, b.min);
    }
    return {
      reservedConcurrency: platform.getFunction(name).reservedConcurrency,
      provisioned: platform.listProvisioned(name),
    };
  });

  app.delete<NameParams>("/functions/:name/instances", (req, reply) => {
    platform.resetInstances(req.params.name);
    return reply.code(204).send();
  });

  // Invoke takes the payload as raw bytes whatever its content type: it is forwarded, never parsed.
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { bodyLimit: DRAIN_LIMIT }, (_req, payload, done) => {
      readPayload(payload, LIMITS.syncPayloadBytes).then(
        (body) => done(null, body),
        (err: unknown) => done(err as Error),
      );
    });
    scope.setErrorHandler((err, _req, reply) => sendError(reply, toVajraError(err)));
    scope.post<InvokeParams>("/functions/:name/invoke", invokeHandler(platform));
    done();
  });
}

/** Past this, an oversized body is no longer drained: the connection is cut. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

/**
 * Reads a payload up to `limit` bytes. A larger one is still read to its end (and dropped) so the
 * client, still sending, gets the 413 instead of a reset connection.
 */
function readPayload(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    stream.on("error", reject);
    stream.on("end", () => {
      if (size > limit) {
        reject(
          new VajraError(
            "PayloadTooLarge",
            `payload of ${size} bytes exceeds the ${limit}-byte limit for synchronous invocations`,
          ),
        );
      } else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
  });
}

function invokeHandler(platform: Platform) {
  return async function invoke(
    req: FastifyRequest<InvokeParams>,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const payload = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const invocationType = req.headers["x-vajra-invocation-type"];
    if (typeof invocationType === "string" && invocationType.toLowerCase() === "event") {
      const requestId = await platform.invokeAsync(
        req.params.name,
        payload,
        req.query.qualifier,
        incomingTraceContext(req.headers),
      );
      return reply.code(202).header("x-vajra-request-id", requestId).send({ requestId });
    }
    const logType = req.headers["x-vajra-log-type"];
    const out = await platform.invoke(req.params.name, payload, {
      ...(req.query.qualifier === undefined ? {} : { qualifier: req.query.qualifier }),
      logTail: typeof logType === "string" && logType.toLowerCase() === "tail",
      ...traceOption(req.headers),
    });
    const r = out.report;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-vajra-request-id": out.requestId,
      "x-vajra-executed-version": out.version,
      "x-vajra-duration-ms": r.durationMs.toFixed(2),
      "x-vajra-billed-duration-ms": String(r.billedDurationMs),
      "x-vajra-memory-size-mb": String(r.memorySizeMb),
      "x-vajra-max-memory-used-mb": String(r.maxMemoryUsedMb),
    };
    if (r.initDurationMs !== undefined) headers["x-vajra-init-duration-ms"] = r.initDurationMs.toFixed(2);
    if (!out.ok) headers["x-vajra-function-error"] = "Unhandled";
    if (out.logTail !== undefined) headers["x-vajra-log-result"] = out.logTail.toString("base64");
    return reply.code(200).headers(headers).send(out.body);
  };
}
