import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { SqliteStore } from "../store/sqlite-store.js";
import { Authenticator, hashSecret } from "./auth.js";

async function withAuth(f: (store: SqliteStore, auth: Authenticator) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "vajra-auth-"));
  const store = new SqliteStore(join(dir, "vajra.db"));
  try {
    await f(store, new Authenticator(store));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a revoked key is refused even after it was cached", () =>
  withAuth(async (store, auth) => {
    await store.putApiKey({
      id: "k1",
      secretHash: hashSecret("s1"),
      name: "c",
      createdAt: "2026-01-01T00:00:00Z",
    });
    assert.equal((await auth.check("Bearer s1"))?.id, "k1");
    assert.equal((await auth.check("Bearer s1"))?.id, "k1"); // cached
    await store.deleteApiKey("k1");
    auth.forget("k1");
    assert.equal(await auth.check("Bearer s1"), undefined);
  }));

test("an expired key is refused, one not yet expired is accepted", () =>
  withAuth(async (store, auth) => {
    const createdAt = "2026-01-01T00:00:00Z";
    await store.putApiKey({
      id: "old",
      secretHash: hashSecret("a"),
      name: "a",
      createdAt,
      expiresAt: "2000-01-01T00:00:00Z",
    });
    await store.putApiKey({
      id: "new",
      secretHash: hashSecret("b"),
      name: "b",
      createdAt,
      expiresAt: "2999-01-01T00:00:00Z",
    });
    assert.equal(await auth.check("Bearer a"), undefined);
    assert.equal((await auth.check("Bearer b"))?.id, "new");
  }));

test("a console session's key is refused once its access key is gone, cached or not", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vajra-auth-"));
  const store = new SqliteStore(join(dir, "vajra.db"));
  const accessKeys = new Set(["AKIAPARENT"]);
  try {
    const auth = new Authenticator(store, (id) => accessKeys.has(id));
    const createdAt = "2026-01-01T00:00:00Z";
    await store.putApiKey({
      id: "s",
      secretHash: hashSecret("s"),
      name: "s",
      createdAt,
      accessKeyId: "AKIAPARENT",
    });
    await store.putApiKey({ id: "p", secretHash: hashSecret("p"), name: "p", createdAt });
    assert.equal((await auth.check("Bearer s"))?.id, "s");
    accessKeys.delete("AKIAPARENT");
    assert.equal(await auth.check("Bearer s"), undefined);
    assert.equal((await auth.check("Bearer p"))?.id, "p");
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
