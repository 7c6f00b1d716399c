import { describe, expect, it } from "vitest";
import {
  checkScheduleForm,
  deleteRequest,
  scheduleFieldOf,
  mappingRows,
  routeRows,
  scheduleRows,
  storageRows,
  switchRequest,
} from "./triggers.ts";

describe("triggers of a function", () => {
  it("keeps only the function's own and says what each is", () => {
    const schedules = [
      {
        name: "nightly",
        function: "f",
        expression: "cron(0 3 * * ? *)",
        timezone: "Europe/Paris",
        state: "ENABLED",
      },
      { name: "other", function: "g", expression: "rate(1 minute)", state: "ENABLED" },
    ];
    expect(scheduleRows("f", schedules)).toEqual([
      {
        kind: "Schedule",
        name: "nightly",
        detail: "cron(0 3 * * ? *) (Europe/Paris)",
        state: "ENABLED",
        ref: { type: "schedule", id: "nightly", enabled: true },
      },
    ]);
    const mappings = [
      {
        uuid: "u1",
        kind: "nats",
        source: "ORDERS",
        function: "f",
        batchSize: 10,
        processed: 4,
        state: "Enabled",
        lastProcessingResult: "OK",
      },
      {
        uuid: "u2",
        kind: "mqtt",
        source: "t",
        function: "f",
        batchSize: 1,
        state: "Enabled",
        lastProcessingResult: "PROBLEM: connection refused",
      },
    ];
    const rows = mappingRows("f", mappings);
    expect(rows[0]).toEqual({
      kind: "Event source (nats)",
      name: "u1",
      detail: "ORDERS · batch 10 · 4 processed",
      state: "Enabled",
      ref: { type: "mapping", id: "u1", enabled: true },
    });
    expect(rows[1]?.problem).toBe("PROBLEM: connection refused");
    expect(
      storageRows("f", [
        {
          name: "in",
          kind: "directory",
          function: "f",
          path: "/data/in",
          state: "DISABLED",
          lastError: "gone",
        },
      ]),
    ).toEqual([
      {
        kind: "Storage (directory)",
        name: "in",
        detail: "/data/in",
        state: "DISABLED",
        problem: "gone",
        ref: { type: "storage", id: "in", enabled: false },
      },
    ]);
    expect(
      routeRows("f", [{ routeKey: "GET /x", function: "f", payloadFormat: "2.0", authType: "NONE" }])[0]
        ?.detail,
    ).toBe("payload 2.0 · auth NONE");
  });
});

describe("changing a trigger", () => {
  it("switches each kind through its own route, and deletes by name, uuid or id", () => {
    expect(switchRequest({ type: "schedule", id: "a b", enabled: true }, false)).toEqual({
      method: "POST",
      path: "/schedules/a%20b/pause",
    });
    expect(switchRequest({ type: "schedule", id: "n", enabled: false }, true)?.path).toBe(
      "/schedules/n/resume",
    );
    expect(switchRequest({ type: "mapping", id: "u1", enabled: true }, false)).toEqual({
      method: "PATCH",
      path: "/triggers/u1",
      body: { enabled: false },
    });
    expect(switchRequest({ type: "storage", id: "in" }, true)?.path).toBe("/storage-triggers/in/enable");
    expect(switchRequest({ type: "route", id: "r1" }, false)).toBeUndefined();
    expect(deleteRequest({ type: "route", id: "r1" })).toEqual({ method: "DELETE", path: "/routes/r1" });
    expect(deleteRequest({ type: "mapping", id: "u1" }).path).toBe("/triggers/u1");
    expect(deleteRequest({ type: "storage", id: "in" }).path).toBe("/storage-triggers/in");
    expect(deleteRequest({ type: "schedule", id: "n" }).path).toBe("/schedules/n");
  });
});

describe("a new schedule's checks (the server's expression parser)", () => {
  const form = { name: "every-5", expression: "rate(5 minutes)", timezone: "", input: "" };

  it("makes the create body for this function", () => {
    expect(checkScheduleForm(form, "f")).toEqual({
      body: { name: "every-5", function: "f", expression: "rate(5 minutes)" },
    });
    expect(
      checkScheduleForm(
        { ...form, expression: " cron(0 3 * * ? *) ", timezone: "Europe/Paris", input: '{"a": 1}' },
        "f",
      ),
    ).toEqual({
      body: {
        name: "every-5",
        function: "f",
        expression: "cron(0 3 * * ? *)",
        timezone: "Europe/Paris",
        input: '{"a": 1}',
      },
    });
  });

  it("refuses what the server refuses, each beside its field", () => {
    const r = checkScheduleForm(
      { name: "a b", expression: "rate(1 minutes)", timezone: "Mars/Olympus", input: "{" },
      "f",
    );
    expect("errors" in r && r.errors).toMatchObject({
      name: expect.stringContaining("1-64 letters") as string,
      expression: expect.stringContaining("write rate(1 minute) or rate(N minutes)") as string,
      timezone: expect.stringContaining("is not an IANA time zone") as string,
      input: expect.stringContaining("input is not JSON") as string,
    });
    expect(checkScheduleForm({ ...form, expression: "cron(0 3 * * * *)" }, "f")).toHaveProperty(
      "errors.expression",
      expect.stringContaining("exactly one of day-of-month and day-of-week must be '?'") as string,
    );
    expect(checkScheduleForm({ ...form, expression: "" }, "f")).toHaveProperty("errors.expression");
    expect(checkScheduleForm({ ...form, input: `"${"x".repeat(9000)}"` }, "f")).toHaveProperty(
      "errors.input",
      "input is 9002 characters; the limit is 8192",
    );
  });
});

describe("where a server refusal of a schedule goes", () => {
  it("beside the field the message names, or the name when it is in use", () => {
    expect(scheduleFieldOf("InvalidParameter", "expression: 'rate(0 minutes)' is not a valid")).toBe(
      "expression",
    );
    expect(scheduleFieldOf("InvalidParameter", "timezone must be an IANA time zone name")).toBe("timezone");
    expect(scheduleFieldOf("AlreadyExists", "Schedule n already exists.")).toBe("name");
    expect(scheduleFieldOf("InvalidParameter", "function: no function named f")).toBeUndefined();
  });
});
