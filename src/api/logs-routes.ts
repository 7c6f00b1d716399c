// Native log routes: `GET /functions/:name/logs` (recent invocations, or log events when any search
// parameter is given), its live form `?follow=1` as server-sent events, and the retention setting.
// Translation only: the searching and following live in engine/logs.ts.

import type { FastifyInstance, FastifyReply } from "fastify";
import type { ServerResponse } from "node:http";
import { invalid } from "../core/errors.js";
import type { LogEvent } from "../core/log-events.js";
import { parseLogTime } from "../core/log-time.js";
import type { Platform } from "../engine/platform.js";
import { RETENTION_DAYS, checkRange, type LogSearch } from "../engine/logs.js";

type NameParams = { Params: { name: string } };
type LogsQuery = Record<string, string | undefined>;

/** Parameters that ask for log events rather than the legacy list of invocations. */
const EVENT_PARAMS = [
  "events",
  "since",
  "until",
  "filter",
  "requestId",
  "errors",
  "version",
  "alias",
  "follow",
  "nextToken",
];
const HEARTBEAT_MS = 15_000;

export function eventView(e: LogEvent): Record<string, unknown> {
  return {
    id: e.id,
    timestamp: e.timestamp,
    time: new Date(e.timestamp).toISOString(),
    stream: e.stream,
    version: e.version,
    requestId: e.requestId,
    error: e.error,
    message: e.message,
  };
}

export function encodeToken(c: { timestamp: number; id: number }): string {
  return Buffer.from(JSON.stringify([c.timestamp, c.id])).toString("base64url");
}

export function decodeToken(token: string, field: string): { timestamp: number; id: number } {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n)))
      return { timestamp: v[0] as number, id: v[1] as number };
  } catch {
    // falls through to the error below
  }
  throw invalid(`${field} is not a token this server returned`, { field });
}

function time(q: LogsQuery, field: "since" | "until", now: number): number | undefined {
  const v = q[field];
  if (v === undefined || v === "") return undefined;
  const ms = parseLogTime(v, now);
  if (ms === undefined)
    throw invalid(
      `${field} must be a duration ago (30s, 15m, 1h, 2d, 1w), an ISO date or epoch milliseconds: '${v}'`,
      {
        field,
      },
    );
  return ms;
}

const flag = (v: string | undefined): boolean => v !== undefined && v !== "0" && v !== "false";

function searchOf(q: LogsQuery): LogSearch {
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw invalid("limit must be an integer from 1 to 10000", { field: "limit" });
  const now = Date.now();
  const s: LogSearch = { limit };
  const since = time(q, "since", now);
  const until = time(q, "until", now);
  checkRange(since, until);
  if (since !== undefined) s.since = since;
  if (until !== undefined) s.until = until;
  if (q.filter !== undefined && q.filter !== "") s.filterPattern = q.filter;
  if (q.requestId !== undefined && q.requestId !== "") s.requestId = q.requestId;
  if (flag(q.errors)) s.errorsOnly = true;
  if (q.version !== undefined && q.version !== "") s.version = q.version;
  if (q.alias !== undefined && q.alias !== "") s.alias = q.alias;
  if (q.nextToken !== undefined && q.nextToken !== "") s.after = decodeToken(q.nextToken, "nextToken");
  return s;
}

/** `logRetentionDays` of a deploy/update body: checked, and taken out before the deploy parses the rest. */
export function takeLogRetention(body: unknown): { body: unknown; days: number | null | undefined } {
  if (typeof body !== "object" || body === null || Array.isArray(body) || !("logRetentionDays" in body))
    return { body, days: undefined };
  const { logRetentionDays, ...rest } = body as Record<string, unknown>;
  return { body: rest, days: checkRetention(logRetentionDays) };
}

function checkRetention(v: unknown): number | null {
  if (v === null) return null;
  if (typeof v !== "number" || !RETENTION_DAYS.includes(v))
    throw invalid(`logRetentionDays must be null (never expire) or one of ${RETENTION_DAYS.join(", ")}`, {
      field: "logRetentionDays",
    });
  return v;
}

export function registerLogRoutes(app: FastifyInstance, platform: Platform): void {
  const streams = new Set<ServerResponse>();
  // Live streams never go idle: end them first so the server can close.
  app.addHook("preClose", (done) => {
    for (const res of streams) res.end();
    done();
  });

  app.get<NameParams & { Querystring: LogsQuery }>("/functions/:name/logs", async (req, reply) => {
    const { name } = req.params;
    const q = req.query;
    if (!EVENT_PARAMS.some((p) => q[p] !== undefined)) return legacy(platform, name, q.limit);
    const s = searchOf(q);
    if (flag(q.follow)) return follow(platform, name, s, reply, streams);
    const r = await platform.logEvents.search(name, s);
    return {
      events: r.events.map(eventView),
      ...(r.next === undefined ? {} : { nextToken: encodeToken(r.next) }),
    };
  });

  app.get<NameParams>("/functions/:name/logs/retention", async (req) => {
    platform.getFunction(req.params.name);
    return { logRetentionDays: await platform.logEvents.retention(req.params.name) };
  });

  app.put<NameParams>("/functions/:name/logs/retention", async (req) => {
    const b = req.body as Record<string, unknown> | undefined;
    if (typeof b !== "object" || b === null || !("logRetentionDays" in b))
      throw invalid('body must be {"logRetentionDays": DAYS or null}', { field: "logRetentionDays" });
    platform.getFunction(req.params.name);
    await platform.logEvents.setRetention(req.params.name, checkRetention(b.logRetentionDays));
    return { logRetentionDays: await platform.logEvents.retention(req.params.name) };
  });
}

/** The view before log events existed: the newest invocations with their whole logs. */
async function legacy(platform: Platform, name: string, limitText: string | undefined): Promise<unknown> {
  const limit = limitText === undefined ? 10 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw invalid("limit must be an integer from 1 to 1000", { field: "limit" });
  const records = await platform.logs(name, limit);
  return {
    invocations: records.map((r) => ({
      requestId: r.requestId,
      startedAt: new Date(r.startedAt).toISOString(),
      durationMs: r.report.durationMs,
      status: r.status,
      ...(r.errorType === undefined ? {} : { errorType: r.errorType }),
      log: r.log,
    })),
  };
}

/**
 * Server-sent events: the recent matching events (`limit`, from `since`), then each new one as the record
 * writer stores it; a comment line as heartbeat. Subscribed before the backlog is read, so nothing falls
 * between; what both saw is sent once.
 */
async function follow(
  platform: Platform,
  name: string,
  s: LogSearch,
  reply: FastifyReply,
  streams: Set<ServerResponse>,
): Promise<void> {
  const logs = platform.logEvents;
  let wake: () => void = () => {};
  const follower = logs.follow(name, s, () => wake());
  let backlog: LogEvent[];
  try {
    backlog = (await logs.search(name, { ...s, limit: Math.min(s.limit, 1000) })).events;
  } catch (err) {
    follower.close();
    throw err;
  }
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  streams.add(res);
  const send = (e: LogEvent): void => {
    res.write(`event: log\ndata: ${JSON.stringify(eventView(e))}\n\n`);
  };
  for (const e of backlog) send(e);
  const seen = new Set(backlog.map((e) => `${e.requestId}\n${e.timestamp}\n${e.message}`));
  let reported = 0;
  wake = () => {
    for (const e of follower.take()) {
      if (seen.size > 0 && seen.has(`${e.requestId}\n${e.timestamp}\n${e.message}`)) continue;
      send(e);
    }
    seen.clear();
    if (follower.dropped > reported) {
      res.write(`event: dropped\ndata: ${JSON.stringify({ dropped: follower.dropped })}\n\n`);
      reported = follower.dropped;
    }
  };
  wake();
  res.write(": following\n\n");
  const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), HEARTBEAT_MS);
  heartbeat.unref();
  res.on("close", () => {
    clearInterval(heartbeat);
    follower.close();
    streams.delete(res);
  });
}
