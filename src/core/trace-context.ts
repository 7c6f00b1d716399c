// Trace-context headers in the two forms Vajra accepts and hands on: W3C `traceparent` and the X-Ray style
// `X-Amzn-Trace-Id` that Lambda passes to functions as `_X_AMZN_TRACE_ID`. Pure conversions, no OTel.

import { invalid } from "./errors.js";

/**
 * A function's TracingConfig.Mode. Active: record a trace when the caller made no sampling decision (no
 * header, or X-Ray without Sampled). PassThrough (the default): record only when the caller's context is sampled.
 */
export type TracingMode = "Active" | "PassThrough";

/** Accepts Lambda's spelling and the CLI's lower-case one; anything else names the field. */
export function validateTracingMode(value: unknown, field = "TracingConfig.Mode"): TracingMode {
  if (typeof value === "string") {
    const v = value.toLowerCase();
    if (v === "active") return "Active";
    if (v === "passthrough") return "PassThrough";
  }
  throw invalid(`${field} must be Active or PassThrough, got ${JSON.stringify(value)}`, { field });
}

/** Whether an invocation is recorded: the caller's decision wins; without one, only Active samples. */
export function sampledFor(mode: TracingMode | undefined, parent: TraceContext | undefined): boolean {
  return parent?.sampled ?? mode === "Active";
}

/** `faas.trigger` values of the FaaS semantic conventions. */
export type FaasTrigger = "http" | "pubsub" | "timer" | "datasource" | "other";

/** A trace context independent of its header spelling: 32-hex trace id, 16-hex parent span id, sampled flag. */
export interface TraceContext {
  traceId: string;
  /** The caller's span; absent when an X-Ray header names only the Root. */
  spanId?: string;
  /** Absent when the header leaves the sampling decision open (X-Ray without `Sampled=`). */
  sampled?: boolean;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO32 = "0".repeat(32);
const ZERO16 = "0".repeat(16);

/** Parses `00-<trace>-<span>-<flags>`; undefined for anything malformed or all-zero (the spec says ignore it). */
export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  if (header === undefined) return undefined;
  const parts = header.trim().toLowerCase().split("-");
  if (parts.length < 4) return undefined;
  const [version, traceId, spanId, flags] = parts as [string, string, string, string];
  // Version ff is forbidden; version 00 has exactly four parts; later versions may append fields.
  if (!/^[0-9a-f]{2}$/.test(version) || version === "ff" || (version === "00" && parts.length !== 4))
    return undefined;
  if (!HEX32.test(traceId) || traceId === ZERO32 || !HEX16.test(spanId) || spanId === ZERO16)
    return undefined;
  if (!/^[0-9a-f]{2}$/.test(flags)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(ctx: { traceId: string; spanId: string; sampled: boolean }): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? "01" : "00"}`;
}

/** `Root=1-<8 hex epoch>-<24 hex>` is a W3C trace id split after its first 8 hex digits. */
export function xrayRoot(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** Parses `Root=1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy;Parent=zzzzzzzzzzzzzzzz;Sampled=1` (fields in any order). */
export function parseXrayHeader(header: string | undefined): TraceContext | undefined {
  if (header === undefined) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0)
      fields.set(
        part.slice(0, eq).trim().toLowerCase(),
        part
          .slice(eq + 1)
          .trim()
          .toLowerCase(),
      );
  }
  const root = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/.exec(fields.get("root") ?? "");
  if (root === null) return undefined;
  const traceId = `${root[1]}${root[2]}`;
  if (traceId === ZERO32) return undefined;
  const ctx: TraceContext = { traceId };
  const parent = fields.get("parent");
  if (parent !== undefined && HEX16.test(parent) && parent !== ZERO16) ctx.spanId = parent;
  const sampled = fields.get("sampled");
  if (sampled === "1") ctx.sampled = true;
  else if (sampled === "0") ctx.sampled = false;
  return ctx;
}

export function formatXrayHeader(ctx: { traceId: string; spanId: string; sampled: boolean }): string {
  return `Root=${xrayRoot(ctx.traceId)};Parent=${ctx.spanId};Sampled=${ctx.sampled ? "1" : "0"}`;
}

/**
 * The caller's context from request headers (lower-case names): `traceparent` wins over `x-amzn-trace-id`,
 * as the W3C form carries the parent span reliably.
 */
export function incomingTraceContext(
  headers: Record<string, string | string[] | undefined>,
): TraceContext | undefined {
  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  return parseTraceparent(one(headers["traceparent"])) ?? parseXrayHeader(one(headers["x-amzn-trace-id"]));
}

/** `{ trace }` for invoke options when the request carries a context, else nothing. */
export function traceOption(headers: Record<string, string | string[] | undefined>): {
  trace?: TraceContext;
} {
  const trace = incomingTraceContext(headers);
  return trace === undefined ? {} : { trace };
}
