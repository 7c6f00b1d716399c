// Limits and validation of function configuration. AWS's values where the mission does not ask for
// more (memory up to 32 GB, timeout up to 60 minutes); every message names the field and the range.

import { parseDestination } from "./destination.js";
import { invalid } from "./errors.js";

export const LIMITS = {
  memoryMinMb: 128,
  memoryMaxMb: 32768,
  memoryDefaultMb: 128,
  timeoutMinSec: 1,
  timeoutMaxSec: 3600,
  timeoutDefaultSec: 3,
  ephemeralMinMb: 512,
  ephemeralMaxMb: 10240,
  ephemeralDefaultMb: 512,
  envTotalBytes: 4096,
  syncPayloadBytes: 6 * 1024 * 1024,
  syncResponseBytes: 6 * 1024 * 1024,
  nameMaxLength: 64,
  descriptionMaxLength: 256,
  handlerMaxLength: 128,
  accountConcurrencyDefault: 1000,
  /** Bytes of log returned with a Tail invocation (`X-Amz-Log-Result`). */
  logTailBytes: 4096,
  /** Bytes of log kept per invocation; the rest is cut with a marker. */
  logKeepBytes: 256 * 1024,
} as const;

const NAME_RE = /^[a-zA-Z0-9_-]+$/;
const ENV_KEY_RE = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const HANDLER_RE = /^[^\s]+$/;

/** Variables the platform sets; a function may not override them (as in Lambda). */
export const RESERVED_ENV = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

export function validateFunctionName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0) throw invalid("name is required");
  if (name.length > LIMITS.nameMaxLength || !NAME_RE.test(name)) {
    throw invalid(
      `invalid function name '${name}': use 1-${LIMITS.nameMaxLength} characters from a-z, A-Z, 0-9, '-' and '_'`,
      { field: "name" },
    );
  }
  return name;
}

function integerIn(field: string, value: unknown, min: number, max: number, unit: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer from ${min} to ${max} ${unit}; got ${JSON.stringify(value)}`, {
      field,
      min,
      max,
    });
  }
  return value;
}

export function validateMemory(value: unknown): number {
  return integerIn("memorySize", value, LIMITS.memoryMinMb, LIMITS.memoryMaxMb, "MB");
}

export function validateTimeout(value: unknown): number {
  return integerIn("timeout", value, LIMITS.timeoutMinSec, LIMITS.timeoutMaxSec, "seconds");
}

export function validateEphemeralStorage(value: unknown): number {
  return integerIn("ephemeralStorage", value, LIMITS.ephemeralMinMb, LIMITS.ephemeralMaxMb, "MB");
}

export function validateReservedConcurrency(value: unknown, accountLimit: number): number | null {
  if (value === null) return null;
  return integerIn("reservedConcurrency", value, 0, accountLimit, "instances");
}

export function validateHandler(value: unknown): string {
  if (typeof value !== "string" || value.length === 0 || value.length > LIMITS.handlerMaxLength) {
    throw invalid(`handler must be a non-empty string of at most ${LIMITS.handlerMaxLength} characters`, {
      field: "handler",
    });
  }
  if (!HANDLER_RE.test(value) || !value.includes(".")) {
    throw invalid(`invalid handler '${value}': expected 'module.function' (e.g. app.handler)`, {
      field: "handler",
    });
  }
  return value;
}

export function validateDescription(value: unknown): string {
  if (typeof value !== "string" || value.length > LIMITS.descriptionMaxLength) {
    throw invalid(`description must be a string of at most ${LIMITS.descriptionMaxLength} characters`, {
      field: "description",
    });
  }
  return value;
}

/**
 * Event invoke config: retries 0–2, maximum age 60 s–6 h, destinations in a form Vajra delivers to
 * (core/destination.ts; that a function destination exists is the engine's check).
 */
export function validateEventInvokeConfig(v: {
  maximumRetryAttempts?: unknown;
  maximumEventAgeInSeconds?: unknown;
  onSuccess?: unknown;
  onFailure?: unknown;
}): void {
  if (v.maximumRetryAttempts !== undefined)
    integerIn("MaximumRetryAttempts", v.maximumRetryAttempts, 0, 2, "retries");
  if (v.maximumEventAgeInSeconds !== undefined)
    integerIn("MaximumEventAgeInSeconds", v.maximumEventAgeInSeconds, 60, 21600, "seconds");
  for (const [field, arn] of [
    ["OnSuccess", v.onSuccess],
    ["OnFailure", v.onFailure],
  ] as const) {
    if (arn !== undefined) parseDestination(arn, `DestinationConfig.${field}.Destination`);
  }
}

/** Lambda's tag rules: at most 50, keys 1–128 characters not starting with "aws:", values up to 256. */
export function validateTags(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalid("Tags must be an object of string values", { field: "tags" });
  const entries = Object.entries(value);
  if (entries.length > 50)
    throw invalid(`a function can have at most 50 tags; got ${entries.length}`, { field: "tags" });
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 128 || k.toLowerCase().startsWith("aws:")) {
      throw invalid(`invalid tag key '${k}': 1-128 characters, not starting with 'aws:'`, { field: "tags" });
    }
    if (typeof v !== "string" || v.length > 256)
      throw invalid(`tag '${k}' must have a string value of at most 256 characters`, { field: "tags" });
  }
  return Object.fromEntries(entries);
}

export function validateEnvironment(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("environment must be an object of string values", { field: "environment" });
  }
  const out: Record<string, string> = {};
  let total = 0;
  for (const [key, v] of Object.entries(value)) {
    if (!ENV_KEY_RE.test(key)) {
      throw invalid(
        `invalid environment variable name '${key}': use letters, digits and '_', starting with a letter`,
        {
          field: "environment",
        },
      );
    }
    if (RESERVED_ENV.has(key)) {
      throw invalid(`environment variable '${key}' is reserved by the platform and cannot be set`, {
        field: "environment",
      });
    }
    if (typeof v !== "string") {
      throw invalid(`environment variable '${key}' must be a string`, { field: "environment" });
    }
    total += Buffer.byteLength(key) + Buffer.byteLength(v);
    out[key] = v;
  }
  if (total > LIMITS.envTotalBytes) {
    throw invalid(`environment variables total ${total} bytes; the limit is ${LIMITS.envTotalBytes} bytes`, {
      field: "environment",
    });
  }
  return out;
}
