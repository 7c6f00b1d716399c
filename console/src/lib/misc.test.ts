import { describe, expect, it } from "vitest";
import { ApiError, decodeLogTail, errorOf, logQueryString } from "./api.ts";
import { filterRows, nextSort, sortRows, type FunctionRow } from "./list.ts";
import { checkKeyInput, forgetKey, loadKey, loadSessionKeyId, saveKey } from "./session.ts";
import { sseParser, type SseEvent } from "./sse.ts";
import { parseRoute, hrefOf } from "../route.ts";

const row = (name: string, invocations: number | null, runtime = "python3.12"): FunctionRow => ({
  name,
  runtime,
  memorySize: 128,
  lastModified: "2026-01-01T00:00:00Z",
  invocations,
  errors: 0,
  p95Ms: null,
  warm: 0,
});

describe("functions list", () => {
  it("searches by name or runtime", () => {
    const rows = [row("alpha", 1), row("beta", 2, "nodejs22.x")];
    expect(filterRows(rows, "ALP").map((r) => r.name)).toEqual(["alpha"]);
    expect(filterRows(rows, "nodejs").map((r) => r.name)).toEqual(["beta"]);
    expect(filterRows(rows, " ")).toHaveLength(2);
  });

  it("sorts either way with unknown values last", () => {
    const rows = [row("a", 5), row("b", null), row("c", 9)];
    expect(sortRows(rows, { key: "invocations", descending: false }).map((r) => r.name)).toEqual([
      "a",
      "c",
      "b",
    ]);
    expect(sortRows(rows, { key: "invocations", descending: true }).map((r) => r.name)).toEqual([
      "c",
      "a",
      "b",
    ]);
    expect(nextSort({ key: "name", descending: false }, "name")).toEqual({ key: "name", descending: true });
    expect(nextSort({ key: "name", descending: true }, "errors")).toEqual({
      key: "errors",
      descending: false,
    });
  });
});

describe("session key", () => {
  it("keeps the key in the given storage and forgets it", () => {
    const m = new Map<string, string>();
    const s = {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
    };
    expect(loadKey(s)).toBeUndefined();
    saveKey(s, "vjk_abc");
    expect(loadKey(s)).toBe("vjk_abc");
    forgetKey(s);
    expect(loadKey(s)).toBeUndefined();
  });

  it("keeps a key-pair session's key id beside its key, and forgets both", () => {
    const m = new Map<string, string>();
    const s = {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
    };
    saveKey(s, "vjk_session", "id-1");
    expect(loadSessionKeyId(s)).toBe("id-1");
    saveKey(s, "vjk_typed");
    expect(loadSessionKeyId(s)).toBeUndefined();
    saveKey(s, "vjk_session", "id-2");
    forgetKey(s);
    expect([loadKey(s), loadSessionKeyId(s), m.size]).toEqual([undefined, undefined, 0]);
  });

  it("refuses an empty key or one with spaces before sending it", () => {
    expect(checkKeyInput("")).toMatch(/Enter an API key/);
    expect(checkKeyInput("a b")).toMatch(/no spaces/);
    expect(checkKeyInput(" vjk_x ")).toBeUndefined();
  });
});

describe("server-sent events", () => {
  it("assembles events split across chunks and skips comments", () => {
    const got: SseEvent[] = [];
    const push = sseParser((e) => got.push(e));
    push(": following\n\nevent: log\nda");
    push('ta: {"a":1}\n\nevent: dropped\r\ndata: {"dropped":3}\r\n\r\n: heartbeat\n\n');
    expect(got).toEqual([
      { event: "log", data: '{"a":1}' },
      { event: "dropped", data: '{"dropped":3}' },
    ]);
  });
});

describe("API client helpers", () => {
  it("reads the native error body with its field", async () => {
    const res = new Response(
      JSON.stringify({
        error: { code: "InvalidParameter", message: "bad", details: { field: "memorySize" } },
      }),
      {
        status: 400,
      },
    );
    const e = await errorOf(res);
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message, e.field]).toEqual([400, "InvalidParameter", "bad", "memorySize"]);
  });

  it("describes an answer that is not the error shape", async () => {
    const e = await errorOf(new Response("<html>", { status: 502, statusText: "Bad Gateway" }));
    expect([e.code, e.message]).toEqual(["HTTP502", "the server answered HTTP 502 Bad Gateway"]);
  });

  it("builds log queries and decodes the log tail", () => {
    expect(logQueryString({ filter: "ERROR", errors: true, since: "1h", limit: 5 }, true)).toBe(
      "events=1&filter=ERROR&errors=1&since=1h&limit=5&follow=1",
    );
    expect(decodeLogTail(btoa("START RequestId: x\n"))).toBe("START RequestId: x\n");
    expect(decodeLogTail(null)).toBe("");
  });
});

describe("routes", () => {
  it("reads and writes hash routes", () => {
    expect(parseRoute("")).toEqual({ page: "list" });
    expect(parseRoute("#/functions/my%20fn/test")).toEqual({ page: "function", name: "my fn", tab: "test" });
    expect(parseRoute("#/functions/f/unknown")).toEqual({ page: "function", name: "f", tab: "config" });
    expect(hrefOf({ page: "function", name: "a/b", tab: "logs" })).toBe("#/functions/a%2Fb/logs");
    expect(parseRoute("#/cost")).toEqual({ page: "cost" });
    expect(hrefOf({ page: "cost" })).toBe("#/cost");
  });
});
