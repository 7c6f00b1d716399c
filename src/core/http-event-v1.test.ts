// Payload format 1.0: the REST API proxy event and the strict result mapping (malformed -> undefined,
// which the route handler answers with 502).

import { test } from "node:test";
import assert from "node:assert/strict";
import { fromV1Result, toV1Event } from "./http-event-v1.js";

const base = {
  method: "GET",
  path: "/users/7",
  rawQueryString: "a=1&a=2&b=x%20y",
  headers: { host: "h.example", "user-agent": "ua", accept: ["a", "b"] },
  body: Buffer.alloc(0),
  resource: "/users/{id}",
  pathParameters: { id: "7" },
  sourceIp: "127.0.0.1",
  accountId: "000000000000",
  apiId: "vajra",
  domainName: "h.example",
  requestId: "rid",
  now: new Date("2026-12-04T12:00:00Z"),
};

test("builds the REST API proxy event", () => {
  const e = toV1Event(base);
  assert.equal(e.resource, "/users/{id}");
  assert.equal(e.httpMethod, "GET");
  assert.deepEqual(e.queryStringParameters, { a: "2", b: "x y" });
  assert.deepEqual(e.multiValueQueryStringParameters, { a: ["1", "2"], b: ["x y"] });
  assert.deepEqual(e.pathParameters, { id: "7" });
  assert.equal(e.stageVariables, null);
  assert.equal((e.headers as Record<string, string>).accept, "b");
  assert.deepEqual((e.multiValueHeaders as Record<string, string[]>).accept, ["a", "b"]);
  const ctx = e.requestContext as Record<string, unknown>;
  assert.equal(ctx.resourcePath, "/users/{id}");
  assert.equal(ctx.stage, "$default");
  assert.equal(ctx.requestTimeEpoch, base.now.getTime());
  assert.deepEqual((ctx.identity as Record<string, unknown>).sourceIp, "127.0.0.1");
  assert.equal(e.body, null);
  assert.equal(e.isBase64Encoded, false);
});

test("no query and no parameters are null; a binary body is base64", () => {
  const e = toV1Event({
    ...base,
    rawQueryString: "",
    pathParameters: {},
    headers: { "content-type": "application/octet-stream" },
    body: Buffer.from([0, 1, 2]),
  });
  assert.equal(e.queryStringParameters, null);
  assert.equal(e.multiValueQueryStringParameters, null);
  assert.equal(e.pathParameters, null);
  assert.equal(e.body, "AAEC");
  assert.equal(e.isBase64Encoded, true);
});

test("maps a well-formed result", () => {
  const r = fromV1Result(
    Buffer.from(
      JSON.stringify({
        statusCode: 201,
        headers: { "X-One": "1", "Content-Type": "text/plain" },
        multiValueHeaders: { "set-cookie": ["a=1", "b=2"] },
        body: "aGk=",
        isBase64Encoded: true,
      }),
    ),
  );
  assert.ok(r !== undefined);
  assert.equal(r.statusCode, 201);
  assert.deepEqual(r.headers["x-one"], ["1"]);
  assert.deepEqual(r.headers["set-cookie"], ["a=1", "b=2"]);
  assert.deepEqual(r.headers["content-type"], ["text/plain"]);
  assert.equal(r.body.toString(), "hi");
});

test("malformed results are undefined (502)", () => {
  for (const bad of [
    "not json",
    '"text"',
    "[1]",
    "{}",
    '{"statusCode":"200"}',
    '{"statusCode":200,"body":{"a":1}}',
    '{"statusCode":200,"headers":{"a":["x"]}}',
    '{"statusCode":200,"multiValueHeaders":{"a":"x"}}',
    '{"statusCode":200,"isBase64Encoded":"yes"}',
  ])
    assert.equal(fromV1Result(Buffer.from(bad)), undefined, bad);
  assert.equal(fromV1Result(Buffer.from('{"statusCode":204}'))?.statusCode, 204);
});
