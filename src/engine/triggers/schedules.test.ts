import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { VajraError } from "../../core/errors.js";
import type { ScheduleRecord } from "../../core/schedule.js";
import type { QueuedInvocation } from "../../core/types.js";
import { SqliteStore } from "../../store/sqlite-store.js";
import type { Store } from "../../store/store.js";
import type { AsyncInvokeSink } from "./event-source.js";
import { ScheduleSource } from "./schedules.js";

const HOUR = 3_600_000;

function record(overrides: Partial<ScheduleRecord>): ScheduleRecord {
  return {
    name: "s",
    group: "default",
    expression: "rate(1 hour)",
    timezone: "UTC",
    functionName: "f",
    targetArn: "f",
    state: "ENABLED",
    flexibleWindowMinutes: null,
    actionAfterCompletion: "NONE",
    origin: "native",
    anchor: 0,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

/** The queue's entry point as the Region gives it: commit writes the queued event with the bookkeeping. */
function queueSink(fired: QueuedInvocation[], missing = false): AsyncInvokeSink {
  return {
    async invokeAsync(functionName, payload, qualifier, commit) {
      if (missing) throw new VajraError("FunctionNotFound", `Function not found: ${functionName}`);
      const now = Date.now();
      const item: QueuedInvocation = {
        requestId: randomUUID(),
        functionName,
        ...(qualifier === undefined ? {} : { qualifier }),
        payload: payload.toString("base64"),
        attempts: 0,
        enqueuedAt: now,
        notBefore: now,
      };
      if (!(await commit(item))) return undefined;
      fired.push(item);
      return item.requestId;
    },
  };
}

function source(store: Store, sink: AsyncInvokeSink, warnings: string[] = []): ScheduleSource {
  return new ScheduleSource({
    store,
    sink,
    scope: { region: "us-east-1", account: "000000000000" },
    resolve: () => undefined,
    onWarning: (m) => warnings.push(m),
    onError: (err) => assert.fail(String(err)),
  });
}

async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(await cond(), "the condition did not come true within 5 s");
}

async function stored(store: Store): Promise<ScheduleRecord> {
  const [s] = await store.listSchedules();
  assert.ok(s !== undefined);
  return s;
}

test("a fire missed while down runs once at start when within the grace, and older ones are skipped", async () => {
  const store = new SqliteStore(":memory:");
  const now = Date.now();
  const anchor = now - 95_000;
  await store.putSchedule(record({ expression: "rate(10 seconds)", anchor, updatedAt: anchor }));
  await store.fireSchedule("default", "s", anchor + 10_000);
  const fired: QueuedInvocation[] = [];
  const src = source(store, queueSink(fired));
  await src.start();
  try {
    await until(() => fired.length === 1);
    // Nine due times were missed; only the latest (5 s ago, within the 60 s grace) ran.
    assert.equal((await stored(store)).lastDue, anchor + 90_000);
    const event = JSON.parse(Buffer.from(fired[0]?.payload ?? "", "base64").toString()) as { time: string };
    assert.equal(
      event.time,
      new Date(Math.floor((anchor + 90_000) / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    );
    assert.equal((await store.listQueuedInvocations()).length, 1);
  } finally {
    src.stop();
    await store.close();
  }
});

test("a missed fire past the grace is skipped; within the flexible window it runs", async () => {
  for (const window of [null, 60]) {
    const store = new SqliteStore(":memory:");
    const anchor = Date.now() - 3.5 * HOUR;
    await store.putSchedule(record({ anchor, updatedAt: anchor, flexibleWindowMinutes: window }));
    await store.fireSchedule("default", "s", anchor + HOUR);
    const fired: QueuedInvocation[] = [];
    const warnings: string[] = [];
    const src = source(store, queueSink(fired), warnings);
    await src.start();
    try {
      if (window === null) {
        await until(() => warnings.some((w) => w.includes("skipped")));
        assert.deepEqual(fired, []);
        assert.equal((await stored(store)).lastDue, anchor + HOUR);
      } else {
        await until(() => fired.length === 1);
        assert.equal((await stored(store)).lastDue, anchor + 3 * HOUR);
      }
      assert.equal(src.get("s").nextFireTimes[0], new Date(anchor + 4 * HOUR).toISOString());
    } finally {
      src.stop();
      await store.close();
    }
  }
});

test("two timers on one store fire a due time once", async () => {
  const store = new SqliteStore(":memory:");
  const anchor = Date.now() - 30 * 60_000 - 1000;
  await store.putSchedule(record({ expression: "rate(30 minutes)", anchor, updatedAt: anchor }));
  const fired: QueuedInvocation[] = [];
  const [a, b] = [source(store, queueSink(fired)), source(store, queueSink(fired))];
  await a.start();
  await b.start();
  try {
    await until(async () => (await stored(store)).lastDue === anchor + 30 * 60_000);
    await until(() => a.get("s").lastDue !== undefined && b.get("s").lastDue !== undefined);
    assert.equal(fired.length, 1);
    assert.equal((await store.listQueuedInvocations()).length, 1);
  } finally {
    a.stop();
    b.stop();
    await store.close();
  }
});

test("a schedule whose function is gone stays, and its fire records why it failed", async () => {
  const store = new SqliteStore(":memory:");
  const anchor = Date.now() - HOUR - 1000;
  await store.putSchedule(record({ anchor, updatedAt: anchor }));
  const src = source(store, queueSink([], true));
  await src.start();
  try {
    await until(async () => (await stored(store)).lastError !== undefined);
    const s = await stored(store);
    assert.match(s.lastError ?? "", /Function not found: f/);
    assert.equal(s.lastDue, anchor + HOUR);
    assert.deepEqual(await store.listQueuedInvocations(), []);
    assert.equal(src.list().length, 1);
  } finally {
    src.stop();
    await store.close();
  }
});

test("a paused schedule has no next fire and resuming does not catch up", async () => {
  const store = new SqliteStore(":memory:");
  const fired: QueuedInvocation[] = [];
  const src = source(store, queueSink(fired));
  await src.start();
  try {
    const created = await src.create("p", { target: "f", expression: "rate(1 hour)" }, "native");
    assert.equal(created.nextFireTimes.length, 5);
    assert.deepEqual((await src.pause("p")).nextFireTimes, []);
    const resumed = await src.resume("p");
    assert.ok(Date.parse(resumed.nextFireTimes[0] ?? "") > Date.now());
    await src.delete("p");
    assert.throws(() => src.get("p"), /Schedule p does not exist/);
    assert.deepEqual(fired, []);
  } finally {
    src.stop();
    await store.close();
  }
});

test("an at() schedule fires once and, with actionAfterCompletion DELETE, is then deleted", async () => {
  const store = new SqliteStore(":memory:");
  const fired: QueuedInvocation[] = [];
  const src = source(store, queueSink(fired));
  await src.start();
  try {
    const local = new Date(Date.now() + 1500).toISOString().slice(0, 19);
    const keep = await src.create("keep", { target: "f", expression: `at(${local})` }, "native");
    await src.create(
      "once",
      { target: "f", expression: `at(${local})`, actionAfterCompletion: "DELETE" },
      "scheduler",
    );
    assert.equal(keep.nextFireTimes.length, 1);
    await until(() => fired.length === 2 && src.list().length === 1);
    // Without DELETE the finished schedule stays, with no next fire.
    assert.deepEqual(src.get("keep").nextFireTimes, []);
    assert.equal(src.get("keep").lastDue, Date.parse(`${local}Z`));
    assert.deepEqual(
      (await store.listSchedules()).map((s) => s.name),
      ["keep"],
    );
    const sources = fired.map(
      (f) => (JSON.parse(Buffer.from(f.payload, "base64").toString()) as { source: string }).source,
    );
    assert.deepEqual(sources.sort(), ["aws.events", "aws.scheduler"]);
  } finally {
    src.stop();
    await store.close();
  }
});
