import { describe, expect, it } from "vitest";
import {
  checkEventJson,
  checkEventName,
  deleteEvent,
  loadEvents,
  saveEvent,
  TEMPLATES,
  templateText,
} from "./test-events.ts";

function memoryStore() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    map: m,
  };
}

describe("test events", () => {
  it("accepts JSON and says where invalid JSON breaks", () => {
    expect(checkEventJson('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    const bad = checkEventJson('{\n  "a": 1,\n  oops\n}');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/not valid JSON \(line 3, column 3\)/);
    expect(checkEventJson("  ")).toEqual({ ok: false, message: expect.stringMatching(/empty/) as unknown });
  });

  it("saves events per function by name, replacing one of the same name", () => {
    const s = memoryStore();
    saveEvent(s, "fn", { name: "b", json: "{}" });
    saveEvent(s, "fn", { name: "a", json: "1" });
    saveEvent(s, "fn", { name: "b", json: "2" });
    expect(loadEvents(s, "fn")).toEqual([
      { name: "a", json: "1" },
      { name: "b", json: "2" },
    ]);
    expect(loadEvents(s, "other")).toEqual([]);
    expect(deleteEvent(s, "fn", "a")).toEqual([{ name: "b", json: "2" }]);
  });

  it("treats a damaged store as empty", () => {
    const s = memoryStore();
    s.setItem("vajra.console.events.fn", "{not json");
    expect(loadEvents(s, "fn")).toEqual([]);
    s.setItem("vajra.console.events.fn", JSON.stringify([{ name: 1 }, { name: "ok", json: "{}" }]));
    expect(loadEvents(s, "fn")).toEqual([{ name: "ok", json: "{}" }]);
  });

  it("checks event names", () => {
    expect(checkEventName("my event-1")).toBeUndefined();
    expect(checkEventName("")).toMatch(/1 to 40/);
    expect(checkEventName("x".repeat(41))).toMatch(/1 to 40/);
  });

  it("has templates for HTTP routes, S3 and schedules that are valid JSON", () => {
    for (const t of TEMPLATES) expect(checkEventJson(templateText(t.id)).ok).toBe(true);
    const http = JSON.parse(templateText("apigw-v2")) as {
      version: string;
      requestContext: { http: { method: string } };
    };
    expect(http.version).toBe("2.0");
    expect(http.requestContext.http.method).toBe("GET");
    const s3 = JSON.parse(templateText("s3-put")) as { Records: { eventSource: string }[] };
    expect(s3.Records[0]?.eventSource).toBe("aws:s3");
    expect((JSON.parse(templateText("schedule")) as { "detail-type": string })["detail-type"]).toBe(
      "Scheduled Event",
    );
    expect((JSON.parse(templateText("apigw-v1")) as { httpMethod: string }).httpMethod).toBe("GET");
    expect((JSON.parse(templateText("rabbitmq")) as { eventSource: string }).eventSource).toBe("aws:rmq");
    const nats = JSON.parse(templateText("nats")) as { Records: { eventSource: string }[] };
    expect(nats.Records[0]?.eventSource).toBe("vajra:nats");
  });
});
