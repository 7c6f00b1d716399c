// The EventBridge Scheduler API (REST-JSON, SigV4 service `scheduler`) for schedules that target Vajra
// functions: CreateSchedule, GetSchedule, ListSchedules, UpdateSchedule, DeleteSchedule, so
// `aws scheduler create-schedule --endpoint-url …` works. AWS serves it at /schedules, which the native
// API uses too: server.ts rewrites requests signed for `scheduler` to SCHEDULER_PREFIX (isSchedulerRequest).
// API: https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html

import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { withArnScope } from "../core/arn-scope.js";
import { isVajraError, type VajraError } from "../core/errors.js";
import { DEFAULT_SCHEDULE_GROUP } from "../core/schedule.js";
import type { Platform } from "../engine/platform.js";
import type { ScheduleInput, ScheduleView } from "../engine/triggers/schedules.js";
import { signedRequestOf, signedScope } from "./request-scope.js";
import { verifySigV4, type SigV4Credentials } from "./sigv4.js";
import { toVajraError } from "./http-errors.js";
import { acceptRawBodies } from "./raw-body.js";

export const SCHEDULER_PREFIX = "/_aws/scheduler";

export interface SchedulerOptions {
  platform: Platform;
  lookupKey: (accessKeyId: string) => SigV4Credentials | undefined;
}

/** A request for AWS's /schedules paths signed for the `scheduler` service (not a native API call). */
export function isSchedulerRequest(req: IncomingMessage): boolean {
  const url = req.url ?? "";
  if (!(url === "/schedules" || url.startsWith("/schedules/") || url.startsWith("/schedules?"))) return false;
  const auth = req.headers.authorization ?? "";
  return /^AWS4-HMAC-SHA256 .*Credential=[^/]+\/[0-9]{8}\/[^/]+\/scheduler\/aws4_request/.test(auth);
}

/** Fastify's rewriteUrl hook: Scheduler API calls go to their own routes, before routing. */
export function rewriteSchedulerUrl(req: IncomingMessage): string {
  return isSchedulerRequest(req) ? `${SCHEDULER_PREFIX}${req.url ?? ""}` : (req.url ?? "/");
}

class SchedulerError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const validation = (message: string): SchedulerError =>
  new SchedulerError("ValidationException", 400, message);

function sendSchedulerError(
  reply: FastifyReply,
  type: string,
  status: number,
  message: string,
): FastifyReply {
  return reply
    .code(status)
    .header("x-amzn-errortype", type)
    .header("content-type", "application/json")
    .send({ Message: message });
}

function fromVajraError(err: VajraError): SchedulerError {
  switch (err.code) {
    case "InvalidParameter":
    case "ValidationFailed":
    case "SerializationFailed":
      return validation(err.message);
    case "ScheduleNotFound":
    case "FunctionNotFound":
    case "NotFound":
      return new SchedulerError("ResourceNotFoundException", 404, err.message);
    case "AlreadyExists":
      return new SchedulerError("ConflictException", 409, err.message);
    default:
      return new SchedulerError("InternalServerException", 500, err.message);
  }
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw validation(`${field} must be a structure`);
  return v as Record<string, unknown>;
}

function str(b: Record<string, unknown>, key: string, path = key): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw validation(`${path} must be a string`);
  return v;
}

/** Scheduler timestamps arrive as epoch seconds (botocore's REST-JSON default) or ISO strings. */
function timestamp(b: Record<string, unknown>, key: string): number | null {
  const v = b[key];
  if (v === undefined || v === null) return null;
  const ms = typeof v === "number" ? v * 1000 : typeof v === "string" ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw validation(`${key} must be a timestamp`);
  return ms;
}

function checkGroup(group: string | undefined): void {
  if (group !== undefined && group !== DEFAULT_SCHEDULE_GROUP)
    throw new SchedulerError("ResourceNotFoundException", 404, `Schedule group ${group} does not exist.`);
}

/** Create and Update carry the whole schedule: what is absent takes its default. */
function scheduleInput(body: Record<string, unknown>): ScheduleInput {
  checkGroup(str(body, "GroupName"));
  const expression = str(body, "ScheduleExpression");
  if (expression === undefined) throw validation("ScheduleExpression is required");
  if (body.FlexibleTimeWindow === undefined) throw validation("FlexibleTimeWindow is required");
  const window = object(body.FlexibleTimeWindow, "FlexibleTimeWindow");
  const mode = str(window, "Mode", "FlexibleTimeWindow.Mode");
  if (mode !== "OFF" && mode !== "FLEXIBLE")
    throw validation("FlexibleTimeWindow.Mode must be OFF or FLEXIBLE");
  const minutes = window.MaximumWindowInMinutes;
  if (mode === "FLEXIBLE" && typeof minutes !== "number")
    throw validation("FlexibleTimeWindow.MaximumWindowInMinutes is required when Mode is FLEXIBLE");
  if (body.Target === undefined) throw validation("Target is required");
  const target = object(body.Target, "Target");
  const arn = str(target, "Arn", "Target.Arn");
  if (arn === undefined) throw validation("Target.Arn is required");
  const roleArn = str(target, "RoleArn", "Target.RoleArn");
  if (roleArn === undefined) throw validation("Target.RoleArn is required");
  if (!arn.includes(":lambda:") || !arn.includes(":function:"))
    throw validation(`Target.Arn '${arn}': Vajra's scheduler targets Lambda function ARNs only`);
  const state = str(body, "State") ?? "ENABLED";
  const action = str(body, "ActionAfterCompletion") ?? "NONE";
  return {
    expression,
    timezone: str(body, "ScheduleExpressionTimezone") ?? "UTC",
    target: arn,
    qualifier: null,
    roleArn,
    input: str(target, "Input", "Target.Input") ?? null,
    state: state as ScheduleInput["state"], // checked by the engine
    flexibleWindowMinutes: mode === "FLEXIBLE" ? (minutes as number) : null,
    startDate: timestamp(body, "StartDate"),
    endDate: timestamp(body, "EndDate"),
    actionAfterCompletion: action as ScheduleInput["actionAfterCompletion"], // checked by the engine
    description: str(body, "Description") ?? null,
  };
}

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

function getScheduleOutput(s: ScheduleView): Record<string, unknown> {
  return {
    Arn: s.arn,
    Name: s.name,
    GroupName: s.group,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.timezone,
    State: s.state,
    Description: s.description,
    StartDate: seconds(s.startDate),
    EndDate: seconds(s.endDate),
    CreationDate: seconds(s.createdAt),
    LastModificationDate: seconds(s.updatedAt),
    ActionAfterCompletion: s.actionAfterCompletion,
    FlexibleTimeWindow:
      s.flexibleWindowMinutes === null
        ? { Mode: "OFF" }
        : { Mode: "FLEXIBLE", MaximumWindowInMinutes: s.flexibleWindowMinutes },
    Target: { Arn: s.targetArn, RoleArn: s.roleArn, Input: s.input },
  };
}

function listOutput(all: ScheduleView[], query: Record<string, string | undefined>): Record<string, unknown> {
  checkGroup(query.ScheduleGroup);
  const max = query.MaxResults === undefined ? 100 : Number(query.MaxResults);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw validation("MaxResults must be from 1 to 100");
  const state = query.State;
  if (state !== undefined && state !== "ENABLED" && state !== "DISABLED")
    throw validation("State must be ENABLED or DISABLED");
  const start = query.NextToken === undefined ? 0 : Number(query.NextToken);
  if (!Number.isInteger(start) || start < 0) throw validation("NextToken is not one this server gave");
  const matching = all.filter(
    (s) =>
      (query.NamePrefix === undefined || s.name.startsWith(query.NamePrefix)) &&
      (state === undefined || s.state === state),
  );
  const page = matching.slice(start, start + max);
  return {
    Schedules: page.map((s) => ({
      Arn: s.arn,
      Name: s.name,
      GroupName: s.group,
      State: s.state,
      CreationDate: seconds(s.createdAt),
      LastModificationDate: seconds(s.updatedAt),
      Target: { Arn: s.targetArn },
    })),
    ...(start + max < matching.length ? { NextToken: String(start + max) } : {}),
  };
}

export function registerSchedulerRoutes(app: FastifyInstance, opts: SchedulerOptions): void {
  void app.register(
    (scope, _o, done) => {
      acceptRawBodies(scope, 256 * 1024);
      type Req = FastifyRequest<{
        Params: { name?: string };
        Querystring: Record<string, string | undefined>;
      }>;
      const handle =
        (op: (req: Req, body: Record<string, unknown>) => unknown) =>
        async (req: Req, reply: FastifyReply): Promise<FastifyReply> => {
          const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          // The signature covers the path the client sent, before the rewrite.
          const signed = { ...signedRequestOf(req, raw), ...pathOf(req.originalUrl) };
          const result = verifySigV4(signed, opts.lookupKey);
          if (!result.ok)
            return sendSchedulerError(
              reply,
              result.errorType,
              result.errorType === "IncompleteSignatureException" ? 400 : 403,
              result.message,
            );
          if (result.service !== "scheduler")
            return sendSchedulerError(
              reply,
              "InvalidSignatureException",
              403,
              `Credential should be scoped to correct service: 'scheduler'.`,
            );
          const arnScope = signedScope(opts.platform.arnScope, result.region);
          if (typeof arnScope === "string")
            return sendSchedulerError(reply, "ValidationException", 400, arnScope);
          try {
            let body: Record<string, unknown> = {};
            if (raw.length > 0) {
              try {
                body = object(JSON.parse(raw.toString("utf8")), "the request body");
              } catch (err) {
                throw err instanceof SchedulerError ? err : validation("the request body is not valid JSON");
              }
            }
            const out = await withArnScope(arnScope, () => op(req, body));
            return reply
              .code(200)
              .header("content-type", "application/json")
              .send(out ?? {});
          } catch (err) {
            const e =
              err instanceof SchedulerError
                ? err
                : fromVajraError(isVajraError(err) ? err : toVajraError(err));
            if (e.status >= 500) req.log.error({ err }, "scheduler request failed");
            return sendSchedulerError(reply, e.type, e.status, e.message);
          }
        };
      const name = (req: Req): string => req.params.name ?? "";
      const schedules = (): Platform["schedules"] => opts.platform.schedules;
      scope.post(
        "/schedules/:name",
        handle(async (req, body) => ({
          ScheduleArn: (await schedules().create(name(req), scheduleInput(body), "scheduler")).arn,
        })),
      );
      scope.put(
        "/schedules/:name",
        handle(async (req, body) => ({
          ScheduleArn: (await schedules().update(name(req), scheduleInput(body))).arn,
        })),
      );
      scope.get(
        "/schedules/:name",
        handle((req) => {
          checkGroup(req.query.groupName);
          return getScheduleOutput(schedules().get(name(req), 0));
        }),
      );
      scope.delete(
        "/schedules/:name",
        handle(async (req) => {
          checkGroup(req.query.groupName);
          await schedules().delete(name(req));
          return {};
        }),
      );
      scope.get(
        "/schedules",
        handle((req) => listOutput(schedules().list(), req.query)),
      );
      done();
    },
    { prefix: SCHEDULER_PREFIX },
  );
}

function pathOf(url: string): { rawPath: string; rawQuery: string } {
  const q = url.indexOf("?");
  return { rawPath: q < 0 ? url : url.slice(0, q), rawQuery: q < 0 ? "" : url.slice(q + 1) };
}
