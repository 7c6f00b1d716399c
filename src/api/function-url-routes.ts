// Requests to function URLs (`/url/{urlId}/...` on the same server): HTTP in, payload format 2.0 event
// to the function, its result back as HTTP, with the URL's AuthType (NONE or SigV4) and CORS settings.

import { traceOption } from "../core/trace-context.js";
import { createHash, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { withArnScope } from "../core/arn-scope.js";
import { isVajraError } from "../core/errors.js";
import { fromFunctionResult, toHttpEvent } from "../core/http-event.js";
import { LIMITS } from "../core/limits.js";
import type { CorsConfig } from "../core/types.js";
import type { Platform } from "../engine/platform.js";
import { verifySigV4, type SigV4Credentials } from "./sigv4.js";
import { acceptRawBodies } from "./raw-body.js";

export const URL_PREFIX = "/url/";

type UrlRequest = FastifyRequest<{ Params: { id: string; "*"?: string } }>;

function plain(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header("content-type", "application/json").send({ Message: message });
}

function originAllowed(cors: CorsConfig, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  const allowed = cors.allowOrigins ?? [];
  if (allowed.includes("*")) return cors.allowCredentials === true ? origin : "*";
  return allowed.includes(origin) ? origin : undefined;
}

/** Answers a CORS preflight; true when it did. */
function preflight(req: UrlRequest, reply: FastifyReply, cors: CorsConfig): boolean {
  if (req.method !== "OPTIONS" || req.headers["access-control-request-method"] === undefined) return false;
  const origin = originAllowed(cors, req.headers.origin);
  if (origin !== undefined) {
    reply.header("access-control-allow-origin", origin);
    reply.header("access-control-allow-methods", (cors.allowMethods ?? ["*"]).join(","));
    if (cors.allowHeaders !== undefined)
      reply.header("access-control-allow-headers", cors.allowHeaders.join(","));
    if (cors.allowCredentials === true) reply.header("access-control-allow-credentials", "true");
    if (cors.maxAge !== undefined) reply.header("access-control-max-age", String(cors.maxAge));
  }
  void reply.code(200).send();
  return true;
}

export function registerFunctionUrlRoutes(
  app: FastifyInstance,
  platform: Platform,
  lookupKey: (id: string) => SigV4Credentials | undefined,
): void {
  void app.register((scope, _o, done) => {
    acceptRawBodies(scope, LIMITS.syncPayloadBytes);
    scope.setErrorHandler((err, _req, reply) => {
      if ((err as { code?: string }).code === "FST_ERR_CTP_BODY_TOO_LARGE")
        return plain(reply, 413, "Request must be smaller than 6291456 bytes");
      return plain(reply, 500, "Internal Server Error");
    });
    const handle = async (req: UrlRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const target = platform.functionForUrl(req.params.id);
      if (target?.fn.url === undefined) return plain(reply, 404, "Not Found");
      const { fn, scope } = target;
      const url = target.fn.url;
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const q = req.url.indexOf("?");
      const rawPathFull = q < 0 ? req.url : req.url.slice(0, q);
      const rawQuery = q < 0 ? "" : req.url.slice(q + 1);
      if (url.authType === "AWS_IAM") {
        const auth = verifySigV4(
          {
            method: req.method,
            rawPath: rawPathFull,
            rawQuery,
            headers: req.headers,
            bodySha256: createHash("sha256").update(raw).digest("hex"),
          },
          lookupKey,
        );
        if (!auth.ok) return plain(reply, 403, "Forbidden");
      }
      if (url.cors !== undefined && preflight(req, reply, url.cors)) return reply;
      const rest = rawPathFull.slice(URL_PREFIX.length + url.urlId.length);
      // One id for the event's requestContext, the invocation (START/REPORT, context) and the answer.
      const requestId = randomUUID();
      const event = toHttpEvent({
        method: req.method,
        rawPath: rest === "" ? "/" : rest,
        rawQueryString: rawQuery,
        headers: req.headers,
        body: raw,
        sourceIp: req.ip,
        urlId: url.urlId,
        domainName: req.headers.host ?? "127.0.0.1",
        requestId,
        now: new Date(),
      });
      try {
        // The function's region names its ARNs, whatever region the server's own is.
        const out = await withArnScope(scope, () =>
          platform.invoke(fn.name, Buffer.from(JSON.stringify(event)), {
            requestId,
            trigger: "http",
            ...traceOption(req.headers),
          }),
        );
        if (url.cors !== undefined) {
          const origin = originAllowed(url.cors, req.headers.origin);
          if (origin !== undefined) {
            reply.header("access-control-allow-origin", origin);
            if (url.cors.allowCredentials === true) reply.header("access-control-allow-credentials", "true");
            if (url.cors.exposeHeaders !== undefined)
              reply.header("access-control-expose-headers", url.cors.exposeHeaders.join(","));
          }
        }
        reply.header("x-amzn-requestid", out.requestId);
        // A function error is the backend's failure: 502, as function URLs answer.
        if (!out.ok) return plain(reply, 502, "Internal Server Error");
        const res = fromFunctionResult(out.body);
        for (const [k, v] of Object.entries(res.headers)) reply.header(k, v);
        if (res.cookies.length > 0) reply.header("set-cookie", res.cookies);
        return reply.code(res.statusCode).send(res.body);
      } catch (err) {
        if (isVajraError(err) && err.code === "TooManyRequests") return plain(reply, 429, "Rate Exceeded.");
        if (isVajraError(err) && err.code === "FunctionNotFound") return plain(reply, 404, "Not Found");
        throw err;
      }
    };
    scope.all("/url/:id", handle);
    scope.all("/url/:id/*", handle);
    done();
  });
}
