// What invokes a function, gathered from the native API's lists (schedules, event source mappings,
// storage triggers, HTTP routes) into rows of one table, and the requests that change them: each kind
// is enabled, disabled and deleted through its own routes (a route cannot be disabled, only deleted).
// The shapes are the routes' views (see docs/api.md); only the fields shown here are read. A new
// schedule's expression and time zone are checked with the server's own parser
// (src/core/schedule-expression.ts, pure), so what the form refuses is what the server would.

import { isVajraError } from "../../../src/core/errors.ts";
import { checkTimezone, parseScheduleExpression } from "../../../src/core/schedule-expression.ts";

/** Which API object a row is, to change it: a schedule's name, a mapping's uuid, a route's id. */
export interface TriggerRef {
  type: "schedule" | "mapping" | "storage" | "route";
  id: string;
  /** Whether it is enabled now; undefined when it cannot be switched (a route). */
  enabled?: boolean;
}

export interface TriggerRow {
  kind: string;
  name: string;
  detail: string;
  state: string;
  /** The last error or processing result, when the API reports one. */
  problem?: string;
  ref: TriggerRef;
}

type Obj = Record<string, unknown>;

const str = (v: unknown): string =>
  typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v);
const mine = (fn: string) => (o: Obj) => o.function === fn;

export function scheduleRows(fn: string, schedules: Obj[]): TriggerRow[] {
  return schedules.filter(mine(fn)).map((s) => ({
    kind: "Schedule",
    name: str(s.name),
    detail: `${str(s.expression)}${s.timezone ? ` (${str(s.timezone)})` : ""}`,
    state: str(s.state),
    ...(s.lastError ? { problem: str(s.lastError) } : {}),
    ref: { type: "schedule", id: str(s.name), enabled: s.state === "ENABLED" },
  }));
}

export function mappingRows(fn: string, mappings: Obj[]): TriggerRow[] {
  return mappings.filter(mine(fn)).map((m) => ({
    kind: `Event source (${str(m.kind)})`,
    name: str(m.uuid),
    detail: `${str(m.source)} · batch ${str(m.batchSize)} · ${str(m.processed ?? 0)} processed`,
    state: str(m.state),
    ...(m.lastProcessingResult && m.lastProcessingResult !== "OK"
      ? { problem: str(m.lastProcessingResult) }
      : {}),
    // Creating and Deleting are passing states; the switch acts on the record's enabled flag.
    ref: { type: "mapping", id: str(m.uuid), enabled: m.state !== "Disabled" },
  }));
}

export function storageRows(fn: string, triggers: Obj[]): TriggerRow[] {
  return triggers.filter(mine(fn)).map((t) => ({
    kind: `Storage (${str(t.kind)})`,
    name: str(t.name),
    detail: str(t.path ?? t.bucketArn ?? t.webhookPath),
    state: str(t.state),
    ...(t.lastError ? { problem: str(t.lastError) } : {}),
    ref: { type: "storage", id: str(t.name), enabled: t.state === "ENABLED" },
  }));
}

export function routeRows(fn: string, routes: Obj[]): TriggerRow[] {
  return routes.filter(mine(fn)).map((r) => ({
    kind: "HTTP route",
    name: str(r.routeKey),
    detail: `payload ${str(r.payloadFormat)} · auth ${str(r.authType)}`,
    state: "active",
    ref: { type: "route", id: str(r.id) },
  }));
}

/** A request to the native API. */
export interface ApiRequest {
  method: "POST" | "PATCH" | "DELETE";
  path: string;
  body?: unknown;
}

const seg = encodeURIComponent;

/** The request that enables or disables a trigger; undefined for one that cannot be switched. */
export function switchRequest(ref: TriggerRef, enable: boolean): ApiRequest | undefined {
  switch (ref.type) {
    case "schedule":
      return { method: "POST", path: `/schedules/${seg(ref.id)}/${enable ? "resume" : "pause"}` };
    case "mapping":
      return { method: "PATCH", path: `/triggers/${seg(ref.id)}`, body: { enabled: enable } };
    case "storage":
      return { method: "POST", path: `/storage-triggers/${seg(ref.id)}/${enable ? "enable" : "disable"}` };
    case "route":
      return undefined;
  }
}

export function deleteRequest(ref: TriggerRef): ApiRequest {
  const base = {
    schedule: "/schedules",
    mapping: "/triggers",
    storage: "/storage-triggers",
    route: "/routes",
  };
  return { method: "DELETE", path: `${base[ref.type]}/${seg(ref.id)}` };
}

export interface ScheduleForm {
  name: string;
  expression: string;
  /** Blank: UTC. */
  timezone: string;
  /** Blank: the default Scheduled Event; else JSON sent as the event of every fire. */
  input: string;
}

export type ScheduleField = keyof ScheduleForm;

/** EventBridge Scheduler's Input is at most 8192 characters (as the server checks). */
export const MAX_SCHEDULE_INPUT = 8192;

/** The body of `POST /schedules` for a schedule of function `fn`, or a message per field at fault. */
export function checkScheduleForm(
  form: ScheduleForm,
  fn: string,
): { body: Record<string, string> } | { errors: Partial<Record<ScheduleField, string>> } {
  const errors: Partial<Record<ScheduleField, string>> = {};
  const name = form.name.trim();
  // src/core/schedule.ts's checkScheduleName (that module also makes event ids with node:crypto,
  // which a browser bundle cannot import): EventBridge Scheduler's Name.
  if (!/^[0-9a-zA-Z\-_.]{1,64}$/.test(name))
    errors.name = `name must be 1-64 letters, digits, '-', '_' or '.'; got ${JSON.stringify(name)}`;
  const serverCheck = (field: ScheduleField, check: () => void): void => {
    try {
      check();
    } catch (err) {
      if (!isVajraError(err)) throw err;
      errors[field] = err.message;
    }
  };
  const expression = form.expression.trim();
  serverCheck("expression", () => parseScheduleExpression(expression, "expression"));
  const timezone = form.timezone.trim();
  if (timezone !== "") serverCheck("timezone", () => checkTimezone(timezone, "timezone"));
  const input = form.input.trim();
  if (input !== "") {
    if (input.length > MAX_SCHEDULE_INPUT)
      errors.input = `input is ${input.length} characters; the limit is ${MAX_SCHEDULE_INPUT}`;
    else
      try {
        JSON.parse(input);
      } catch (err) {
        errors.input = `input is not JSON: ${(err as Error).message}`;
      }
  }
  if (Object.keys(errors).length > 0) return { errors };
  return {
    body: {
      name,
      function: fn,
      expression,
      ...(timezone === "" ? {} : { timezone }),
      ...(input === "" ? {} : { input }),
    },
  };
}

/**
 * The form field a refusal of `POST /schedules` is about: the server names it at the start of its
 * message ("expression: 'rate(0 minutes)' is not …", "timezone must be …"), or the code says it (a name
 * in use). Undefined: shown under the form.
 */
export function scheduleFieldOf(code: string, message: string): ScheduleField | undefined {
  if (code === "AlreadyExists") return "name";
  const m = /^(name|expression|timezone|input)\b/.exec(message);
  return m?.[1] as ScheduleField | undefined;
}
