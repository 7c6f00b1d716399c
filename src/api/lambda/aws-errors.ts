// AWS-shaped errors for the Lambda API: the `x-amzn-ErrorType` header and a JSON body whose message key
// is `Message` or `message` depending on the type (as recorded from real AWS, see LAMBDA-CONTRACT.md).

import type { FastifyReply } from "fastify";
import type { ErrorCode, VajraError } from "../../core/errors.js";

interface AwsError {
  status: number;
  type: string;
  /** Service-side failure (`Type: Service`) rather than the caller's. */
  service?: boolean;
}

const BY_CODE: Record<ErrorCode, AwsError> = {
  InvalidParameter: { status: 400, type: "InvalidParameterValueException" },
  ValidationFailed: { status: 400, type: "ValidationException" },
  SerializationFailed: { status: 400, type: "SerializationException" },
  UnknownRuntime: { status: 400, type: "InvalidParameterValueException" },
  RuntimeUnavailable: { status: 400, type: "InvalidParameterValueException" },
  InvalidCodePackage: { status: 400, type: "InvalidParameterValueException" },
  HandlerNotFound: { status: 400, type: "InvalidParameterValueException" },
  BuildFailed: { status: 400, type: "InvalidParameterValueException" },
  UnsupportedOperation: { status: 400, type: "UnsupportedOperationException" },
  CodePackageTooLarge: { status: 413, type: "RequestTooLargeException" },
  PayloadTooLarge: { status: 413, type: "RequestTooLargeException" },
  RequestTooLarge: { status: 413, type: "RequestTooLargeException" },
  FunctionNotFound: { status: 404, type: "ResourceNotFoundException" },
  NotFound: { status: 404, type: "ResourceNotFoundException" },
  NetworkNotFound: { status: 400, type: "InvalidParameterValueException" },
  NetworkInUse: { status: 409, type: "ResourceConflictException" },
  ScheduleNotFound: { status: 404, type: "ResourceNotFoundException" },
  BudgetNotFound: { status: 404, type: "ResourceNotFoundException" },
  // AWS has no budgets that throttle; a throttle is TooManyRequestsException, its Reason says why.
  BudgetExceeded: { status: 429, type: "TooManyRequestsException" },
  StorageTriggerNotFound: { status: 404, type: "ResourceNotFoundException" },
  RouteNotFound: { status: 404, type: "ResourceNotFoundException" },
  AlreadyExists: { status: 409, type: "ResourceConflictException" },
  PreconditionFailed: { status: 412, type: "PreconditionFailedException" },
  TooManyRequests: { status: 429, type: "TooManyRequestsException" },
  Unauthorized: { status: 403, type: "UnrecognizedClientException" },
  AccessDenied: { status: 403, type: "AccessDeniedException" },
  ShuttingDown: { status: 500, type: "ServiceException", service: true },
  SandboxUnavailable: { status: 500, type: "ServiceException", service: true },
  Internal: { status: 500, type: "ServiceException", service: true },
};

/** Types whose body uses `Message` (capital M) on real AWS; the others use `message`. */
const CAPITAL_MESSAGE = new Set(["ResourceNotFoundException", "ServiceException"]);

export function sendAwsError(
  reply: FastifyReply,
  type: string,
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
  service = false,
): FastifyReply {
  const key = CAPITAL_MESSAGE.has(type) ? "Message" : "message";
  return reply
    .code(status)
    .header("x-amzn-errortype", type)
    .header("content-type", "application/json")
    .send({ Type: service ? "Service" : "User", [key]: message, ...extra });
}

export function sendVajraErrorAsAws(reply: FastifyReply, err: VajraError): FastifyReply {
  const mapped = BY_CODE[err.code];
  const extra: Record<string, unknown> = {};
  if (err.code === "TooManyRequests") {
    reply.header("retry-after", "1");
    extra.Reason = err.details?.reason ?? "ConcurrentInvocationLimitExceeded";
  }
  if (err.code === "BudgetExceeded") extra.Reason = "BudgetExceeded";
  if (err.code === "UnsupportedOperation" && typeof err.details?.operation === "string")
    extra.Operation = err.details.operation;
  return sendAwsError(reply, mapped.type, mapped.status, err.message, extra, mapped.service === true);
}
