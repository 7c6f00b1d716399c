// How an invocation's log text becomes CloudWatch-style log events: one event per line, each with a
// timestamp and the instance's log stream. Pure, shared by the store (which indexes the events) and the
// live stream (which pushes them), so both cut the same events.

import type { InvocationRecord } from "./types.js";

export interface LogEvent {
  /** Store row id; 0 for an event not yet stored. */
  id: number;
  functionName: string;
  version: string;
  stream: string;
  /** Epoch milliseconds. */
  timestamp: number;
  requestId: string;
  /** The line's level is ERROR/FATAL, or the invocation failed. */
  error: boolean;
  message: string;
}

/**
 * AWS's stream name: `YYYY/MM/DD/[VERSION]<32 hex instance id>`, dated by the instance's start (UTC).
 */
export function logStreamName(version: string, instanceId: string, instanceStartedAt: number): string {
  const d = new Date(instanceStartedAt).toISOString();
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/[${version}]${instanceId}`;
}

/** An instance id for records made without one (an invocation that never reached an instance). */
export function fallbackInstanceId(requestId: string): string {
  const hex = requestId.replace(/[^0-9a-f]/gi, "").toLowerCase();
  return (hex + "0".repeat(32)).slice(0, 32);
}

const ISO_PREFIX = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\t/;
const LEVEL = /^[^\t]*\t[^\t]*\t(ERROR|FATAL)\t/;
const JSON_LEVEL = /"level"\s*:\s*"(ERROR|FATAL)"/i;

/**
 * Splits a record's log into events. Lines carry no time of their own unless the runtime wrote one (the
 * Node.js runtime's `ISO\trequestId\tLEVEL\tmessage`); others get the invocation's start, and the
 * closing END/REPORT lines its end.
 */
export function logEventsOf(r: InvocationRecord): LogEvent[] {
  const stream = logStreamName(
    r.version,
    r.instanceId ?? fallbackInstanceId(r.requestId),
    r.instanceStartedAt ?? r.startedAt,
  );
  const end = r.startedAt + Math.round(r.report.durationMs);
  const failed = r.status !== "success";
  const lines = r.log.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const events: LogEvent[] = [];
  let last = r.startedAt;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, "");
    let ts = last;
    const iso = ISO_PREFIX.exec(line);
    if (iso !== null) {
      const t = Date.parse(iso[1] as string);
      if (Number.isFinite(t)) ts = t;
    } else if (line.startsWith("END RequestId:") || line.startsWith("REPORT RequestId:"))
      ts = Math.max(last, end);
    else if (line.startsWith('{"time"') || line.startsWith('{"timestamp"')) {
      const m = /^\{"time(?:stamp)?"\s*:\s*"([^"]+)"/.exec(line);
      const t = m === null ? NaN : Date.parse(m[1] as string);
      if (Number.isFinite(t)) ts = t;
    }
    last = ts;
    events.push({
      id: 0,
      functionName: r.functionName,
      version: r.version,
      stream,
      timestamp: ts,
      requestId: r.requestId,
      error: failed || LEVEL.test(line) || (line.startsWith("{") && JSON_LEVEL.test(line)),
      message: line,
    });
  }
  return events;
}
