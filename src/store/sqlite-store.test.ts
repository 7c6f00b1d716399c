import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./sqlite-migrations.js";
import { SqliteStore } from "./sqlite-store.js";
import { runStoreContract, sampleFunction, type StoreContractOptions } from "./store-contract.js";
import { runLogStoreContract } from "./log-store-contract.js";
import { runUsageStoreContract } from "./usage-store-contract.js";
import { runBudgetStoreContract } from "./budget-store-contract.js";

const sqliteStores: StoreContractOptions = {
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
};
runStoreContract("SqliteStore", sqliteStores);
runLogStoreContract("SqliteStore", sqliteStores);
runUsageStoreContract("SqliteStore", sqliteStores);
runBudgetStoreContract("SqliteStore", sqliteStores);

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

test("SqliteStore moves rows from before regions into the home region, once", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vajra-store-"));
  try {
    const path = join(dir, "vajra.db");
    // A database as the schema before regions (version 7) left it.
    const old = new Database(path);
    for (const step of MIGRATIONS.slice(0, 7)) if (typeof step === "string") old.exec(step);
    old.pragma("user_version = 7");
    old
      .prepare("INSERT INTO functions (name, config) VALUES (?, ?)")
      .run("f", JSON.stringify(sampleFunction("f")));
    old
      .prepare("INSERT INTO invocations (request_id, function_name, started_at, record) VALUES (?, ?, ?, ?)")
      .run("r1", "f", 1, JSON.stringify({ requestId: "r1", functionName: "f" }));
    old.close();
    const store = new SqliteStore(path, { homeRegion: "eu-west-1" });
    try {
      assert.equal(await store.getFunction("f"), undefined, "not in us-east-1");
      const eu = store.inRegion("eu-west-1");
      assert.equal((await eu.getFunction("f"))?.name, "f");
      assert.equal((await eu.listInvocations("f", 5)).length, 1);
      assert.deepEqual(await store.listRegions(), ["eu-west-1"]);
    } finally {
      await store.close();
    }
    const again = new SqliteStore(path, { homeRegion: "ap-south-1" });
    assert.equal((await again.inRegion("eu-west-1").getFunction("f"))?.name, "f", "migrated once only");
    await again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
