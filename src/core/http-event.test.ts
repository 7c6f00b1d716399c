import { test } from "node:test";
import assert from "node:assert/strict";
import { fromFunctionResult, toHttpEvent } from "./http-event.js";

const base = {
  method: "POST",
  rawPath: "/items/7",
  rawQueryString: "a=1&b=x%20y&a=2",
  headers: {
    "content-type": "application/json",
    cookie: "s=1; t=2",
    "x-multi": ["p", "q"],
    "user-agent": "curl/8",
  },
  body: Buffer.from('{"n":1}'),
  sourceIp: "127.0.0.1",
  urlId: "abc",
  domainName: "127.0.0.1:8700",
  requestId: "rid",
  now: new Date("2026-03-10T13:49:02Z"),
};

test("an HTTP request becomes a payload format 2.0 event", () => {
  interface Event2 {
    version: string;
    routeKey: string;
    rawPath: string;
    cookies: string[];
    headers: Record<string, string | undefined>;
    queryStringParameters: Record<string, string>;
    body: string;
    isBase64Encoded: boolean;
    requestContext: { http: { method: string; userAgent: string }; time: string };
  }
  const e = toHttpEvent(base) as unknown as Event2;
  assert.equal(e.version, "2.0");
  assert.equal(e.routeKey, "$default");
  assert.equal(e.rawPath, "/items/7");
  assert.deepEqual(e.cookies, ["s=1", "t=2"]);
  assert.equal(e.headers["x-multi"], "p,q");
  assert.equal(e.headers.cookie, undefined);
  assert.deepEqual(e.queryStringParameters, { a: "1,2", b: "x y" });
  assert.equal(e.body, '{"n":1}');
  assert.equal(e.isBase64Encoded, false);
  assert.equal(e.requestContext.http.method, "POST");
  assert.equal(e.requestContext.http.userAgent, "curl/8");
  assert.equal(e.requestContext.time, "10/Mar/2026:13:49:02 +0000");
});

test("binary bodies are base64-encoded", () => {
  const e = toHttpEvent({
    ...base,
    headers: { "content-type": "application/octet-stream" },
    body: Buffer.from([0, 255, 1]),
  });
  assert.equal(e.isBase64Encoded, true);
  assert.equal(e.body, "AP8B");
});

test("a result with statusCode maps to the response; anything else is a 200 JSON body", () => {
  const r = fromFunctionResult(
    Buffer.from(JSON.stringify({ statusCode: 201, headers: { "X-A": "1" }, body: "hi", cookies: ["c=1"] })),
  );
  assert.equal(r.statusCode, 201);
  assert.equal(r.headers["x-a"], "1");
  assert.deepEqual(r.cookies, ["c=1"]);
  assert.equal(r.body.toString(), "hi");
  const b64 = fromFunctionResult(
    Buffer.from(JSON.stringify({ statusCode: 200, body: "AP8B", isBase64Encoded: true })),
  );
  assert.deepEqual([...b64.body], [0, 255, 1]);
  const plain = fromFunctionResult(Buffer.from('{"hello":"world"}'));
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.headers["content-type"], "application/json");
  assert.equal(plain.body.toString(), '{"hello":"world"}');
});
