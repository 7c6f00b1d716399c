// The CloudWatch Logs API (JSON 1.1, SigV4 service `logs`, `POST /` with `X-Amz-Target:
// Logs_20140328.Op`) over function logs, so `aws logs describe-log-groups / get-log-events /
// filter-log-events / tail --follow` work: groups are `/aws/lambda/NAME`, streams the instances'.
// server.ts rewrites such requests to LOGS_PREFIX (isLogsRequest), as it does for the Scheduler API.
// API: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Operations.html

import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { arnScope, withArnScope } from "../core/arn-scope.js";
import { isVajraError } from "../core/errors.js";
import type { LogEvent } from "../core/log-events.js";
import type { Platform } from "../engine/platform.js";
import { RETENTION_DAYS, type LogSearch } from "../engine/logs.js";
import { signedRequestOf, signedScope } from "./request-scope.js";
import { verifySigV4, type SigV4Credentials } from "./sigv4.js";
import { toVajraError } from "./http-errors.js";
import { acceptRawBodies } from "./raw-body.js";

export const LOGS_PREFIX = "/_aws/logs";
const TARGET = "Logs_20140328.";
const GROUP_PREFIX = "/aws/lambda/";

export interface LogsApiOptions {
  platform: Platform;
  lookupKey: (accessKeyId: string) => SigV4Credentials | undefined;
}

/** A CloudWatch Logs call: `POST /` naming a Logs_20140328 operation. */
export function isLogsRequest(req: IncomingMessage): boolean {
  const target = req.headers["x-amz-target"];
  return req.method === "POST" && typeof target === "string" && target.startsWith(TARGET);
}

class LogsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const invalidParam = (message: string): LogsError => new LogsError("InvalidParameterException", message);
const notFound = (message: string): LogsError => new LogsError("ResourceNotFoundException", message);

type Body = Record<string, unknown>;

function str(b: Body, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new LogsError("SerializationException", `${key} must be a string`);
  return v;
}

function num(b: Body, key: string, min: number, max: number): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v))
    throw new LogsError("SerializationException", `${key} must be an integer`);
  if (v < min || v > max)
    throw invalidParam(
      `1 validation error detected: Value '${v}' at '${key}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  return v;
}

function bool(b: Body, key: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw new LogsError("SerializationException", `${key} must be a boolean`);
  return v;
}

const groupArn = (fn: string): string => {
  const { region, account } = arnScope();
  return `arn:aws:logs:${region}:${account}:log-group:${GROUP_PREFIX}${fn}:*`;
};

/** The function a log group (name, or ARN as logGroupIdentifier) belongs to. */
function functionOfGroup(b: Body, required = true): string | undefined {
  let group = str(b, "logGroupName");
  const id = str(b, "logGroupIdentifier");
  if (group !== undefined && id !== undefined)
    throw invalidParam("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  if (id !== undefined) group = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?$/.exec(id)?.[1] ?? id;
  if (group === undefined) {
    if (required) throw invalidParam("Either LogGroup name or LogGroup ARN must be provided.");
    return undefined;
  }
  return group.startsWith(GROUP_PREFIX) ? group.slice(GROUP_PREFIX.length) : ` ${group}`;
}

function token(c: { timestamp: number; id: number }, prefix = ""): string {
  return `${prefix}${c.timestamp}-${c.id}`;
}

function parseToken(t: string, prefix = ""): { timestamp: number; id: number } {
  const m = new RegExp(`^${prefix}(\\d+)-(\\d+)$`).exec(t);
  if (m === null) throw invalidParam("The specified nextToken is invalid.");
  return { timestamp: Number(m[1]), id: Number(m[2]) };
}

const eventId = (e: LogEvent): string => String(e.id).padStart(20, "0");

async function requireGroup(platform: Platform, fn: string): Promise<void> {
  const groups = await platform.logEvents.listGroups();
  if (!groups.some((g) => g.functionName === fn)) throw notFound("The specified log group does not exist.");
}

async function describeLogGroups(platform: Platform, b: Body): Promise<unknown> {
  const prefix = str(b, "logGroupNamePrefix");
  const pattern = str(b, "logGroupNamePattern");
  if (prefix !== undefined && pattern !== undefined)
    throw invalidParam("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  const limit = num(b, "limit", 1, 50) ?? 50;
  const start = b.nextToken === undefined ? 0 : Number(str(b, "nextToken"));
  if (!Number.isInteger(start) || start < 0) throw invalidParam("The specified nextToken is invalid.");
  const all = (await platform.logEvents.listGroups())
    .map((g) => ({ ...g, name: `${GROUP_PREFIX}${g.functionName}` }))
    .filter(
      (g) =>
        (prefix === undefined || g.name.startsWith(prefix)) &&
        (pattern === undefined || g.name.includes(pattern)),
    );
  const page = all.slice(start, start + limit);
  return {
    logGroups: page.map((g) => ({
      logGroupName: g.name,
      creationTime: g.createdAt,
      ...(g.retentionDays === null ? {} : { retentionInDays: g.retentionDays }),
      metricFilterCount: 0,
      arn: groupArn(g.functionName),
      storedBytes: g.storedBytes,
    })),
    ...(start + limit < all.length ? { nextToken: String(start + limit) } : {}),
  };
}

async function describeLogStreams(platform: Platform, b: Body): Promise<unknown> {
  const fn = functionOfGroup(b) as string;
  const prefix = str(b, "logStreamNamePrefix");
  const orderBy = str(b, "orderBy") ?? "LogStreamName";
  if (orderBy !== "LogStreamName" && orderBy !== "LastEventTime")
    throw invalidParam(`orderBy must be LogStreamName or LastEventTime, not '${orderBy}'`);
  if (prefix !== undefined && orderBy === "LastEventTime")
    throw invalidParam("Cannot order by LastEventTime with a logStreamNamePrefix.");
  const descending = bool(b, "descending") ?? false;
  const limit = num(b, "limit", 1, 50) ?? 50;
  const start = b.nextToken === undefined ? 0 : Number(str(b, "nextToken"));
  if (!Number.isInteger(start) || start < 0) throw invalidParam("The specified nextToken is invalid.");
  await requireGroup(platform, fn);
  const streams = (await platform.logEvents.store.listStreams(fn)).filter(
    (s) => prefix === undefined || s.name.startsWith(prefix),
  );
  streams.sort((x, y) =>
    orderBy === "LastEventTime"
      ? x.lastEventTime - y.lastEventTime || x.name.localeCompare(y.name)
      : x.name.localeCompare(y.name),
  );
  if (descending) streams.reverse();
  const { region, account } = arnScope();
  return {
    logStreams: streams.slice(start, start + limit).map((s) => ({
      logStreamName: s.name,
      creationTime: s.firstEventTime,
      firstEventTimestamp: s.firstEventTime,
      lastEventTimestamp: s.lastEventTime,
      lastIngestionTime: s.lastEventTime,
      arn: `arn:aws:logs:${region}:${account}:log-group:${GROUP_PREFIX}${fn}:log-stream:${s.name}`,
      storedBytes: s.storedBytes,
    })),
    ...(start + limit < streams.length ? { nextToken: String(start + limit) } : {}),
  };
}

function timeRange(b: Body, s: LogSearch): void {
  const start = num(b, "startTime", 0, Number.MAX_SAFE_INTEGER);
  const end = num(b, "endTime", 0, Number.MAX_SAFE_INTEGER);
  if (start !== undefined && end !== undefined && start > end)
    throw invalidParam("startTime must be less than or equal to endTime.");
  if (start !== undefined) s.since = start;
  if (end !== undefined) s.until = end;
}

/**
 * One stream, oldest first. Without a token: the newest `limit` events (the oldest with startFromHead).
 * `f/` tokens read forward from an event, `b/` tokens backward; at either end the token comes back as is.
 */
async function getLogEvents(platform: Platform, b: Body): Promise<unknown> {
  const fn = functionOfGroup(b) as string;
  const stream = str(b, "logStreamName");
  if (stream === undefined) throw invalidParam("logStreamName is required");
  const limit = num(b, "limit", 1, 10_000) ?? 10_000;
  const s: LogSearch = { limit, streams: [stream] };
  timeRange(b, s);
  const given = str(b, "nextToken");
  await requireGroup(platform, fn);
  if ((await platform.logEvents.store.listStreams(fn)).every((x) => x.name !== stream))
    throw notFound("The specified log stream does not exist.");
  let forward = bool(b, "startFromHead") ?? false;
  if (given !== undefined) {
    forward = given.startsWith("f/");
    s.after = parseToken(given, forward ? "f/" : "b/");
  }
  s.fromHead = forward;
  const { events } = await platform.logEvents.searchGroup(fn, s);
  const first = events[0];
  const last = events.at(-1);
  const keep = (prefix: string): string => (given !== undefined && given.startsWith(prefix) ? given : "");
  return {
    events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp })),
    nextForwardToken:
      last === undefined
        ? keep("f/") || `f/${given === undefined ? "0-0" : given.slice(2)}`
        : token(last, "f/"),
    nextBackwardToken:
      first === undefined
        ? keep("b/") || `b/${given === undefined ? "0-0" : given.slice(2)}`
        : token(first, "b/"),
  };
}

async function filterLogEvents(platform: Platform, b: Body): Promise<unknown> {
  const fn = functionOfGroup(b) as string;
  const names = b.logStreamNames;
  const prefix = str(b, "logStreamNamePrefix");
  if (names !== undefined && prefix !== undefined)
    throw invalidParam("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === "string")))
    throw new LogsError("SerializationException", "logStreamNames must be a list of strings");
  const s: LogSearch = { limit: num(b, "limit", 1, 10_000) ?? 10_000, fromHead: true };
  timeRange(b, s);
  if (names !== undefined) s.streams = names;
  if (prefix !== undefined) s.streamPrefix = prefix;
  const pattern = str(b, "filterPattern");
  if (pattern !== undefined) s.filterPattern = pattern;
  const given = str(b, "nextToken");
  if (given !== undefined) s.after = parseToken(given);
  await requireGroup(platform, fn);
  const r = await platform.logEvents.searchGroup(fn, s);
  return {
    events: r.events.map((e) => ({
      logStreamName: e.stream,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.timestamp,
      eventId: eventId(e),
    })),
    searchedLogStreams: [],
    ...(r.next === undefined ? {} : { nextToken: token(r.next) }),
  };
}

async function putRetentionPolicy(platform: Platform, b: Body): Promise<unknown> {
  const fn = functionOfGroup(b) as string;
  const days = b.retentionInDays;
  if (typeof days !== "number" || !RETENTION_DAYS.includes(days))
    throw invalidParam(
      `1 validation error detected: Value '${String(days)}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`,
    );
  await requireGroup(platform, fn);
  await platform.logEvents.setRetention(fn, days);
  return {};
}

async function deleteRetentionPolicy(platform: Platform, b: Body): Promise<unknown> {
  const fn = functionOfGroup(b) as string;
  await requireGroup(platform, fn);
  await platform.logEvents.setRetention(fn, null);
  return {};
}

const OPERATIONS: Record<string, (p: Platform, b: Body) => Promise<unknown>> = {
  DescribeLogGroups: describeLogGroups,
  DescribeLogStreams: describeLogStreams,
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
  PutRetentionPolicy: putRetentionPolicy,
  DeleteRetentionPolicy: deleteRetentionPolicy,
};

function fromError(err: unknown): LogsError {
  if (err instanceof LogsError) return err;
  const e = isVajraError(err) ? err : toVajraError(err);
  switch (e.code) {
    case "InvalidParameter":
    case "ValidationFailed":
      return invalidParam(e.message);
    case "FunctionNotFound":
    case "NotFound":
      return notFound(e.message);
    default:
      return new LogsError("ServiceUnavailableException", e.message, 500);
  }
}

const send = (reply: FastifyReply, status: number, body: unknown): FastifyReply =>
  reply.code(status).header("content-type", "application/x-amz-json-1.1").send(JSON.stringify(body));

const sendError = (reply: FastifyReply, e: LogsError): FastifyReply =>
  send(reply, e.status, { __type: e.type, message: e.message });

export function registerCloudWatchLogsRoutes(app: FastifyInstance, opts: LogsApiOptions): void {
  void app.register(
    (scope, _o, done) => {
      acceptRawBodies(scope, 1024 * 1024);
      scope.post("/", async (req: FastifyRequest, reply: FastifyReply) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        // The signature covers the path the client sent (`/`), before the rewrite.
        const signed = { ...signedRequestOf(req, raw), rawPath: "/", rawQuery: "" };
        const result = verifySigV4(signed, opts.lookupKey);
        if (!result.ok)
          return sendError(
            reply,
            new LogsError(
              result.errorType,
              result.message,
              result.errorType === "IncompleteSignatureException" ? 400 : 403,
            ),
          );
        if (result.service !== "logs")
          return sendError(
            reply,
            new LogsError(
              "InvalidSignatureException",
              "Credential should be scoped to correct service: 'logs'.",
              403,
            ),
          );
        const scopeOf = signedScope(opts.platform.arnScope, result.region);
        if (typeof scopeOf === "string") return sendError(reply, invalidParam(scopeOf));
        const target = String(req.headers["x-amz-target"] ?? "").slice(TARGET.length);
        const op = OPERATIONS[target];
        if (op === undefined)
          return sendError(
            reply,
            new LogsError("UnknownOperationException", `Vajra does not implement CloudWatch Logs ${target}`),
          );
        try {
          let body: Body = {};
          if (raw.length > 0) {
            const parsed = JSON.parse(raw.toString("utf8")) as unknown;
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
              throw new LogsError("SerializationException", "the request body must be a JSON object");
            body = parsed as Body;
          }
          const out = await withArnScope(scopeOf, () => op(opts.platform, body));
          return send(reply, 200, out);
        } catch (err) {
          const e =
            err instanceof SyntaxError
              ? new LogsError("SerializationException", "the request body is not valid JSON")
              : fromError(err);
          if (e.status >= 500) req.log.error({ err }, "CloudWatch Logs request failed");
          return sendError(reply, e);
        }
      });
      done();
    },
    { prefix: LOGS_PREFIX },
  );
}
