// One synchronous invocation over the native API, with the figures the server reports in its
// x-vajra-* headers. Shared by `vajra invoke` and `vajra invoke --test`.

import type { ApiClient, ApiResponse } from "../client.js";
import { header } from "../client.js";

export interface InvokeResult {
  requestId?: string;
  executedVersion?: string;
  /** Set when the function failed (Lambda's X-Amz-Function-Error: Unhandled or Handled). */
  functionError?: string;
  body: Buffer;
  log?: string;
  durationMs?: number;
  billedDurationMs?: number;
  memorySizeMb?: number;
  maxMemoryUsedMb?: number;
  /** Present only when this invocation started a new instance. */
  initDurationMs?: number;
}

function numberHeader(res: ApiResponse, name: string): number | undefined {
  const value = header(res, name);
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export async function invokeOnce(
  client: ApiClient,
  name: string,
  payload: Buffer,
  tail: boolean,
  qualifier?: string,
): Promise<InvokeResult> {
  const query = qualifier === undefined ? "" : `?qualifier=${encodeURIComponent(qualifier)}`;
  const res = await client.request("POST", `/functions/${encodeURIComponent(name)}/invoke${query}`, {
    body: payload,
    headers: tail ? { "x-vajra-log-type": "Tail" } : {},
  });
  client.throwIfError(res);
  const logResult = header(res, "x-vajra-log-result");
  const result: InvokeResult = {
    requestId: header(res, "x-vajra-request-id"),
    executedVersion: header(res, "x-vajra-executed-version"),
    functionError: header(res, "x-vajra-function-error"),
    body: res.body,
    log: logResult === undefined ? undefined : Buffer.from(logResult, "base64").toString("utf8"),
    durationMs: numberHeader(res, "x-vajra-duration-ms"),
    billedDurationMs: numberHeader(res, "x-vajra-billed-duration-ms"),
    memorySizeMb: numberHeader(res, "x-vajra-memory-size-mb"),
    maxMemoryUsedMb: numberHeader(res, "x-vajra-max-memory-used-mb"),
    initDurationMs: numberHeader(res, "x-vajra-init-duration-ms"),
  };
  return result;
}

/** The function's output as JSON when it is JSON (the usual case), else as a string. */
export function decodeBody(body: Buffer): unknown {
  const text = body.toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** "Unhandled: ValueError: bad input" from a Lambda error body `{errorType, errorMessage}`. */
export function describeFunctionError(result: InvokeResult): string {
  const parsed = decodeBody(result.body) as { errorType?: unknown; errorMessage?: unknown } | string | null;
  if (parsed !== null && typeof parsed === "object") {
    const type = typeof parsed.errorType === "string" ? parsed.errorType : "Error";
    const message = typeof parsed.errorMessage === "string" ? parsed.errorMessage : "";
    return message === "" ? type : `${type}: ${message}`;
  }
  return "the function failed";
}
