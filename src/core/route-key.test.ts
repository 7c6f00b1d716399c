// The route key parser and the matcher's precedence (API Gateway HTTP APIs: exact segments over
// parameters over greedy parameters, a method over ANY, $default last).

import { test } from "node:test";
import assert from "node:assert/strict";
import { RouteMatcher, compareRouteKeys, parseRouteKey, type ParsedRouteKey } from "./route-key.js";
import { isVajraError } from "./errors.js";

function table(...keys: string[]): RouteMatcher<{ parsed: ParsedRouteKey; key: string }> {
  return new RouteMatcher(keys.map((k) => ({ parsed: parseRouteKey(k), key: k })));
}

function which(m: RouteMatcher<{ parsed: ParsedRouteKey; key: string }>, method: string, path: string) {
  const r = m.match(method, path);
  return r === undefined ? undefined : { key: r.route.key, params: r.params };
}

test("parses and normalises route keys", () => {
  assert.equal(parseRouteKey("get /users/{id}").key, "GET /users/{id}");
  assert.equal(parseRouteKey("  ANY /  ").key, "ANY /");
  assert.equal(parseRouteKey("$default").key, "$default");
  assert.deepEqual(parseRouteKey("GET /a/{p+}").segments, [
    { kind: "literal", value: "a" },
    { kind: "greedy", name: "p" },
  ]);
});

test("malformed route keys are refused with a message naming the problem", () => {
  const cases: Array<[string, RegExp]> = [
    ["GET", /METHOD \/path/],
    ["FETCH /a", /method must be one of/],
    ["GET users", /must start with '\/'/],
    ["GET /a//b", /empty segment/],
    ["GET /a{b}", /literal or a whole/],
    ["GET /{p+}/x", /must be the last/],
    ["GET /{a}/{a}", /appears twice/],
    ["GET /{}", /invalid name/],
  ];
  for (const [key, re] of cases) {
    assert.throws(
      () => parseRouteKey(key),
      (e: unknown) => isVajraError(e) && e.code === "InvalidParameter" && re.test(e.message),
      key,
    );
  }
});

test("path parameters and greedy parameters", () => {
  const m = table("GET /users/{id}", "ANY /files/{proxy+}", "GET /");
  assert.deepEqual(which(m, "GET", "/users/42"), { key: "GET /users/{id}", params: { id: "42" } });
  assert.deepEqual(which(m, "GET", "/users/a%20b"), { key: "GET /users/{id}", params: { id: "a b" } });
  assert.equal(which(m, "GET", "/users/42/x"), undefined);
  assert.equal(which(m, "GET", "/users"), undefined);
  assert.deepEqual(which(m, "PUT", "/files/a/b/c.txt"), {
    key: "ANY /files/{proxy+}",
    params: { proxy: "a/b/c.txt" },
  });
  // A greedy parameter needs at least one segment.
  assert.equal(which(m, "GET", "/files"), undefined);
  assert.deepEqual(which(m, "GET", "/"), { key: "GET /", params: {} });
  assert.equal(which(m, "POST", "/users/1"), undefined, "method mismatch");
});

test("precedence: exact over parameter over greedy, a method over ANY, $default last", () => {
  const m = table("$default", "ANY /users/{proxy+}", "GET /users/{id}", "GET /users/me", "ANY /users/me");
  assert.equal(which(m, "GET", "/users/me")?.key, "GET /users/me");
  assert.equal(which(m, "POST", "/users/me")?.key, "ANY /users/me");
  assert.equal(which(m, "GET", "/users/7")?.key, "GET /users/{id}");
  assert.equal(which(m, "DELETE", "/users/7")?.key, "ANY /users/{proxy+}");
  assert.equal(which(m, "GET", "/users/7/posts")?.key, "ANY /users/{proxy+}");
  assert.deepEqual(which(m, "PATCH", "/elsewhere"), { key: "$default", params: {} });
  const sorted = ["$default", "GET /{a}/b", "GET /x/{b}"]
    .map(parseRouteKey)
    .sort(compareRouteKeys)
    .map((p) => p.key);
  assert.deepEqual(sorted, ["GET /x/{b}", "GET /{a}/b", "$default"]);
});

test("a trailing slash matches the same route", () => {
  const m = table("GET /users/{id}");
  assert.equal(which(m, "GET", "/users/1/")?.key, "GET /users/{id}");
});
