// The API edge's mapping from error codes to HTTP: the status of each catalog code, and the
// native JSON error body `{ "error": { "code", "message" } }`.

import type { FastifyReply } from "fastify";
import { VajraError, isVajraError, type ErrorCode } from "../core/errors.js";

export const HTTP_STATUS: Record<ErrorCode, number> = {
  InvalidParameter: 400,
  ValidationFailed: 400,
  SerializationFailed: 400,
  UnknownRuntime: 400,
  RuntimeUnavailable: 400,
  InvalidCodePackage: 400,
  CodePackageTooLarge: 413,
  HandlerNotFound: 400,
  BuildFailed: 400,
  FunctionNotFound: 404,
  ScheduleNotFound: 404,
  BudgetNotFound: 404,
  BudgetExceeded: 429,
  StorageTriggerNotFound: 404,
  RouteNotFound: 404,
  AlreadyExists: 409,
  PreconditionFailed: 412,
  UnsupportedOperation: 400,
  PayloadTooLarge: 413,
  RequestTooLarge: 413,
  TooManyRequests: 429,
  Unauthorized: 401,
  AccessDenied: 403,
  NotFound: 404,
  NetworkNotFound: 404,
  NetworkInUse: 409,
  ShuttingDown: 503,
  SandboxUnavailable: 500,
  Internal: 500,
};

/** Normalises anything thrown into a VajraError (fastify's own errors included). */
export function toVajraError(err: unknown): VajraError {
  if (isVajraError(err)) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return new VajraError("RequestTooLarge", "request body is too large");
  if (
    e.code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
    e.code === "FST_ERR_CTP_EMPTY_JSON_BODY" ||
    (e.statusCode === 400 && e.message !== undefined)
  ) {
    return new VajraError("InvalidParameter", `invalid request: ${e.message ?? "bad body"}`);
  }
  if (e.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
    return new VajraError("InvalidParameter", `unsupported content type: ${e.message ?? ""}`);
  return new VajraError("Internal", e.message ?? "internal error", { cause: err });
}

/** The native API's error body. */
export function errorBody(err: VajraError): { error: Record<string, unknown> } {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
    },
  };
}

export function sendError(reply: FastifyReply, err: VajraError): FastifyReply {
  if (err.code === "TooManyRequests") reply.header("retry-after", "1");
  return reply.code(HTTP_STATUS[err.code]).send(errorBody(err));
}
