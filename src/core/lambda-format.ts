// Pure formatting of Lambda's observable strings: ARNs, log stream names, the START/END/REPORT lines,
// billing arithmetic. Kept here so the executor, engine and API print exactly the same shapes.

import { arnScope, partitionOf } from "./arn-scope.js";
import type { InvocationReport } from "./types.js";
import type { LogFormat, SystemLogLevel } from "./logging-config.js";

export { DEFAULT_ACCOUNT, DEFAULT_REGION } from "./arn-scope.js";

/** A function's ARN in the current request's region and account unless told otherwise. */
export function functionArn(
  name: string,
  qualifier?: string,
  region = arnScope().region,
  account = arnScope().account,
): string {
  const base = `arn:${partitionOf(region)}:lambda:${region}:${account}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

/** A layer's ARN (without version) in the current request's region and account. */
export function layerArn(name: string, region = arnScope().region, account = arnScope().account): string {
  return `arn:${partitionOf(region)}:lambda:${region}:${account}:layer:${name}`;
}

/** The IAM root user of the current account, as Lambda and STS name it. */
export function accountRootArn(account = arnScope().account): string {
  return `arn:${partitionOf(arnScope().region)}:iam::${account}:root`;
}

/** Lambda bills in 1 ms steps, rounding the duration up. */
export function billedDuration(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** `YYYY/MM/DD/[VERSION]hex`, one stream per instance, as Lambda names them. */
export function logStreamName(version: string, instanceHex: string, now = new Date()): string {
  const y = now.getUTCFullYear();
  const m = String(now.getUTCMonth() + 1).padStart(2, "0");
  const d = String(now.getUTCDate()).padStart(2, "0");
  return `${y}/${m}/${d}/[${version}]${instanceHex}`;
}

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}\n`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}\n`;
}

export function reportLine(requestId: string, r: InvocationReport): string {
  let line =
    `REPORT RequestId: ${requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${r.billedDurationMs} ms\tMemory Size: ${r.memorySizeMb} MB\t` +
    `Max Memory Used: ${r.maxMemoryUsedMb} MB`;
  if (r.initDurationMs !== undefined) line += `\tInit Duration: ${r.initDurationMs.toFixed(2)} ms`;
  return line + "\n";
}

/** How a function's platform lines are written: its LoggingConfig's format and system log level. */
export interface PlatformLogStyle {
  format: LogFormat;
  systemLevel: SystemLogLevel;
}

/** Text with every line: what a function without LoggingConfig gets. */
export const TEXT_PLATFORM_LOG: PlatformLogStyle = { format: "Text", systemLevel: "INFO" };

/** The outcome a `platform.report` carries, as the Telemetry API names it. */
export type PlatformStatus = "success" | "error" | "failure" | "timeout";

/** Maps an invocation's error type (none: success) to its platform status. */
export function platformStatus(errorType: string | undefined): PlatformStatus {
  if (errorType === undefined) return "success";
  if (errorType === "Sandbox.Timedout") return "timeout";
  // Runtime and sandbox failures are the platform's view of a crash; anything else the function raised.
  return errorType.startsWith("Runtime.") || errorType.startsWith("Sandbox.") ? "failure" : "error";
}

const SYSTEM_RANK: Record<SystemLogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2 };

/** A platform record of `level` is written only if the function's SystemLogLevel lets it through. */
function passes(style: PlatformLogStyle, level: SystemLogLevel): boolean {
  return SYSTEM_RANK[level] >= SYSTEM_RANK[style.systemLevel];
}

function platformRecord(type: string, record: Record<string, unknown>, now: Date): string {
  return JSON.stringify({ time: now.toISOString(), type, record }) + "\n";
}

/** What an environment's INIT_START names: its runtime version and how it was initialised. */
export interface InitInfo {
  /** `family:major.vN`, like AWS's `python:3.12.v18`. */
  runtimeVersion: string;
  runtimeVersionArn: string;
  initializationType: "on-demand" | "provisioned-concurrency";
  functionName: string;
  functionVersion: string;
}

/**
 * INIT_START, the first line of a new execution environment, or in JSON mode `platform.initStart`
 * (INFO) followed by nothing else: `platform.initRuntimeDone` is DEBUG and written once init ends.
 */
export function platformInitStart(
  info: InitInfo,
  style: PlatformLogStyle = TEXT_PLATFORM_LOG,
  now = new Date(),
): string {
  if (style.format === "Text")
    return `INIT_START Runtime Version: ${info.runtimeVersion}\tRuntime Version ARN: ${info.runtimeVersionArn}\n`;
  if (!passes(style, "INFO")) return "";
  return platformRecord("platform.initStart", { ...info, phase: "init" }, now);
}

/** START, or in JSON mode `platform.start` (INFO). */
export function platformStart(
  requestId: string,
  version: string,
  style: PlatformLogStyle = TEXT_PLATFORM_LOG,
  now = new Date(),
): string {
  if (style.format === "Text") return startLine(requestId, version);
  return passes(style, "INFO") ? platformRecord("platform.start", { requestId, version }, now) : "";
}

/** END, or in JSON mode `platform.runtimeDone`, which AWS logs at DEBUG only. */
export function platformEnd(
  requestId: string,
  status: PlatformStatus,
  durationMs: number,
  style: PlatformLogStyle = TEXT_PLATFORM_LOG,
  now = new Date(),
): string {
  if (style.format === "Text") return endLine(requestId);
  if (!passes(style, "DEBUG")) return "";
  return platformRecord(
    "platform.runtimeDone",
    { requestId, status, metrics: { durationMs: round2(durationMs) } },
    now,
  );
}

/** REPORT, or in JSON mode `platform.report` (INFO) with its metrics and status. */
export function platformReport(
  requestId: string,
  r: InvocationReport,
  status: PlatformStatus,
  style: PlatformLogStyle = TEXT_PLATFORM_LOG,
  errorType?: string,
  now = new Date(),
): string {
  if (style.format === "Text") return reportLine(requestId, r);
  if (!passes(style, "INFO")) return "";
  const metrics: Record<string, number> = {
    durationMs: round2(r.durationMs),
    billedDurationMs: r.billedDurationMs,
    memorySizeMB: r.memorySizeMb,
    maxMemoryUsedMB: r.maxMemoryUsedMb,
  };
  if (r.initDurationMs !== undefined) metrics.initDurationMs = round2(r.initDurationMs);
  const record: Record<string, unknown> = { requestId, metrics, status };
  if (status !== "success" && errorType !== undefined) record.errorType = errorType;
  return platformRecord("platform.report", record, now);
}

/** Durations as AWS prints them in platform records: milliseconds with two decimals. */
function round2(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** `2026-01-01T00:00:00.000+0000`, the LastModified format of the Lambda API. */
export function lambdaTimestamp(d: Date): string {
  return d.toISOString().replace("Z", "+0000");
}

/** Keeps the last `maxBytes` bytes of a log, never splitting a UTF-8 character. */
export function tailBytes(text: string, maxBytes: number): Buffer {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= maxBytes) return buf;
  let start = buf.length - maxBytes;
  // Skip UTF-8 continuation bytes (10xxxxxx) so the tail starts on a character boundary.
  while (start < buf.length && ((buf[start] ?? 0) & 0xc0) === 0x80) start++;
  return buf.subarray(start);
}
