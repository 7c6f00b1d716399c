// The Lambda-compatible API (rest-json, SigV4) on the same server and port as the native API, so AWS
// SDKs, the AWS CLI and boto3 work unchanged. Every route maps one AWS operation onto the same Platform
// calls the native API uses; nothing here decides behaviour.

import { createHash, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { VajraError, invalid, isVajraError } from "../../core/errors.js";
import { arnScope, withArnScope } from "../../core/arn-scope.js";
import { functionArn } from "../../core/lambda-format.js";
import { LIMITS } from "../../core/limits.js";
import type { DeployInput } from "../../engine/deploy.js";
import { networkFromVpcConfig } from "./vpc-config.js";
import type { Platform } from "../../engine/platform.js";
import { toVajraError } from "../http-errors.js";
import { signedScope } from "../request-scope.js";
import { verifySigV4, type SigV4Credentials } from "../sigv4.js";
import { sendAwsError, sendVajraErrorAsAws } from "./aws-errors.js";
import { LAMBDA_PATH_PREFIXES, operationFor } from "./operations.js";
import {
  aliasConfiguration,
  codeSha256Base64,
  decodeMarker,
  encodeMarker,
  functionConfiguration,
  getFunctionResponse,
  versionConfiguration,
} from "./shapes.js";
import type { AliasInput } from "../../engine/versions.js";
import { parseFunctionName } from "./function-name.js";
import { codeZip } from "./code-input.js";
import { registerConfigRoutes } from "./config-routes.js";
import { registerLayerRoutes } from "./layer-routes.js";
import { registerMappingRoutes } from "./mapping-routes.js";
import { checkLambdaRequest } from "./check-request.js";
import {
  EXPIRED_TOKEN_MESSAGE,
  denialOf,
  securityToken,
  sessionAwareLookup,
  type CheckedSession,
} from "../session-auth.js";
import { resolveFunctionRef } from "./function-ref.js";
import { incomingTraceContext, traceOption, validateTracingMode } from "../../core/trace-context.js";
import { bodyJson, latestOnly, paginate, qualified, unsupported, type FnParams } from "./request.js";
import type { PublicAddress } from "../url-base.js";
import { acceptRawBodies } from "../raw-body.js";

/** CreateFunction carries a 50 MB zip as base64 inside JSON (~67 MB). */
const MAX_BODY = 70 * 1024 * 1024;

export interface LambdaApiOptions {
  platform: Platform;
  /** Finds an access key's secret for SigV4 (kept in memory: verification is synchronous). */
  lookupKey: (accessKeyId: string) => SigV4Credentials | undefined;
  /** The account an access key belongs to; the owner account unless the key was made for another. */
  accountOf: (accessKeyId: string) => string;
  /** The public listener's address, for the function URLs reported (empty when there is none). */
  publicAddress?: PublicAddress;
}

/** Routes a caller from another account may use, when the function's resource policy allows it. */
const CROSS_ACCOUNT_ROUTES = new Set([
  "/2015-03-31/functions/:fn/invocations",
  "/2014-11-13/functions/:fn/invoke-async",
]);

/** Answers a Lambda-API path no route matched: by operation name when the AWS model knows it. */
export function lambdaNotFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const op = operationFor(req.method, req.url);
  if (op === undefined) {
    return sendAwsError(
      reply,
      "UnknownOperationException",
      404,
      `No Lambda operation matches ${req.method} ${req.url.split("?")[0] ?? ""}`,
    );
  }
  return sendAwsError(
    reply,
    "UnsupportedOperationException",
    400,
    `Vajra does not implement the Lambda operation ${op} yet`,
    { Operation: op },
  );
}

export function isLambdaPath(url: string): boolean {
  return LAMBDA_PATH_PREFIXES.some((p) => url.startsWith(p));
}

function deployInput(name: string, b: Record<string, unknown>): DeployInput {
  const input: DeployInput = { name };
  const str = (k: string): string | undefined => {
    const v = b[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw invalid(`${k} must be a string`);
    return v;
  };
  const runtime = str("Runtime");
  if (runtime !== undefined) input.runtime = runtime;
  const handler = str("Handler");
  if (handler !== undefined) input.handler = handler;
  const description = str("Description");
  if (description !== undefined) input.description = description;
  const role = str("Role");
  if (role !== undefined) input.role = role;
  if (b.MemorySize !== undefined) input.memorySize = b.MemorySize as number;
  if (b.Timeout !== undefined) input.timeout = b.Timeout as number;
  const env = b.Environment as { Variables?: Record<string, string> } | undefined;
  if (env !== undefined) input.environment = env.Variables ?? {};
  if (b.TracingConfig !== undefined && b.TracingConfig !== null) {
    const mode = (b.TracingConfig as { Mode?: unknown }).Mode;
    if (mode !== undefined) input.tracingMode = validateTracingMode(mode);
  }
  const eph = b.EphemeralStorage as { Size?: number } | undefined;
  if (eph?.Size !== undefined) input.ephemeralStorage = eph.Size;
  const lc = b.LoggingConfig as Record<string, unknown> | undefined;
  if (lc !== undefined && lc !== null) {
    input.logging = {
      logFormat: lc.LogFormat ?? undefined,
      applicationLogLevel: lc.ApplicationLogLevel ?? undefined,
      systemLogLevel: lc.SystemLogLevel ?? undefined,
      logGroup: lc.LogGroup ?? undefined,
    };
  }
  if (b.PackageType !== undefined && b.PackageType !== "Zip")
    throw unsupported(`PackageType ${JSON.stringify(b.PackageType)}`);
  const arch = b.Architectures as string[] | undefined;
  if (arch !== undefined && (arch.length !== 1 || arch[0] !== "x86_64"))
    throw unsupported(`Architectures ${JSON.stringify(arch)}`);
  const network = networkFromVpcConfig(b.VpcConfig);
  if (network !== undefined) input.network = network;
  if (Array.isArray(b.FileSystemConfigs) && b.FileSystemConfigs.length > 0)
    throw unsupported("FileSystemConfigs");
  const dlc = b.DeadLetterConfig as { TargetArn?: unknown } | undefined;
  // An empty TargetArn (or none) removes the dead-letter target, as on AWS; the region checks the rest.
  if (dlc !== undefined)
    input.deadLetterTarget =
      dlc.TargetArn === undefined || dlc.TargetArn === "" ? null : (dlc.TargetArn as string);
  if (b.Layers !== undefined) {
    if (!Array.isArray(b.Layers) || !b.Layers.every((l) => typeof l === "string"))
      throw invalid("Layers must be a list of layer version ARNs");
    input.layers = b.Layers;
  }
  return input;
}

function aliasInput(b: Record<string, unknown>, creating: boolean): AliasInput {
  const input: AliasInput = { name: typeof b.Name === "string" ? b.Name : "" };
  if (typeof b.FunctionVersion === "string") input.functionVersion = b.FunctionVersion;
  if (typeof b.Description === "string") input.description = b.Description;
  if (b.RoutingConfig !== undefined) {
    const rc: unknown = b.RoutingConfig;
    const weights: unknown =
      typeof rc === "object" && rc !== null
        ? (rc as Record<string, unknown>).AdditionalVersionWeights
        : undefined;
    input.additionalVersionWeights = (weights ?? null) as Record<string, number> | null; // checked by validateWeights
  } else if (creating) input.additionalVersionWeights = null;
  return input;
}

export function registerLambdaApi(app: FastifyInstance, opts: LambdaApiOptions): void {
  const { platform } = opts;
  /** Requests signed with a function's role credentials, checked against its policy per operation. */
  const sessions = new WeakMap<FastifyRequest, CheckedSession>();
  void app.register((scope, _o, done) => {
    acceptRawBodies(scope, MAX_BODY);
    scope.setErrorHandler((err, req, reply) => {
      const e = isVajraError(err) ? err : toVajraError(err);
      if (!e.userError) req.log.error({ err }, "Lambda API request failed");
      if (e.details?.awsType === "InvalidRequestContentException")
        return sendAwsError(reply, "InvalidRequestContentException", 400, e.message);
      return sendVajraErrorAsAws(reply, e);
    });
    scope.addHook("onSend", (_req, reply, payload, next) => {
      if (!reply.hasHeader("x-amzn-requestid")) reply.header("x-amzn-requestid", randomUUID());
      next(null, payload);
    });
    // SigV4 covers the body, so it is verified once the raw body is read.
    scope.addHook("preValidation", (req, reply, next) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const q = req.url.indexOf("?");
      const keys = sessionAwareLookup(platform, opts.lookupKey, () => securityToken(req));
      const result = verifySigV4(
        {
          method: req.method,
          rawPath: q < 0 ? req.url : req.url.slice(0, q),
          rawQuery: q < 0 ? "" : req.url.slice(q + 1),
          headers: req.headers,
          bodySha256: createHash("sha256").update(raw).digest("hex"),
        },
        keys.lookup,
      );
      const session = keys.checked();
      if (!result.ok) {
        if (session?.ok === false && session.reason === "expired")
          sendAwsError(reply, "ExpiredTokenException", 403, EXPIRED_TOKEN_MESSAGE);
        else sendAwsError(reply, result.errorType, 403, result.message);
        return;
      }
      if (session?.ok === true) sessions.set(req, session);
      // ARNs in the answer (and in its errors) name the region the client signed for.
      const scope = signedScope(platform.arnScope, result.region);
      if (typeof scope === "string") {
        sendAwsError(reply, "InvalidParameterValueException", 400, scope);
        return;
      }
      const account = session?.ok === true ? session.session.account : opts.accountOf(result.accessKeyId);
      if (account !== scope.account) {
        // Another account's key: only invocations its resource policy allows (Lambda's AddPermission).
        const fn = (req.params as { fn?: string }).fn;
        const name = fn === undefined ? undefined : parseFunctionName(fn).name;
        const allowed =
          CROSS_ACCOUNT_ROUTES.has(req.routeOptions.url ?? "") &&
          name !== undefined &&
          platform.policyAllows(name, account, "lambda:InvokeFunction");
        if (!allowed) {
          const resource = name === undefined ? "this resource" : functionArn(name, undefined, scope.region);
          sendAwsError(
            reply,
            "AccessDeniedException",
            403,
            `User: arn:aws:iam::${account}:root is not authorized to perform this action on resource: ${resource} because no resource-based policy allows it`,
          );
          return;
        }
      }
      withArnScope(scope, next);
    });
    // Every request is checked against its operation's shape in the AWS model before its handler runs.
    scope.addHook("preHandler", (req, reply, next) => {
      let operation: string | undefined;
      try {
        operation = checkLambdaRequest(req);
      } catch (err) {
        next(err as Error);
        return;
      }
      const session = sessions.get(req);
      if (session !== undefined) {
        // A function's role credentials: the role's policy decides, per operation (IAM evaluation).
        const denied =
          operation === undefined
            ? "Session credentials may only call Lambda API operations"
            : denialOf(req, session, operation, arnScope().region);
        if (denied !== undefined) {
          sendAwsError(reply, "AccessDeniedException", 403, denied);
          return;
        }
      }
      next();
    });

    scope.post("/2015-03-31/functions", async (req, reply) => {
      const b = bodyJson(req);
      if (typeof b.FunctionName !== "string") throw invalid("FunctionName is required");
      const input = deployInput(resolveFunctionRef("CreateFunction", b.FunctionName).name, b);
      input.zipFile = await codeZip(platform, b.Code);
      if (b.Tags !== undefined) input.tags = b.Tags as Record<string, string>;
      const r = await platform.deploy(input, { mode: "create" });
      if (b.Publish === true) {
        return reply
          .code(201)
          .send(versionConfiguration((await platform.publishVersion(r.config.name)).version));
      }
      return reply.code(201).send(functionConfiguration(r.config));
    });

    scope.get<{ Querystring: { Marker?: string; MaxItems?: string } }>("/2015-03-31/functions", (req) => {
      const max = req.query.MaxItems === undefined ? 50 : Number(req.query.MaxItems);
      if (!Number.isInteger(max) || max < 1 || max > 10000)
        throw invalid("MaxItems must be an integer from 1 to 10000");
      const after = req.query.Marker === undefined ? undefined : decodeMarker(req.query.Marker);
      const all = platform.listFunctions().filter((f) => after === undefined || f.name > after);
      const page = all.slice(0, max);
      const out: Record<string, unknown> = { Functions: page.map((f) => functionConfiguration(f)) };
      if (all.length > max && page.length > 0)
        out.NextMarker = encodeMarker(page[page.length - 1]?.name ?? "");
      return out;
    });

    scope.get<FnParams>("/2015-03-31/functions/:fn", (req) => {
      const { name, qualifier } = qualified(req.params.fn, req.query.Qualifier);
      const r = platform.resolveFunction(name, qualifier);
      const host = req.headers.host ?? "127.0.0.1:8700";
      return getFunctionResponse(r.config, `http://${host}`, r.version);
    });

    scope.get<FnParams>("/2015-03-31/functions/:fn/configuration", (req) => {
      const { name, qualifier } = qualified(req.params.fn, req.query.Qualifier);
      const r = platform.resolveFunction(name, qualifier);
      return functionConfiguration(r.config, r.version);
    });

    scope.delete<FnParams>("/2015-03-31/functions/:fn", async (req, reply) => {
      const { name, qualifier } = qualified(req.params.fn, req.query.Qualifier);
      if (qualifier !== undefined && qualifier !== "$LATEST" && !/^[0-9]+$/.test(qualifier)) {
        throw invalid(`Qualifier '${qualifier}' is not a version: delete an alias with DeleteAlias`);
      }
      await platform.deleteFunction(name, qualifier);
      return reply.code(204).send();
    });

    scope.post<FnParams>("/2015-03-31/functions/:fn/versions", async (req, reply) => {
      const b = bodyJson(req);
      const name = latestOnly(req.params.fn);
      const fn = platform.getFunction(name);
      if (typeof b.RevisionId === "string" && b.RevisionId !== fn.revisionId) {
        throw new VajraError(
          "PreconditionFailed",
          "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
        );
      }
      const current = codeSha256Base64(fn.build?.sourceSha256 ?? fn.codeSha256);
      if (typeof b.CodeSha256 === "string" && b.CodeSha256 !== current) {
        throw invalid(
          `CodeSha256 (${b.CodeSha256}) is different from current CodeSha256 in $LATEST (${current}). Please try again with the CodeSha256 in $LATEST.`,
        );
      }
      const r = await platform.publishVersion(
        name,
        typeof b.Description === "string" ? b.Description : undefined,
      );
      return reply.code(201).send(versionConfiguration(r.version));
    });

    scope.get<FnParams & { Querystring: { Marker?: string; MaxItems?: string } }>(
      "/2015-03-31/functions/:fn/versions",
      (req) => {
        const name = latestOnly(req.params.fn);
        const all = [
          functionConfiguration(platform.getFunction(name)),
          ...platform.listVersions(name).map(versionConfiguration),
        ];
        return paginate(all, req.query.Marker, req.query.MaxItems, "Versions");
      },
    );

    type AliasParams = { Params: { fn: string; alias: string } };
    scope.post<FnParams>("/2015-03-31/functions/:fn/aliases", async (req, reply) => {
      const b = bodyJson(req);
      const alias = await platform.createAlias(latestOnly(req.params.fn), aliasInput(b, true));
      return reply.code(201).send(aliasConfiguration(alias));
    });
    scope.get<FnParams & { Querystring: { FunctionVersion?: string; Marker?: string; MaxItems?: string } }>(
      "/2015-03-31/functions/:fn/aliases",
      (req) => {
        const aliases = platform
          .listAliases(latestOnly(req.params.fn), req.query.FunctionVersion)
          .map(aliasConfiguration);
        return paginate(aliases, req.query.Marker, req.query.MaxItems, "Aliases");
      },
    );
    scope.get<AliasParams>("/2015-03-31/functions/:fn/aliases/:alias", (req) =>
      aliasConfiguration(platform.getAlias(latestOnly(req.params.fn), req.params.alias)),
    );
    scope.put<AliasParams>("/2015-03-31/functions/:fn/aliases/:alias", async (req) => {
      const b = bodyJson(req);
      const input = { ...aliasInput(b, false), name: req.params.alias };
      const alias = await platform.updateAlias(
        latestOnly(req.params.fn),
        input,
        typeof b.RevisionId === "string" ? b.RevisionId : undefined,
      );
      return aliasConfiguration(alias);
    });
    scope.delete<AliasParams>("/2015-03-31/functions/:fn/aliases/:alias", async (req, reply) => {
      await platform.deleteAlias(latestOnly(req.params.fn), req.params.alias);
      return reply.code(204).send();
    });

    scope.put<FnParams>("/2015-03-31/functions/:fn/configuration", async (req) => {
      const b = bodyJson(req);
      const name = latestOnly(req.params.fn);
      const input = deployInput(name, b);
      const opts =
        typeof b.RevisionId === "string"
          ? { mode: "update" as const, checkHandler: false, expectedRevisionId: b.RevisionId }
          : { mode: "update" as const, checkHandler: false };
      return functionConfiguration((await platform.deploy(input, opts)).config);
    });

    scope.put<FnParams>("/2015-03-31/functions/:fn/code", async (req) => {
      const b = bodyJson(req);
      const name = latestOnly(req.params.fn);
      if (b.DryRun === true) return functionConfiguration(platform.getFunction(name));
      const input: DeployInput = { name, zipFile: await codeZip(platform, b, "Code") };
      const opts =
        typeof b.RevisionId === "string"
          ? { mode: "update" as const, checkHandler: false, expectedRevisionId: b.RevisionId }
          : { mode: "update" as const, checkHandler: false };
      const updated = (await platform.deploy(input, opts)).config;
      // Publish: the new code becomes a version at once, and the answer describes that version.
      if (b.Publish === true) return versionConfiguration((await platform.publishVersion(name)).version);
      return functionConfiguration(updated);
    });

    scope.post<FnParams>("/2015-03-31/functions/:fn/invocations", (req, reply) =>
      invoke(platform, req, reply),
    );

    registerConfigRoutes(scope, platform, opts.publicAddress ?? {});
    registerLayerRoutes(scope, platform);
    registerMappingRoutes(scope, platform);

    // Legacy InvokeAsync: an Event invocation with the old response shape.
    scope.post<FnParams>("/2014-11-13/functions/:fn/invoke-async", async (req, reply) => {
      const { name } = parseFunctionName(req.params.fn);
      const requestId = await platform.invokeAsync(
        name,
        Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      );
      return reply.code(202).header("x-amzn-requestid", requestId).send({ Status: 202 });
    });

    scope.get("/2016-08-19/account-settings", () => {
      const fns = platform.listFunctions();
      return {
        AccountLimit: {
          TotalCodeSize: 80530636800,
          CodeSizeUnzipped: 262144000,
          CodeSizeZipped: 52428800,
          ConcurrentExecutions: platform.accountConcurrency,
          UnreservedConcurrentExecutions:
            platform.accountConcurrency - fns.reduce((n, f) => n + (f.reservedConcurrency ?? 0), 0),
        },
        AccountUsage: { TotalCodeSize: fns.reduce((n, f) => n + f.codeSize, 0), FunctionCount: fns.length },
      };
    });
    done();
  });
}

async function invoke(
  platform: Platform,
  req: FastifyRequest<FnParams>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const parsed = parseFunctionName(req.params.fn);
  const name = parsed.name;
  const q = req.query.Qualifier ?? parsed.qualifier;
  const payload = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (payload.length > LIMITS.syncPayloadBytes) {
    throw new VajraError(
      "PayloadTooLarge",
      `${payload.length} byte payload is too large for the RequestResponse invocation type (limit ${LIMITS.syncPayloadBytes} bytes)`,
    );
  }
  const type = header(req, "x-amz-invocation-type") ?? "RequestResponse";
  if (type === "DryRun") {
    return reply.code(204).header("x-amz-executed-version", platform.resolveFunction(name, q).version).send();
  }
  if (type === "Event") {
    const requestId = await platform.invokeAsync(name, payload, q, incomingTraceContext(req.headers));
    return reply.code(202).header("x-amzn-requestid", requestId).send();
  }
  if (type !== "RequestResponse")
    throw invalid(`Invalid invocation type '${type}': expected RequestResponse, Event or DryRun`);
  let clientContext: string | undefined;
  const cc = header(req, "x-amz-client-context");
  if (cc !== undefined) {
    if (cc.length > 3583) throw invalid("Client context must be at most 3583 bytes of base64");
    clientContext = Buffer.from(cc, "base64").toString("utf8");
    try {
      JSON.parse(clientContext);
    } catch {
      throw invalid("Client context must be base64-encoded JSON");
    }
  }
  const out = await platform.invoke(name, payload, {
    logTail: header(req, "x-amz-log-type") === "Tail",
    ...(q === undefined ? {} : { qualifier: q }),
    ...(clientContext === undefined ? {} : { clientContext }),
    ...traceOption(req.headers),
  });
  // The invocation's own id, as on Lambda: the one in START/END/REPORT and the handler's context.
  reply
    .code(200)
    .header("content-type", "application/json")
    .header("x-amzn-requestid", out.requestId)
    .header("x-amz-executed-version", out.version);
  if (!out.ok) reply.header("x-amz-function-error", "Unhandled");
  if (out.logTail !== undefined) reply.header("x-amz-log-result", out.logTail.toString("base64"));
  return reply.send(out.body);
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === "string" ? v : undefined;
}
