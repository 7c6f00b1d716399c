import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { SqliteStore } from "./sqlite-store.js";
import { runStoreContract, sampleFunction } from "./store-contract.js";

runStoreContract("SqliteStore", {
  async newStore() {
    const dir = await mkdtemp(join(tmpdir(), "vajra-store-"));
    const store = new SqliteStore(join(dir, "vajra.db"));
    return {
      store,
      async dispose() {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});

test("SqliteStore keeps its data across reopening (migrations run once)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vajra-store-"));
  try {
    const path = join(dir, "vajra.db");
    const a = new SqliteStore(path);
    await a.putFunction(sampleFunction("keep"));
    await a.close();
    const b = new SqliteStore(path);
    assert.equal((await b.getFunction("keep"))?.name, "keep");
    await b.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
