// Pure formatting of Lambda's observable strings: ARNs, log stream names, the START/END/REPORT lines,
// billing arithmetic. Kept here so the executor, engine and API print exactly the same shapes.

import { arnScope, partitionOf } from "./arn-scope.js";
import type { InvocationReport } from "./types.js";

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
