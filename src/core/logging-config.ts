// Lambda's LoggingConfig (log format, application and system log levels, log group): its shape, AWS's
// defaults and validation. Pure, so the engine, the API shapes and the executor agree on one meaning.

import { invalid } from "./errors.js";

export const LOG_FORMATS = ["Text", "JSON"] as const;
export const APPLICATION_LOG_LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;
export const SYSTEM_LOG_LEVELS = ["DEBUG", "INFO", "WARN"] as const;

export type LogFormat = (typeof LOG_FORMATS)[number];
export type ApplicationLogLevel = (typeof APPLICATION_LOG_LEVELS)[number];
export type SystemLogLevel = (typeof SYSTEM_LOG_LEVELS)[number];

/** What is stored in a function's configuration; absent means AWS's default (Text, `/aws/lambda/NAME`). */
export interface LoggingConfig {
  logFormat: LogFormat;
  /** Only with JSON (AWS refuses levels with Text); JSON without one means INFO. */
  applicationLogLevel?: ApplicationLogLevel;
  systemLogLevel?: SystemLogLevel;
  /** A log group other than `/aws/lambda/NAME`. */
  logGroup?: string;
}

/** A request's (partial) LoggingConfig; unset fields keep the function's current values. */
export interface LoggingConfigInput {
  logFormat?: unknown;
  applicationLogLevel?: unknown;
  systemLogLevel?: unknown;
  logGroup?: unknown;
}

/** What a sandbox and the platform lines follow: every field resolved. */
export interface EffectiveLogging {
  format: LogFormat;
  applicationLevel: ApplicationLogLevel;
  systemLevel: SystemLogLevel;
  logGroup: string;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`${field} must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}`, { field });
  }
  return value as T;
}

function validateLogGroup(value: unknown): string {
  // CloudWatch Logs' own rule for log group names.
  if (typeof value !== "string" || !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(value)) {
    throw invalid(
      `logGroup must be 1-512 characters of letters, digits and . - _ / #; got ${JSON.stringify(value)}`,
      { field: "logGroup" },
    );
  }
  return value;
}

/**
 * Merges a request's LoggingConfig into the current one, as UpdateFunctionConfiguration does. Levels are
 * refused with the Text format (AWS's InvalidParameterValueException); switching to Text drops them.
 */
export function resolveLoggingConfig(
  input: LoggingConfigInput,
  existing: LoggingConfig | undefined,
): LoggingConfig {
  const logFormat =
    input.logFormat === undefined
      ? (existing?.logFormat ?? "Text")
      : oneOf("logFormat", input.logFormat, LOG_FORMATS);
  const appLevel =
    input.applicationLogLevel === undefined
      ? undefined
      : oneOf("applicationLogLevel", input.applicationLogLevel, APPLICATION_LOG_LEVELS);
  const sysLevel =
    input.systemLogLevel === undefined
      ? undefined
      : oneOf("systemLogLevel", input.systemLogLevel, SYSTEM_LOG_LEVELS);
  const logGroup = input.logGroup === undefined ? existing?.logGroup : validateLogGroup(input.logGroup);
  if (logFormat === "Text" && (appLevel !== undefined || sysLevel !== undefined)) {
    const field = appLevel !== undefined ? "applicationLogLevel" : "systemLogLevel";
    throw invalid(
      `${field} can be set only when logFormat is JSON (ApplicationLogLevel and SystemLogLevel require LogFormat JSON)`,
      { field },
    );
  }
  const out: LoggingConfig = { logFormat };
  if (logFormat === "JSON") {
    out.applicationLogLevel = appLevel ?? existing?.applicationLogLevel ?? "INFO";
    out.systemLogLevel = sysLevel ?? existing?.systemLogLevel ?? "INFO";
  }
  if (logGroup !== undefined) out.logGroup = logGroup;
  return out;
}

/** Every field resolved with AWS's defaults. */
export function effectiveLogging(functionName: string, c: LoggingConfig | undefined): EffectiveLogging {
  return {
    format: c?.logFormat ?? "Text",
    applicationLevel: c?.applicationLogLevel ?? "INFO",
    systemLevel: c?.systemLogLevel ?? "INFO",
    logGroup: c?.logGroup ?? `/aws/lambda/${functionName}`,
  };
}

/** The Lambda API's `LoggingConfig` member, as GetFunctionConfiguration returns it. */
export function loggingConfigShape(
  functionName: string,
  c: LoggingConfig | undefined,
): Record<string, string> {
  const e = effectiveLogging(functionName, c);
  return e.format === "JSON"
    ? {
        LogFormat: "JSON",
        ApplicationLogLevel: e.applicationLevel,
        SystemLogLevel: e.systemLevel,
        LogGroup: e.logGroup,
      }
    : { LogFormat: "Text", LogGroup: e.logGroup };
}

/**
 * The variables Lambda sets in the sandbox: the managed runtimes' JSON logging follows them. With Text
 * AWS sets no level (runtimes then log everything as plain text).
 */
export function loggingEnvironment(e: EffectiveLogging): Record<string, string> {
  return e.format === "JSON"
    ? { AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: e.applicationLevel }
    : { AWS_LAMBDA_LOG_FORMAT: "Text" };
}

/** The native API's `logging` member: AWS's defaults filled in, levels only with JSON (as AWS reports). */
export function nativeLoggingShape(
  functionName: string,
  c: LoggingConfig | undefined,
): Record<string, string> {
  const e = effectiveLogging(functionName, c);
  return e.format === "JSON"
    ? {
        logFormat: e.format,
        applicationLogLevel: e.applicationLevel,
        systemLogLevel: e.systemLevel,
        logGroup: e.logGroup,
      }
    : { logFormat: e.format, logGroup: e.logGroup };
}

const INPUT_FIELDS = ["logFormat", "applicationLogLevel", "systemLogLevel", "logGroup"];

/** The native API's `logging` request member: an object of known fields (their values are checked later). */
export function loggingInput(value: unknown): LoggingConfigInput {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalid(`logging must be an object {${INPUT_FIELDS.join(", ")}}`, { field: "logging" });
  for (const k of Object.keys(value)) {
    if (!INPUT_FIELDS.includes(k)) throw invalid(`unknown field 'logging.${k}'`, { field: `logging.${k}` });
  }
  return value;
}
