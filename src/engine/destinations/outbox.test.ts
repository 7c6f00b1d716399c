import assert from "node:assert/strict";
import { test } from "node:test";
import type { PendingDelivery } from "../../core/destination.js";
import { SqliteStore } from "../../store/sqlite-store.js";
import { DestinationOutbox, PermanentDeliveryError, type OutboxOptions } from "./outbox.js";

function delivery(id: string, createdAt = Date.now()): PendingDelivery {
  return {
    id,
    destination: "http://user:secret@127.0.0.1:9/hook",
    body: Buffer.from("{}").toString("base64"),
    origin: "OnFailure",
    functionName: "f",
    attempts: 0,
    createdAt,
    notBefore: 0,
  };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), `timed out waiting for ${what}`);
}

function options(over: Partial<OutboxOptions>): OutboxOptions {
  return {
    deliver: () => Promise.resolve(),
    baseDelayMs: 10,
    maxDelayMs: 40,
    giveUpAfterMs: 60_000,
    maxInFlight: 4,
    onWarning: () => undefined,
    onError: (err) => assert.fail(String(err)),
    ...over,
  };
}

test("a record whose destination is down is retried with backoff until it is accepted", async () => {
  const store = new SqliteStore(":memory:");
  let tries = 0;
  const outbox = new DestinationOutbox(
    store,
    options({
      deliver: () => (++tries < 4 ? Promise.reject(new Error("connection refused")) : Promise.resolve()),
    }),
  );
  await outbox.start();
  await outbox.add([delivery("a")]);
  await until(() => outbox.counts.delivered === 1, "the delivery");
  assert.equal(tries, 4);
  assert.equal(outbox.counts.failedAttempts, 3);
  assert.deepEqual(await store.listDeliveries(), [], "removed once delivered");
  await outbox.stop();
  await store.close();
});

test("records left in the store are delivered after a restart", async () => {
  const store = new SqliteStore(":memory:");
  await store.putDeliveries([delivery("left")]);
  const got: string[] = [];
  const outbox = new DestinationOutbox(
    store,
    options({ deliver: (d) => Promise.resolve(void got.push(d.id)) }),
  );
  await outbox.start();
  await until(() => got.length === 1, "the left record");
  assert.deepEqual(got, ["left"]);
  await outbox.stop();
  await store.close();
});

test("a record undelivered past the give-up bound is logged (masked) and counted, not kept forever", async () => {
  const store = new SqliteStore(":memory:");
  const warnings: string[] = [];
  const outbox = new DestinationOutbox(
    store,
    options({
      deliver: () => Promise.reject(new Error("refused by http://user:secret@127.0.0.1:9/hook")),
      giveUpAfterMs: 1000,
      onWarning: (m) => warnings.push(m),
    }),
  );
  await outbox.start();
  await outbox.add([delivery("old", Date.now() - 5000)]);
  await until(() => outbox.counts.givenUp === 1, "the give-up");
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? "", /given up after 1 attempts/);
  assert.ok(!(warnings[0] ?? "").includes("secret"), "the password is masked");
  assert.deepEqual(await store.listDeliveries(), []);
  await outbox.stop();
  await store.close();
});

test("a delivery error no retry can fix gives the record up at once (logged and counted)", async () => {
  const store = new SqliteStore(":memory:");
  const warnings: string[] = [];
  let tries = 0;
  const outbox = new DestinationOutbox(
    store,
    options({
      deliver: () => {
        tries++;
        return Promise.reject(new PermanentDeliveryError("Function not found"));
      },
      onWarning: (m) => warnings.push(m),
    }),
  );
  await outbox.start();
  await outbox.add([delivery("gone")]);
  await until(() => outbox.counts.givenUp === 1, "the give-up");
  assert.equal(tries, 1);
  assert.match(warnings[0] ?? "", /Function not found/);
  await outbox.stop();
  await store.close();
});
