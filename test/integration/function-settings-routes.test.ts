// The native routes the console's configuration tab uses for what only the Lambda API had: layers
// (listed, and set on a deploy), tags (read and replaced as a set) and the event invoke config (retries
// and destinations). A real server; no invocation, so no sandbox is needed.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { PublishLayerVersionCommand } from "@aws-sdk/client-lambda";
import { deploy, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { lambdaClientFor } from "./aws-client.js";

let s: ServerHandle;
let lambda: LambdaClient;

before(async () => {
  s = await startServer();
  lambda = lambdaClientFor(s);
  for (const name of ["cfg", "sink"])
    assert.equal(
      (await deploy(s, { name, runtime: "python3.11", handler: "app.work" }, "python/destinations")).status,
      201,
    );
});
after(async () => {
  lambda.destroy();
  await stopAndClean(s);
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await s.api(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

test("tags: read, replaced as a whole set, refused with the field named, shown on the function", async () => {
  assert.deepEqual((await call("GET", "/functions/cfg/tags")).json, { tags: {} });
  let r = await call("PUT", "/functions/cfg/tags", { tags: { team: "web", cost: "a" } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.tags, { team: "web", cost: "a" });
  r = await call("PUT", "/functions/cfg/tags", { tags: { team: "api" } });
  assert.deepEqual(r.json.tags, { team: "api" }, "a key left out is removed");
  assert.deepEqual((await call("GET", "/functions/cfg")).json.tags, { team: "api" });
  r = await call("PUT", "/functions/cfg/tags", { tags: { "aws:x": "1" } });
  assert.equal(r.status, 400);
  assert.match(JSON.stringify(r.json), /aws:/);
  assert.deepEqual((await call("GET", "/functions/cfg/tags")).json.tags, { team: "api" }, "unchanged");
  assert.equal((await call("PUT", "/functions/cfg/tags", { nope: 1 })).status, 400);
  assert.equal((await call("GET", "/functions/ghost/tags")).status, 404);
});

test("event invoke config: destinations set, read back, refused when the target is missing, removed", async () => {
  assert.deepEqual((await call("GET", "/functions/cfg/event-invoke-config")).json, { configured: false });
  const fnArn = String((await call("GET", "/functions/sink")).json.arn);
  let r = await call("PUT", "/functions/cfg/event-invoke-config", {
    maximumRetryAttempts: 1,
    onFailure: fnArn,
    onSuccess: "",
  });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.onFailure, fnArn);
  assert.equal(r.json.maximumRetryAttempts, 1);
  assert.equal(r.json.onSuccess, undefined);
  r = await call("PUT", "/functions/cfg/event-invoke-config", { onSuccess: fnArn.replace("sink", "ghost") });
  assert.equal(r.status, 400);
  assert.match(JSON.stringify(r.json), /does not exist/);
  r = await call("PUT", "/functions/cfg/event-invoke-config", { maximumRetryAttempts: 7 });
  assert.equal(r.status, 400);
  assert.equal((await call("GET", "/functions/cfg/event-invoke-config")).json.onFailure, fnArn, "unchanged");
  assert.equal((await call("PUT", "/functions/cfg/event-invoke-config", { retries: 1 })).status, 400);
  assert.equal((await call("DELETE", "/functions/cfg/event-invoke-config")).status, 204);
  assert.equal((await call("DELETE", "/functions/cfg/event-invoke-config")).status, 204, "again: a no-op");
  assert.deepEqual((await call("GET", "/functions/cfg/event-invoke-config")).json, { configured: false });
});

test("layers: listed with their version ARN and set on a native deploy", async () => {
  assert.deepEqual((await call("GET", "/layers")).json, { layers: [] });
  // A tiny layer zip with one file, published through the Lambda API.
  const { zipSync } = await import("fflate");
  await lambda.send(
    new PublishLayerVersionCommand({
      LayerName: "libs",
      Description: "helpers",
      Content: { ZipFile: zipSync({ "a.txt": new TextEncoder().encode("a\n") }) },
    }),
  );
  const layers = (await call("GET", "/layers")).json.layers as { name: string; versionArn: string }[];
  assert.equal(layers.length, 1);
  assert.equal(layers[0]?.name, "libs");
  assert.match(layers[0]?.versionArn ?? "", /:layer:libs:1$/);
  const versions = (await call("GET", "/layers/libs/versions")).json.versions as unknown[];
  assert.equal(versions.length, 1);
  const arn = layers[0]?.versionArn ?? "";
  let r = await call("POST", "/functions", { name: "cfg", layers: [arn] });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.deepEqual(
    (r.json.layers as { arn: string }[]).map((l) => l.arn),
    [arn],
  );
  r = await call("POST", "/functions", { name: "cfg", layers: [`${arn.slice(0, -1)}9`] });
  assert.equal(r.status, 404, "a layer version that does not exist");
  assert.match(JSON.stringify(r.json), /does not exist/);
  r = await call("POST", "/functions", { name: "cfg", layers: [] });
  assert.deepEqual(r.json.layers, []);
});

test("POST /functions?mode=create refuses a name in use instead of updating it", async () => {
  const before = (await call("GET", "/functions/cfg")).json;
  const r = await call("POST", "/functions?mode=create", { name: "cfg", memorySize: 512 });
  assert.equal(r.status, 409);
  assert.match(JSON.stringify(r.json), /AlreadyExists/);
  assert.equal((await call("GET", "/functions/cfg")).json.memorySize, before.memorySize, "unchanged");
  assert.equal((await call("POST", "/functions?mode=sideways", { name: "cfg" })).status, 400);
});
