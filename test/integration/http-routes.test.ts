// HTTP routes on the public listener (`vajra server --public-port`): route keys with parameters and
// {proxy+}, both payload formats end to end, API Gateway's answers (404, 502), function URLs on both
// listeners, the admin API absent from the public one, and bad input that changes nothing.

import { GetFunctionUrlConfigCommand } from "@aws-sdk/client-lambda";
import { lambdaClientFor } from "./aws-client.js";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { deploy, freePort, startServer, stopAndClean, type ServerHandle } from "./harness.js";

let s: ServerHandle;
let pub: string;

type Json = Record<string, unknown>;

async function addRoute(body: Json): Promise<{ status: number; json: Json }> {
  const r = await s.api("/routes", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Json };
}

async function routes(): Promise<Json[]> {
  return ((await (await s.api("/routes")).json()) as { routes: Json[] }).routes;
}

before(async () => {
  const port = await freePort();
  s = await startServer({ args: ["--public-port", String(port)] });
  pub = `http://127.0.0.1:${port}`;
  const d = await deploy(
    s,
    { name: "echo", runtime: "nodejs20.x", handler: "index.handler" },
    "nodejs/http-echo",
  );
  assert.equal(d.status, 201, JSON.stringify(d.json));
});
after(async () => {
  await stopAndClean(s);
});

test("payload 2.0: path parameters, routeKey and the HTTP API event", async () => {
  const cli = s.cli(["route", "add", "GET /users/{id}", "echo", "--json"]);
  assert.equal(cli.status, 0, cli.stderr);
  const created = JSON.parse(cli.stdout) as Json;
  assert.match(String(created.id), /^[a-z0-9]{7}$/);
  assert.equal(created.payloadFormat, "2.0");
  const r = await fetch(`${pub}/users/42?a=1&a=2`, { headers: { cookie: "k=v", "user-agent": "t" } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("x-echo"), "1");
  assert.ok((r.headers.get("apigw-requestid") ?? "") !== "");
  const e = (await r.json()) as Json;
  assert.equal(e.version, "2.0");
  assert.equal(e.routeKey, "GET /users/{id}");
  assert.equal(e.rawPath, "/users/42");
  assert.equal(e.rawQueryString, "a=1&a=2");
  assert.deepEqual(e.pathParameters, { id: "42" });
  assert.deepEqual(e.queryStringParameters, { a: "1,2" });
  assert.deepEqual(e.cookies, ["k=v"]);
  const ctx = e.requestContext as Json;
  assert.equal(ctx.routeKey, "GET /users/{id}");
  assert.equal(ctx.stage, "$default");
  assert.equal(ctx.accountId, "000000000000");
  assert.equal(ctx.requestId, r.headers.get("apigw-requestid"));
  assert.deepEqual((ctx.http as Json).method, "GET");
  assert.deepEqual((ctx.http as Json).userAgent, "t");
  // Method mismatch and unknown paths: API Gateway's 404.
  const post = await fetch(`${pub}/users/42`, { method: "POST" });
  assert.equal(post.status, 404);
  assert.deepEqual(await post.json(), { message: "Not Found" });
  assert.equal((await fetch(`${pub}/nothing`)).status, 404);
  // A function error is a 502; a result without statusCode is a 200 JSON body (format 2.0).
  const fail = await fetch(`${pub}/users/1?mode=fail`);
  assert.equal(fail.status, 502);
  assert.deepEqual(await fail.json(), { message: "Internal Server Error" });
  const raw = await fetch(`${pub}/users/1?mode=raw`);
  assert.equal(raw.status, 200);
  assert.deepEqual(await raw.json(), { hello: "world" });
});

test("payload 1.0 with {proxy+}: the REST API proxy event; malformed results are 502", async () => {
  const a = await addRoute({ routeKey: "ANY /files/{proxy+}", function: "echo", payloadFormat: "1.0" });
  assert.equal(a.status, 201, JSON.stringify(a.json));
  const r = await fetch(`${pub}/files/a/b.txt?x=1&x=2`, {
    method: "PUT",
    body: "data",
    headers: { "content-type": "text/plain" },
  });
  assert.equal(r.status, 200);
  const e = (await r.json()) as Json;
  assert.equal(e.version, "1.0");
  assert.equal(e.resource, "/files/{proxy+}");
  assert.equal(e.path, "/files/a/b.txt");
  assert.equal(e.httpMethod, "PUT");
  assert.deepEqual(e.pathParameters, { proxy: "a/b.txt" });
  assert.deepEqual(e.queryStringParameters, { x: "2" });
  assert.deepEqual(e.multiValueQueryStringParameters, { x: ["1", "2"] });
  assert.equal(e.stageVariables, null);
  assert.equal(e.body, "data");
  assert.equal(e.isBase64Encoded, false);
  const ctx = e.requestContext as Json;
  assert.equal(ctx.resourcePath, "/files/{proxy+}");
  assert.equal(ctx.httpMethod, "PUT");
  assert.equal((ctx.identity as Json).sourceIp, "127.0.0.1");
  const bad = await fetch(`${pub}/files/x?mode=raw`);
  assert.equal(bad.status, 502);
  assert.deepEqual(await bad.json(), { message: "Internal server error" });
  // More specific routes win over the greedy one; $default takes what nothing else matches.
  assert.equal((await addRoute({ routeKey: "GET /files/{name}", function: "echo" })).status, 201);
  assert.equal((await addRoute({ routeKey: "$default", function: "echo" })).status, 201);
  const one = (await (await fetch(`${pub}/files/one`)).json()) as Json;
  assert.equal(one.routeKey, "GET /files/{name}");
  const other = (await (await fetch(`${pub}/anything/else`, { method: "DELETE" })).json()) as Json;
  assert.equal(other.routeKey, "$default");
  // Delete by route key (CLI) and by id (API): gone at once from the table.
  const del = s.cli(["route", "delete", "$default", "--yes"]);
  assert.equal(del.status, 0, del.stderr);
  assert.equal((await fetch(`${pub}/anything/else`)).status, 404);
  const id = String((await routes()).find((x) => x.routeKey === "GET /files/{name}")?.id);
  assert.equal((await s.api(`/routes/${id}`, { method: "DELETE" })).status, 200);
  const back = (await (await fetch(`${pub}/files/one`)).json()) as Json;
  assert.equal(back.resource, "/files/{proxy+}");
});

test("the admin, native and Lambda APIs are not on the public listener", async () => {
  const auth = { authorization: `Bearer ${s.key}` };
  for (const path of ["/functions", "/2015-03-31/functions", "/health", "/routes", "/metrics", "/keys"]) {
    const r = await fetch(pub + path, { headers: auth });
    assert.equal(r.status, 404, path);
    assert.deepEqual(await r.json(), { message: "Not Found" }, path);
  }
  // ... and still on the admin port.
  assert.equal((await s.api("/functions")).status, 200);
});

test("function URLs answer on the public listener and on the admin port's path", async () => {
  const r = await s.api("/functions/echo/url", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ authType: "NONE" }),
  });
  assert.equal(r.status, 201, await r.clone().text());
  const url = new URL(((await r.json()) as { url: string }).url);
  // The URL reported is the public listener's, through the native API and the Lambda API alike.
  assert.equal(url.origin, new URL(pub).origin);
  const viaLambda = await lambdaClientFor(s).send(new GetFunctionUrlConfigCommand({ FunctionName: "echo" }));
  assert.equal(new URL(viaLambda.FunctionUrl ?? "").origin, url.origin);
  for (const base of [s.url, pub]) {
    const res = await fetch(`${base}${url.pathname}hi`);
    assert.equal(res.status, 200, base);
    const e = (await res.json()) as Json;
    assert.equal(e.rawPath, "/hi");
  }
});

test("a throttled function is a 429", async () => {
  const d = await deploy(
    s,
    { name: "blocked", runtime: "nodejs20.x", handler: "index.handler", reservedConcurrency: 0 },
    "nodejs/http-echo",
  );
  assert.equal(d.status, 201, JSON.stringify(d.json));
  assert.equal((await addRoute({ routeKey: "GET /blocked", function: "blocked" })).status, 201);
  const r = await fetch(`${pub}/blocked`);
  assert.equal(r.status, 429);
  assert.deepEqual(await r.json(), { message: "Too Many Requests" });
});

test("bad input: clear errors and nothing changed", async () => {
  const before = await routes();
  const cases: Array<[Json, number, RegExp]> = [
    [{ routeKey: "GET users", function: "echo" }, 400, /must start with '\/'/],
    [{ routeKey: "FETCH /x", function: "echo" }, 400, /method must be one of/],
    [{ routeKey: "GET /{p+}/x", function: "echo" }, 400, /must be the last/],
    [{ routeKey: "GET /x", function: "nope" }, 404, /Function not found/],
    [{ routeKey: "GET /x", function: "echo", qualifier: "missing" }, 404, /./],
    [{ routeKey: "GET /x", function: "echo", payloadFormat: "3.0" }, 400, /payloadFormat/],
    [{ routeKey: "GET /x", function: "echo", authType: "AWS_IAM" }, 400, /authType/],
    [{ routeKey: "get /users/{id}", function: "echo" }, 409, /already exists/],
  ];
  for (const [body, status, re] of cases) {
    const r = await addRoute(body);
    assert.equal(r.status, status, JSON.stringify(body) + JSON.stringify(r.json));
    assert.match(String((r.json.error as Json | undefined)?.message), re, JSON.stringify(r.json));
  }
  const cli = s.cli(["route", "add", "GET /x", "nope"]);
  assert.notEqual(cli.status, 0);
  assert.match(cli.stderr, /Function not found/);
  const missing = await s.api(`/routes/${encodeURIComponent("GET /none")}`, { method: "DELETE" });
  assert.equal(missing.status, 404);
  assert.equal((((await missing.json()) as Json).error as Json).code, "RouteNotFound");
  assert.deepEqual(await routes(), before);
  const list = s.cli(["route", "list"]);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /GET \/users\/\{id\}\s+echo\s+2\.0/);
});

test("routes survive a restart", async () => {
  await s.stop();
  const port = await freePort();
  s = await startServer({ dataDir: s.dataDir, args: ["--public-port", String(port)] });
  pub = `http://127.0.0.1:${port}`;
  const r = await fetch(`${pub}/users/9`);
  assert.equal(r.status, 200);
  assert.deepEqual(((await r.json()) as Json).pathParameters, { id: "9" });
});
