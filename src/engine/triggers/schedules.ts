// Schedules, the first EventSource: one timer per region for the soonest due schedule (not one per
// schedule), at most MAX_FIRES_PER_TICK fires per wake-up, and each fire one Event invocation whose
// queue entry is written in the same transaction as the schedule's last due time — so a due time fires
// once, even across a crash or restart. A fire missed while the server was down runs once at start-up if
// it is still within the schedule's flexible window (default grace: DEFAULT_GRACE_MS), else it is skipped.

import { VajraError, isVajraError } from "../../core/errors.js";
import type { ArnScope } from "../../core/arn-scope.js";
import {
  DEFAULT_SCHEDULE_GROUP,
  scheduleArn,
  scheduledEvent,
  type ScheduleRecord,
} from "../../core/schedule.js";
import {
  latestDueTime,
  nextFireTimes,
  parseScheduleExpression,
  type FireWindow,
  type ScheduleExpression,
} from "../../core/schedule-expression.js";
import type { Store } from "../../store/store.js";
import type { AsyncInvokeSink, EventSource, EventSourceStatus } from "./event-source.js";
import { buildSchedule, scheduleNotFound, type ScheduleInput } from "./schedule-input.js";

export type { ScheduleInput } from "./schedule-input.js";

/** How late a fire may still run when the schedule has no flexible window (a server restart, a busy loop). */
export const DEFAULT_GRACE_MS = 60_000;
const MAX_FIRES_PER_TICK = 50;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ScheduleView extends ScheduleRecord {
  arn: string;
  /** The next due times (ISO), none when disabled or finished. */
  nextFireTimes: string[];
}

export interface ScheduleSourceOptions {
  store: Store;
  sink: AsyncInvokeSink;
  scope: ArnScope;
  /** Throws FunctionNotFound (or InvalidParameter for a qualifier) when the target does not exist. */
  resolve: (functionName: string, qualifier?: string) => void;
  onWarning: (message: string) => void;
  onError: (err: unknown) => void;
}

interface Entry {
  record: ScheduleRecord;
  expr: ScheduleExpression;
  /** The next due time to fire; undefined when disabled or finished. */
  next: number | undefined;
}

function fireWindow(r: ScheduleRecord): FireWindow {
  const w: FireWindow = { timezone: r.timezone, anchorMs: r.anchor };
  if (r.startDate !== undefined) w.startMs = r.startDate;
  if (r.endDate !== undefined) w.endMs = r.endDate;
  return w;
}

export class ScheduleSource implements EventSource {
  readonly kind = "schedule";
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = true;

  constructor(private readonly opts: ScheduleSourceOptions) {}

  async start(): Promise<void> {
    for (const record of await this.opts.store.listSchedules()) {
      // Fires due since the last one (or since the last change) count as missed while down.
      const entry = { record, expr: parseScheduleExpression(record.expression), next: undefined };
      this.entries.set(record.name, entry);
      this.plan(entry, Math.max(record.lastDue ?? -Infinity, record.updatedAt));
    }
    this.stopped = false;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  describe(): EventSourceStatus[] {
    return [...this.entries.values()].map(({ record: r }) => ({
      kind: this.kind,
      name: r.name,
      state: r.state,
      functionName: r.functionName,
      ...(r.lastError === undefined ? {} : { reason: r.lastError }),
    }));
  }

  list(): ScheduleView[] {
    return [...this.entries.values()]
      .sort((a, b) => a.record.name.localeCompare(b.record.name))
      .map((e) => this.view(e, 0));
  }

  get(name: string, upcoming = 5): ScheduleView {
    return this.view(this.entry(name), upcoming);
  }

  async create(name: string, input: ScheduleInput, origin: ScheduleRecord["origin"]): Promise<ScheduleView> {
    if (this.entries.has(name)) throw new VajraError("AlreadyExists", `Schedule ${name} already exists.`);
    return this.save(buildSchedule(name, undefined, input, this.context(origin)));
  }

  update(name: string, input: ScheduleInput): Promise<ScheduleView> {
    const prev = this.entry(name).record;
    return this.save(buildSchedule(name, prev, input, this.context(prev.origin)));
  }

  pause(name: string): Promise<ScheduleView> {
    return this.update(name, { state: "DISABLED" });
  }

  resume(name: string): Promise<ScheduleView> {
    return this.update(name, { state: "ENABLED" });
  }

  /** Deletes the schedule; a fire already under way for it writes nothing (the store finds it gone). */
  async delete(name: string): Promise<void> {
    this.entry(name);
    await this.opts.store.deleteSchedule(DEFAULT_SCHEDULE_GROUP, name);
    this.entries.delete(name);
    this.arm();
  }

  arn(name: string): string {
    return scheduleArn(this.opts.scope.region, this.opts.scope.account, DEFAULT_SCHEDULE_GROUP, name);
  }

  private context(origin: ScheduleRecord["origin"]): Parameters<typeof buildSchedule>[3] {
    return { scope: this.opts.scope, origin, now: Date.now(), resolve: this.opts.resolve };
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (e === undefined) throw scheduleNotFound(name);
    return e;
  }

  private async save(record: ScheduleRecord): Promise<ScheduleView> {
    await this.opts.store.putSchedule(record);
    const entry: Entry = { record, expr: parseScheduleExpression(record.expression), next: undefined };
    this.entries.set(record.name, entry);
    // A change never fires what was due before it (a resumed schedule does not catch up).
    this.plan(entry, Math.max(record.lastDue ?? -Infinity, record.updatedAt));
    this.arm();
    return this.view(entry, 5);
  }

  private view(e: Entry, upcoming: number): ScheduleView {
    const times =
      e.record.state === "ENABLED" && upcoming > 0
        ? nextFireTimes(
            e.expr,
            fireWindow(e.record),
            Math.max(Date.now(), (e.next ?? Infinity) - 1),
            upcoming,
          )
        : [];
    return {
      ...e.record,
      arn: this.arn(e.record.name),
      nextFireTimes: times.map((t) => new Date(t).toISOString()),
    };
  }

  /** Sets the entry's next due time: the first one after `after`. */
  private plan(e: Entry, after: number): void {
    e.next =
      e.record.state === "ENABLED" ? nextFireTimes(e.expr, fireWindow(e.record), after, 1)[0] : undefined;
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    let soonest = Infinity;
    for (const e of this.entries.values()) if (e.next !== undefined && e.next < soonest) soonest = e.next;
    if (soonest === Infinity) return;
    this.timer = setTimeout(
      () => void this.tick(),
      Math.min(MAX_TIMER_MS, Math.max(0, soonest - Date.now())),
    );
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const now = Date.now();
      const due = [...this.entries.values()]
        .filter((e) => e.next !== undefined && e.next <= now)
        .sort((a, b) => (a.next ?? 0) - (b.next ?? 0))
        .slice(0, MAX_FIRES_PER_TICK);
      for (const e of due) {
        if (this.stopped) break;
        try {
          await this.fire(e, now);
        } catch (err) {
          this.opts.onError(err);
          // Try that due time again a little later rather than spin on it.
          if (this.entries.get(e.record.name) === e) e.next = Math.max(e.next ?? now, now + 5000);
        }
      }
    } finally {
      this.ticking = false;
      this.arm();
    }
  }

  private async fire(e: Entry, now: number): Promise<void> {
    const r = e.record;
    let due = e.next as number; // chosen by tick for a defined next
    const grace = r.flexibleWindowMinutes === null ? DEFAULT_GRACE_MS : r.flexibleWindowMinutes * 60_000;
    if (now - due > grace) {
      // Late (the server was down or stalled): only the latest missed due time may still run.
      const latest = latestDueTime(e.expr, fireWindow(r), due - 1, now);
      if (latest === undefined || now - latest > grace) {
        this.opts.onWarning(`schedule ${r.name}: skipped the fires due since ${new Date(due).toISOString()}`);
        this.plan(e, now);
        return;
      }
      due = latest;
    }
    const payload = r.input !== undefined ? Buffer.from(r.input) : scheduledEvent(r, due, this.opts.scope);
    const { store } = this.opts;
    let error: string | undefined;
    try {
      await this.opts.sink.invokeAsync(r.functionName, payload, r.qualifier, (item) =>
        store.fireSchedule(r.group, r.name, due, item),
      );
    } catch (err) {
      if (isVajraError(err) && err.code === "ShuttingDown") return;
      if (!isVajraError(err) || !err.userError) throw err;
      // The target is gone (deleted function or alias): as on AWS the schedule stays and this fire fails.
      error = `${new Date(due).toISOString()}: ${err.message}`;
      await store.fireSchedule(r.group, r.name, due, undefined, error);
      this.opts.onWarning(`schedule ${r.name}: ${error}`);
    }
    if (this.entries.get(r.name) !== e) return; // deleted or replaced meanwhile
    r.lastDue = due;
    if (error === undefined) delete r.lastError;
    else r.lastError = error;
    this.plan(e, due);
    if (e.next === undefined && e.expr.kind === "at" && r.actionAfterCompletion === "DELETE")
      await this.delete(r.name);
  }
}
