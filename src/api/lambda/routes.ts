// The Lambda-compatible API (rest-json, SigV4) on the same server and port as the native API, so AWS
// SDKs, the AWS CLI and boto3 work unchanged. Every route maps one AWS operation onto the same Platform
// calls the native API uses; nothing here decides behaviour.

import { createHash, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { VajraError, invalid, isVajraError } from "../../core/errors.js";
import { functionArn } from "../../core/lambda-format.js";
import { LIMITS } from "../../core/limits.js";
import type { DeployInput } from "../../engine/deploy.js";
import type { Platform } from "../../engine/platform.js";
import { toVajraError } from "../http-errors.js";
import { verifySigV4, type SigV4Credentials } from "../sigv4.js";
import { sendAwsError, sendVajraErrorAsAws } from "./aws-errors.js";
import { LAMBDA_PATH_PREFIXES, operationFor } from "./operations.js";
import { decodeMarker, encodeMarker, functionConfiguration, getFunctionResponse } from "./shapes.js";
import { parseFunctionName } from "./function-name.js";

/** CreateFunction carries a 50 MB zip as base64 inside JSON (~67 MB). */
const MAX_BODY = 70 * 1024 * 1024;

type FnParams = { Params: { fn: string }; Querystring: { Qualifier?: string } };

export interface LambdaApiOptions {
  platform: Platform;
  /** Finds an access key's secret for SigV4 (kept in memory: verification is synchronous). */
  lookupKey: (accessKeyId: string) => SigV4Credentials | undefined;
}

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

function bodyJson(req: FastifyRequest): Record<string, unknown> {
  const raw = req.body as Buffer | undefined;
  if (raw === undefined || raw.length === 0) return {};
  try {
    const v: unknown = JSON.parse(raw.toString("utf8"));
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new VajraError(
    "InvalidParameter",
    "Could not parse request body into json: the body must be a JSON object",
    {
      details: { awsType: "InvalidRequestContentException" },
    },
  );
}

function unsupported(what: string): VajraError {
  return new VajraError("UnsupportedOperation", `${what} is not supported by Vajra yet`);
}

/** Maps the CreateFunction/UpdateFunctionConfiguration members Vajra implements onto a DeployInput. */
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
  const eph = b.EphemeralStorage as { Size?: number } | undefined;
  if (eph?.Size !== undefined) input.ephemeralStorage = eph.Size;
  if (b.PackageType !== undefined && b.PackageType !== "Zip")
    throw unsupported(`PackageType ${JSON.stringify(b.PackageType)}`);
  const arch = b.Architectures as string[] | undefined;
  if (arch !== undefined && (arch.length !== 1 || arch[0] !== "x86_64"))
    throw unsupported(`Architectures ${JSON.stringify(arch)}`);
  for (const k of ["Layers", "FileSystemConfigs"]) {
    if (Array.isArray(b[k]) && (b[k] as unknown[]).length > 0) throw unsupported(k);
  }
  if (b.Tags !== undefined && Object.keys(b.Tags as object).length > 0) throw unsupported("Tags");
  if (b.Publish === true) throw unsupported("Publish (versions)");
  return input;
}

function codeZip(code: unknown): Buffer {
  const c = (code ?? {}) as Record<string, unknown>;
  if (typeof c.ZipFile === "string") return Buffer.from(c.ZipFile, "base64");
  if (c.S3Bucket !== undefined || c.ImageUri !== undefined)
    throw unsupported("Code from S3 or a container image");
  throw invalid("Code.ZipFile is required: the base64 of a zip file");
}

export function registerLambdaApi(app: FastifyInstance, opts: LambdaApiOptions): void {
  const { platform } = opts;
  void app.register((scope, _o, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: MAX_BODY }, (_req, body, next) =>
      next(null, body),
    );
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
      const result = verifySigV4(
        {
          method: req.method,
          rawPath: q < 0 ? req.url : req.url.slice(0, q),
          rawQuery: q < 0 ? "" : req.url.slice(q + 1),
          headers: req.headers,
          bodySha256: createHash("sha256").update(raw).digest("hex"),
        },
        opts.lookupKey,
      );
      if (!result.ok) {
        sendAwsError(reply, result.errorType, 403, result.message);
        return;
      }
      next();
    });

    scope.post("/2015-03-31/functions", async (req, reply) => {
      const b = bodyJson(req);
      if (typeof b.FunctionName !== "string") throw invalid("FunctionName is required");
      const input = deployInput(parseFunctionName(b.FunctionName).name, b);
      input.zipFile = codeZip(b.Code);
      const r = await platform.deploy(input, { mode: "create" });
      return reply.code(201).send(functionConfiguration(r.config));
    });

    scope.get<{ Querystring: { Marker?: string; MaxItems?: string } }>("/2015-03-31/functions", (req) => {
      const max = req.query.MaxItems === undefined ? 50 : Number(req.query.MaxItems);
      if (!Number.isInteger(max) || max < 1 || max > 10000)
        throw invalid("MaxItems must be an integer from 1 to 10000");
      const after = req.query.Marker === undefined ? undefined : decodeMarker(req.query.Marker);
      const all = platform.listFunctions().filter((f) => after === undefined || f.name > after);
      const page = all.slice(0, max);
      const out: Record<string, unknown> = { Functions: page.map(functionConfiguration) };
      if (all.length > max && page.length > 0)
        out.NextMarker = encodeMarker(page[page.length - 1]?.name ?? "");
      return out;
    });

    const latestOnly = (fn: string, qualifier: string | undefined): string => {
      const parsed = parseFunctionName(fn);
      const q = qualifier ?? parsed.qualifier;
      if (q !== undefined && q !== "$LATEST") {
        // Versions and aliases are not implemented yet: nothing but $LATEST exists.
        platform.getFunction(parsed.name);
        throw new VajraError("FunctionNotFound", `Function not found: ${functionArn(parsed.name, q)}`);
      }
      return parsed.name;
    };

    scope.get<FnParams>("/2015-03-31/functions/:fn", (req) => {
      const name = latestOnly(req.params.fn, req.query.Qualifier);
      const host = req.headers.host ?? "127.0.0.1:8700";
      return getFunctionResponse(platform.getFunction(name), `http://${host}`);
    });

    scope.get<FnParams>("/2015-03-31/functions/:fn/configuration", (req) =>
      functionConfiguration(platform.getFunction(latestOnly(req.params.fn, req.query.Qualifier))),
    );

    scope.delete<FnParams>("/2015-03-31/functions/:fn", async (req, reply) => {
      const { name, qualifier } = parseFunctionName(req.params.fn);
      const q = req.query.Qualifier ?? qualifier;
      if (q !== undefined && q !== "$LATEST") throw unsupported("Deleting a single version");
      await platform.deleteFunction(name);
      return reply.code(204).send();
    });

    scope.put<FnParams>("/2015-03-31/functions/:fn/configuration", async (req) => {
      const b = bodyJson(req);
      const name = latestOnly(req.params.fn, undefined);
      const input = deployInput(name, b);
      const opts =
        typeof b.RevisionId === "string"
          ? { mode: "update" as const, checkHandler: false, expectedRevisionId: b.RevisionId }
          : { mode: "update" as const, checkHandler: false };
      return functionConfiguration((await platform.deploy(input, opts)).config);
    });

    scope.put<FnParams>("/2015-03-31/functions/:fn/code", async (req) => {
      const b = bodyJson(req);
      const name = latestOnly(req.params.fn, undefined);
      if (b.Publish === true) throw unsupported("Publish (versions)");
      if (b.DryRun === true) return functionConfiguration(platform.getFunction(name));
      const input: DeployInput = { name, zipFile: codeZip(b) };
      const opts =
        typeof b.RevisionId === "string"
          ? { mode: "update" as const, checkHandler: false, expectedRevisionId: b.RevisionId }
          : { mode: "update" as const, checkHandler: false };
      return functionConfiguration((await platform.deploy(input, opts)).config);
    });

    scope.post<FnParams>("/2015-03-31/functions/:fn/invocations", (req, reply) =>
      invoke(platform, req, reply),
    );

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
  const { name, qualifier } = parseFunctionName(req.params.fn);
  const q = req.query.Qualifier ?? qualifier;
  const fn = platform.getFunction(name);
  if (q !== undefined && q !== "$LATEST") {
    throw new VajraError("FunctionNotFound", `Function not found: ${functionArn(fn.name, q)}`);
  }
  const payload = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (payload.length > LIMITS.syncPayloadBytes) {
    throw new VajraError(
      "PayloadTooLarge",
      `${payload.length} byte payload is too large for the RequestResponse invocation type (limit ${LIMITS.syncPayloadBytes} bytes)`,
    );
  }
  const type = header(req, "x-amz-invocation-type") ?? "RequestResponse";
  if (type === "DryRun") return reply.code(204).header("x-amz-executed-version", "$LATEST").send();
  if (type === "Event") {
    const requestId = await platform.invokeAsync(name, payload);
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
    ...(clientContext === undefined ? {} : { clientContext }),
  });
  reply.code(200).header("content-type", "application/json").header("x-amz-executed-version", out.version);
  if (!out.ok) reply.header("x-amz-function-error", "Unhandled");
  if (out.logTail !== undefined) reply.header("x-amz-log-result", out.logTail.toString("base64"));
  return reply.send(out.body);
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === "string" ? v : undefined;
}
