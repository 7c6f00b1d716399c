// Turns a schedule request (native API, CLI or the EventBridge Scheduler API) into a checked
// ScheduleRecord: every field validated with a message naming it, before anything is stored.

import { VajraError, invalid, isVajraError } from "../../core/errors.js";
import type { ArnScope } from "../../core/arn-scope.js";
import {
  DEFAULT_SCHEDULE_GROUP,
  checkScheduleName,
  type ActionAfterCompletion,
  type ScheduleRecord,
  type ScheduleState,
} from "../../core/schedule.js";
import { checkTimezone, parseScheduleExpression } from "../../core/schedule-expression.js";

/** The fields a create sets and an update may change (undefined: unchanged; null: cleared). */
export interface ScheduleInput {
  expression?: string;
  timezone?: string;
  /** A function name (`name` or `name:qualifier`) or a Lambda function ARN of this region. */
  target?: string;
  qualifier?: string | null;
  roleArn?: string | null;
  input?: string | null;
  state?: ScheduleState;
  /** null: FlexibleTimeWindow OFF; minutes: FLEXIBLE with that MaximumWindowInMinutes (1-1440). */
  flexibleWindowMinutes?: number | null;
  startDate?: number | null;
  endDate?: number | null;
  actionAfterCompletion?: ActionAfterCompletion;
  description?: string | null;
}

/** Largest input payload (EventBridge Scheduler's Target.Input is at most 8192 characters). */
const MAX_INPUT_CHARS = 8192;

const FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):([0-9]{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]{1,128}))?$/;

/** The function (and qualifier) a target names. */
export function parseTarget(
  target: string,
  qualifier: string | undefined,
  scope: ArnScope,
): { functionName: string; qualifier?: string } {
  let name: string;
  let q: string | undefined;
  if (target.startsWith("arn:")) {
    const m = FUNCTION_ARN.exec(target);
    if (m === null) throw invalid(`function: '${target}' is not a Lambda function ARN`);
    if (m[1] !== scope.region || m[2] !== scope.account)
      throw invalid(
        `function: '${target}' is in ${m[1] ?? ""}/${m[2] ?? ""}; a schedule targets functions of its own region and account (${scope.region}/${scope.account})`,
      );
    name = m[3] ?? "";
    q = m[4];
  } else {
    const m = /^([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]{1,128}))?$/.exec(target);
    if (m === null)
      throw invalid(`function: '${target}' is not a function name, name:qualifier or function ARN`);
    name = m[1] ?? "";
    q = m[2];
  }
  if (qualifier !== undefined && q !== undefined && qualifier !== q)
    throw invalid(`qualifier: '${qualifier}' contradicts the qualifier '${q}' in function '${target}'`);
  q = qualifier ?? q;
  return q === undefined ? { functionName: name } : { functionName: name, qualifier: q };
}

function checkDate(value: number | null | undefined, field: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isFinite(value)) throw invalid(`${field} must be a date`);
  return value;
}

/**
 * Applies `input` to `prev` (or to nothing, for a create) and checks the result. `resolve` throws when
 * the target function (or its qualifier) does not exist.
 */
export function buildSchedule(
  name: string,
  prev: ScheduleRecord | undefined,
  input: ScheduleInput,
  ctx: {
    scope: ArnScope;
    origin: ScheduleRecord["origin"];
    now: number;
    resolve: (functionName: string, qualifier?: string) => void;
  },
): ScheduleRecord {
  checkScheduleName(name);
  const expression = input.expression ?? prev?.expression;
  parseScheduleExpression(expression, "expression");
  const timezone = checkTimezone(input.timezone ?? prev?.timezone ?? "UTC", "timezone");
  const targetText = input.target ?? prev?.targetArn;
  if (targetText === undefined || targetText === "")
    throw invalid("function is required (a function name or ARN)");
  const qualifier =
    input.qualifier === null
      ? undefined
      : (input.qualifier ?? (input.target === undefined ? prev?.qualifier : undefined));
  const target = parseTarget(targetText, qualifier, ctx.scope);
  try {
    ctx.resolve(target.functionName, target.qualifier);
  } catch (err) {
    if (isVajraError(err) && (err.code === "FunctionNotFound" || err.code === "InvalidParameter"))
      throw invalid(`function: ${err.message}`);
    throw err;
  }
  const state = input.state ?? prev?.state ?? "ENABLED";
  if (state !== "ENABLED" && state !== "DISABLED")
    throw invalid(`state must be ENABLED or DISABLED; got ${JSON.stringify(state)}`);
  const window =
    input.flexibleWindowMinutes === undefined
      ? (prev?.flexibleWindowMinutes ?? null)
      : input.flexibleWindowMinutes;
  if (window !== null && (!Number.isInteger(window) || window < 1 || window > 1440))
    throw invalid(
      `flexibleWindow must be a whole number of minutes from 1 to 1440 (or OFF); got ${String(window)}`,
    );
  const payload = input.input === null ? undefined : (input.input ?? prev?.input);
  if (payload !== undefined && payload.length > MAX_INPUT_CHARS)
    throw invalid(`input is ${payload.length} characters; the limit is ${MAX_INPUT_CHARS}`);
  const startDate = checkDate(input.startDate === undefined ? prev?.startDate : input.startDate, "startDate");
  const endDate = checkDate(input.endDate === undefined ? prev?.endDate : input.endDate, "endDate");
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate)
    throw invalid("endDate must be after startDate");
  const action = input.actionAfterCompletion ?? prev?.actionAfterCompletion ?? "NONE";
  if (action !== "NONE" && action !== "DELETE")
    throw invalid(`actionAfterCompletion must be NONE or DELETE; got ${JSON.stringify(action)}`);
  const description = input.description === null ? undefined : (input.description ?? prev?.description);
  if (description !== undefined && description.length > 512)
    throw invalid("description must be at most 512 characters");
  const roleArn = input.roleArn === null ? undefined : (input.roleArn ?? prev?.roleArn);
  // A rate keeps its phase across updates unless what it counts from changes.
  const rephase = prev === undefined || input.expression !== undefined || input.startDate !== undefined;
  const record: ScheduleRecord = {
    name,
    group: DEFAULT_SCHEDULE_GROUP,
    expression: expression as string, // parsed above
    timezone,
    functionName: target.functionName,
    targetArn: targetText,
    state,
    flexibleWindowMinutes: window,
    actionAfterCompletion: action,
    origin: prev?.origin ?? ctx.origin,
    anchor: rephase ? (startDate ?? ctx.now) : prev.anchor,
    createdAt: prev?.createdAt ?? ctx.now,
    updatedAt: ctx.now,
  };
  if (target.qualifier !== undefined) record.qualifier = target.qualifier;
  if (roleArn !== undefined) record.roleArn = roleArn;
  if (payload !== undefined) record.input = payload;
  if (startDate !== undefined) record.startDate = startDate;
  if (endDate !== undefined) record.endDate = endDate;
  if (description !== undefined) record.description = description;
  if (prev?.lastDue !== undefined) record.lastDue = prev.lastDue;
  if (prev?.lastError !== undefined) record.lastError = prev.lastError;
  return record;
}

export function scheduleNotFound(name: string): VajraError {
  return new VajraError("ScheduleNotFound", `Schedule ${name} does not exist.`);
}
