// The webhook route alone (engine stubbed): content types, where the secret may come from, the body limit.

import { test } from "node:test";
import assert from "node:assert/strict";
import Fastify from "fastify";
import type { Platform } from "../engine/platform.js";
import { registerStorageWebhookRoutes } from "./storage-webhook-routes.js";

test("the webhook takes any content type (or none) and finds the secret in Bearer, Basic or ?token=", async () => {
  const calls: Array<{ name: string; token: string; body: unknown }> = [];
  const platform = {
    storage: {
      deliver: (name: string, token: string, body: unknown) => {
        calls.push({ name, token, body });
        return Promise.resolve(1);
      },
    },
  } as unknown as Platform;
  const app = Fastify();
  registerStorageWebhookRoutes(app, platform);
  await app.ready();
  try {
    const payload = '{"Records":[{"eventName":"s3:ObjectCreated:Put"}]}';
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ authorization: "Bearer s1" }, "", "s1"],
      [{ "content-type": "application/json", authorization: "bearer s2" }, "", "s2"],
      [
        { "content-type": "text/plain", authorization: `Basic ${Buffer.from("u:s3:x").toString("base64")}` },
        "",
        "s3:x",
      ],
      [{ "content-type": "application/x-www-form-urlencoded" }, "?token=s4", "s4"],
      [{}, "", ""],
    ];
    for (const [headers, query, token] of cases) {
      const r = await app.inject({ method: "POST", url: `/events/s3/t1${query}`, headers, payload });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(JSON.parse(r.body), { queued: 1 });
      assert.equal(calls.at(-1)?.token, token);
      assert.deepEqual(calls.at(-1)?.body, JSON.parse(payload));
    }
    const notJson = await app.inject({ method: "POST", url: "/events/s3/t1", payload: "{nope" });
    assert.equal(notJson.statusCode, 200);
    assert.equal(calls.at(-1)?.body, undefined, "a body that is not JSON reaches the engine as undefined");
    const big = await app.inject({ method: "POST", url: "/events/s3/t1", payload: "x".repeat(300_000) });
    assert.equal(big.statusCode, 413);
  } finally {
    await app.close();
  }
});
