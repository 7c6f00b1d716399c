import { describe, expect, it } from "vitest";
import { mappingRows, routeRows, scheduleRows, storageRows } from "./triggers.ts";

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
      { kind: "Schedule", name: "nightly", detail: "cron(0 3 * * ? *) (Europe/Paris)", state: "ENABLED" },
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
    });
    expect(rows[1]?.problem).toBe("PROBLEM: connection refused");
    expect(
      storageRows("f", [
        {
          name: "in",
          kind: "directory",
          function: "f",
          path: "/data/in",
          state: "enabled",
          lastError: "gone",
        },
      ]),
    ).toEqual([
      { kind: "Storage (directory)", name: "in", detail: "/data/in", state: "enabled", problem: "gone" },
    ]);
    expect(
      routeRows("f", [{ routeKey: "GET /x", function: "f", payloadFormat: "2.0", authType: "NONE" }])[0]
        ?.detail,
    ).toBe("payload 2.0 · auth NONE");
  });
});
