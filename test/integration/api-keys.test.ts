// Native API keys over HTTP: a created key works until it is revoked; the admin key stays.

import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, stopAndClean } from "./harness.js";

test("a created API key works, is listed without its secret, and is refused once revoked", async () => {
  const s = await startServer();
  try {
    const created = await s.api("/api-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "console", expiresInDays: 30 }),
    });
    assert.equal(created.status, 201);
    const key = (await created.json()) as { id: string; secret: string; expiresAt: string };
    assert.match(key.secret, /^vjk_/);
    assert.ok(Date.parse(key.expiresAt) > Date.now());
    const withKey = (path: string) =>
      fetch(s.url + path, { headers: { authorization: `Bearer ${key.secret}` } });
    assert.equal((await withKey("/functions")).status, 200);

    const list = (await (await s.api("/api-keys")).json()) as { apiKeys: Record<string, unknown>[] };
    assert.deepEqual(list.apiKeys.map((k) => k.name).sort(), ["admin", "console"]);
    assert.ok(list.apiKeys.every((k) => !("secret" in k) && !("secretHash" in k)));

    assert.equal((await s.api(`/api-keys/${key.id}`, { method: "DELETE" })).status, 204);
    const refused = await withKey("/functions");
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "Unauthorized");
    assert.equal((await s.api(`/api-keys/${key.id}`, { method: "DELETE" })).status, 404);

    const admin = list.apiKeys.find((k) => k.name === "admin");
    const keep = await s.api(`/api-keys/${String(admin?.id)}`, { method: "DELETE" });
    assert.equal(keep.status, 400);
    assert.match(
      ((await keep.json()) as { error: { message: string } }).error.message,
      /admin key cannot be revoked/,
    );

    const bad = await s.api("/api-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ expiresInDays: 0 }),
    });
    assert.equal(bad.status, 400);
    assert.match(
      ((await bad.json()) as { error: { message: string } }).error.message,
      /expiresInDays must be/,
    );
  } finally {
    await stopAndClean(s);
  }
});
