// Requests to HTTP routes on the public listener: the route table (memory) picks the route, the
// request becomes a payload format 1.0 or 2.0 event, and the function's result becomes the response,
// with API Gateway's answers when that fails (404 no route, 429 throttled, 502 function error).

import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { withArnScope } from "../core/arn-scope.js";
import { isVajraError } from "../core/errors.js";
import { fromFunctionResult, toHttpEvent } from "../core/http-event.js";
import { fromV1Result, toV1Event } from "../core/http-event-v1.js";
import { LIMITS } from "../core/limits.js";
import type { Platform } from "../engine/platform.js";
import type { LiveRoute } from "../engine/http-routes.js";
import { acceptRawBodies } from "./raw-body.js";

/** API Gateway's own answers: a JSON object with a `message`. */
function gatewayError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header("content-type", "application/json").send({ message });
}

interface Built {
  event: Record<string, unknown>;
}

function buildEvent(
  req: FastifyRequest,
  platform: Platform,
  route: LiveRoute,
  params: Record<string, string>,
  rawPath: string,
  rawQuery: string,
  body: Buffer,
  requestId: string,
): Built {
  const now = new Date();
  const domainName = req.headers.host ?? "127.0.0.1";
  const apiId = "vajra";
  const accountId = platform.arnScope.account;
  if (route.record.payloadFormat === "1.0") {
    const event = toV1Event({
      method: req.method,
      path: rawPath,
      rawQueryString: rawQuery,
      headers: req.headers,
      body,
      resource: route.parsed.method === undefined ? "$default" : route.parsed.path,
      pathParameters: params,
      sourceIp: req.ip,
      accountId,
      apiId,
      domainName,
      requestId,
      now,
    });
    return { event };
  }
  // Format 2.0 is the function URL event with the route's key, parameters and API identity.
  const event = toHttpEvent({
    method: req.method,
    rawPath,
    rawQueryString: rawQuery,
    headers: req.headers,
    body,
    sourceIp: req.ip,
    urlId: apiId,
    domainName,
    requestId,
    now,
  });
  event.routeKey = route.record.routeKey;
  if (Object.keys(params).length > 0) event.pathParameters = params;
  const ctx = event.requestContext as Record<string, unknown>;
  ctx.routeKey = route.record.routeKey;
  ctx.accountId = accountId;
  ctx.domainPrefix = domainName.split(".")[0] ?? domainName;
  return { event };
}

/** Serves every path not taken by a more specific public route (function URLs) from the route table. */
export function registerHttpRouteHandler(app: FastifyInstance, platform: Platform): void {
  void app.register((scope, _o, done) => {
    acceptRawBodies(scope, LIMITS.syncPayloadBytes);
    scope.setErrorHandler((err, req, reply) => {
      if ((err as { code?: string }).code === "FST_ERR_CTP_BODY_TOO_LARGE")
        return gatewayError(reply, 413, "Request Entity Too Large");
      req.log.error({ err }, "HTTP route failed");
      return gatewayError(reply, 500, "Internal Server Error");
    });
    const handle = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const q = req.url.indexOf("?");
      const rawPath = q < 0 ? req.url : req.url.slice(0, q);
      const rawQuery = q < 0 ? "" : req.url.slice(q + 1);
      const match = platform.routes.match(req.method, rawPath);
      if (match === undefined) return gatewayError(reply, 404, "Not Found");
      const { route, params } = match;
      const requestId = randomUUID();
      reply.header("apigw-requestid", requestId);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const { event } = buildEvent(req, platform, route, params, rawPath, rawQuery, body, requestId);
      const v1 = route.record.payloadFormat === "1.0";
      const failed = (): FastifyReply =>
        gatewayError(reply, 502, v1 ? "Internal server error" : "Internal Server Error");
      try {
        const qualifier = route.record.qualifier;
        const out = await withArnScope(platform.arnScope, () =>
          platform.invoke(route.record.functionName, Buffer.from(JSON.stringify(event)), {
            requestId,
            ...(qualifier === undefined ? {} : { qualifier }),
          }),
        );
        // The function failed: the integration's failure, answered as API Gateway does.
        if (!out.ok) return failed();
        if (v1) {
          const res = fromV1Result(out.body);
          if (res === undefined) return failed();
          for (const [k, v] of Object.entries(res.headers)) reply.header(k, v.length === 1 ? v[0] : v);
          return reply.code(res.statusCode).send(res.body);
        }
        const res = fromFunctionResult(out.body);
        for (const [k, v] of Object.entries(res.headers)) reply.header(k, v);
        if (res.cookies.length > 0) reply.header("set-cookie", res.cookies);
        return reply.code(res.statusCode).send(res.body);
      } catch (err) {
        if (isVajraError(err) && err.code === "TooManyRequests")
          return gatewayError(reply, 429, "Too Many Requests");
        // The route's function (or alias) is gone: the integration cannot be reached.
        if (isVajraError(err) && (err.code === "FunctionNotFound" || err.code === "InvalidParameter"))
          return gatewayError(reply, 500, "Internal Server Error");
        throw err;
      }
    };
    scope.all("/", handle);
    scope.all("/*", handle);
    done();
  });
}
