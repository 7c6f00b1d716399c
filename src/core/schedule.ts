// The schedule record (EventBridge Scheduler's Schedule, targeting a Vajra function) and the pure checks
// and shapes around it: names, the default "Scheduled Event" payload, and the schedule's ARN.

import { randomUUID } from "node:crypto";
import { invalid } from "./errors.js";

export type ScheduleState = "ENABLED" | "DISABLED";
export type ActionAfterCompletion = "NONE" | "DELETE";

export interface ScheduleRecord {
  name: string;
  /** Schedule group; Vajra has only `default`. */
  group: string;
  expression: string;
  timezone: string;
  functionName: string;
  qualifier?: string;
  /** What the caller named as the target (a name or an ARN), echoed back as Target.Arn. */
  targetArn: string;
  /** Target.RoleArn of the Scheduler API: accepted and stored, not used. */
  roleArn?: string;
  /** The payload of every fire; absent: the default Scheduled Event (see scheduledEvent). */
  input?: string;
  state: ScheduleState;
  /** FlexibleTimeWindow: null is OFF; else MaximumWindowInMinutes (the grace for a fire missed while down). */
  flexibleWindowMinutes: number | null;
  startDate?: number;
  endDate?: number;
  actionAfterCompletion: ActionAfterCompletion;
  description?: string;
  /** Which API made it: decides the default event's source (aws.events or aws.scheduler). */
  origin: "native" | "scheduler";
  /** Where a rate counts from (creation, or the start date), so restarts keep its phase. */
  anchor: number;
  createdAt: number;
  updatedAt: number;
  /** The latest due time that was fired (or deliberately skipped); kept by the store with each fire. */
  lastDue?: number;
  /** Why the latest fire did not reach the function (e.g. the function was deleted). */
  lastError?: string;
}

export const DEFAULT_SCHEDULE_GROUP = "default";

/** EventBridge Scheduler's Name: 1-64 of letters, digits, '-', '_' and '.'. */
export function checkScheduleName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || !/^[0-9a-zA-Z\-_.]{1,64}$/.test(name))
    throw invalid(
      `${field} must be 1-64 letters, digits, '-', '_' or '.'; got ${JSON.stringify(name ?? null)}`,
    );
  return name;
}

export function scheduleArn(region: string, account: string, group: string, name: string): string {
  return `arn:aws:scheduler:${region}:${account}:schedule/${group}/${name}`;
}

/** AWS writes event times in whole seconds: 2026-01-01T09:00:00Z. */
export function eventTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * The payload of a fire without an input: the "Scheduled Event" EventBridge delivers for a schedule
 * rule (source aws.events; what handlers written for `schedule:` events expect), or with source
 * aws.scheduler for schedules made through the Scheduler API, whose "default notification" has this shape.
 */
export function scheduledEvent(
  s: ScheduleRecord,
  due: number,
  scope: { region: string; account: string },
): Buffer {
  return Buffer.from(
    JSON.stringify({
      version: "0",
      id: randomUUID(),
      "detail-type": "Scheduled Event",
      source: s.origin === "scheduler" ? "aws.scheduler" : "aws.events",
      account: scope.account,
      time: eventTime(due),
      region: scope.region,
      resources: [scheduleArn(scope.region, scope.account, s.group, s.name)],
      detail: {},
    }),
  );
}
