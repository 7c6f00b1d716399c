// Native schedule routes (API key auth; the CLI's `vajra schedule`): /schedules and /schedules/{name}.
// The EventBridge Scheduler API shares the /schedules paths; server.ts sends SigV4 requests signed for
// `scheduler` to scheduler-routes.ts instead (see isSchedulerRequest).

import type { FastifyInstance } from "fastify";
import { invalid } from "../core/errors.js";
import type { Platform } from "../engine/platform.js";
import type { ScheduleInput, ScheduleView } from "../engine/triggers/schedules.js";

type NameParams = { Params: { name: string } };

function optionalString(b: Record<string, unknown>, key: string): string | null | undefined {
  const v = b[key];
  if (v === undefined || v === null) return v;
  if (typeof v !== "string") throw invalid(`${key} must be a string`);
  return v;
}

function date(b: Record<string, unknown>, key: string): number | null | undefined {
  const v = b[key];
  if (v === undefined || v === null) return v;
  const ms = typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw invalid(`${key} must be an ISO 8601 date such as 2027-01-01T00:00:00Z`);
  return ms;
}

/** The body of a create or update: only the fields present change. */
export function scheduleBody(body: unknown): ScheduleInput {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("request body must be a JSON object");
  const b = body as Record<string, unknown>;
  const input: ScheduleInput = {};
  const expression = optionalString(b, "expression");
  if (typeof expression === "string") input.expression = expression;
  const timezone = optionalString(b, "timezone");
  if (typeof timezone === "string") input.timezone = timezone;
  const target = optionalString(b, "function");
  if (typeof target === "string") input.target = target;
  const qualifier = optionalString(b, "qualifier");
  if (qualifier !== undefined) input.qualifier = qualifier;
  // The payload is JSON text; an object is accepted and serialised.
  if (b.input !== undefined)
    input.input = b.input === null ? null : typeof b.input === "string" ? b.input : JSON.stringify(b.input);
  if (b.state !== undefined) input.state = b.state as ScheduleInput["state"]; // checked by the engine
  if (b.flexibleWindowMinutes !== undefined)
    input.flexibleWindowMinutes = b.flexibleWindowMinutes as number | null; // checked by the engine
  const start = date(b, "startDate");
  if (start !== undefined) input.startDate = start;
  const end = date(b, "endDate");
  if (end !== undefined) input.endDate = end;
  if (b.actionAfterCompletion !== undefined)
    input.actionAfterCompletion = b.actionAfterCompletion as ScheduleInput["actionAfterCompletion"];
  const description = optionalString(b, "description");
  if (description !== undefined) input.description = description;
  return input;
}

/** The native view: dates as ISO strings. */
export function scheduleView(s: ScheduleView): Record<string, unknown> {
  const iso = (ms: number | undefined): string | undefined =>
    ms === undefined ? undefined : new Date(ms).toISOString();
  return {
    name: s.name,
    group: s.group,
    arn: s.arn,
    expression: s.expression,
    timezone: s.timezone,
    function: s.functionName,
    qualifier: s.qualifier,
    target: s.targetArn,
    state: s.state,
    flexibleWindowMinutes: s.flexibleWindowMinutes,
    input: s.input,
    description: s.description,
    startDate: iso(s.startDate),
    endDate: iso(s.endDate),
    actionAfterCompletion: s.actionAfterCompletion,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    lastFiredDue: iso(s.lastDue),
    lastError: s.lastError,
    nextFireTimes: s.nextFireTimes,
  };
}

export function registerScheduleRoutes(app: FastifyInstance, platform: Platform): void {
  app.get("/schedules", () => ({ schedules: platform.schedules.list().map(scheduleView) }));

  app.post("/schedules", async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const name = typeof b.name === "string" ? b.name : "";
    const view = await platform.schedules.create(name, scheduleBody(req.body), "native");
    return reply.code(201).send(scheduleView(view));
  });

  app.get<NameParams & { Querystring: { next?: string } }>("/schedules/:name", (req) => {
    const n = req.query.next === undefined ? 5 : Number(req.query.next);
    if (!Number.isInteger(n) || n < 0 || n > 100) throw invalid("next must be a whole number from 0 to 100");
    return scheduleView(platform.schedules.get(req.params.name, n));
  });

  app.patch<NameParams>("/schedules/:name", async (req) =>
    scheduleView(await platform.schedules.update(req.params.name, scheduleBody(req.body))),
  );

  app.post<NameParams>("/schedules/:name/pause", async (req) =>
    scheduleView(await platform.schedules.pause(req.params.name)),
  );

  app.post<NameParams>("/schedules/:name/resume", async (req) =>
    scheduleView(await platform.schedules.resume(req.params.name)),
  );

  app.delete<NameParams>("/schedules/:name", async (req, reply) => {
    await platform.schedules.delete(req.params.name);
    return reply.code(204).send();
  });
}
