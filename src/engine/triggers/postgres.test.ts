// Runs the broker contract against the local PostgreSQL (127.0.0.1:5432, user postgres) with
// `durable: false` (LISTEN/NOTIFY keeps nothing), and shows that a notification sent while no mapping
// listens is lost: PostgreSQL's semantics, documented in docs/triggers.md.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import pg from "pg";
import { parseSourceUri } from "../../core/event-source-mapping.js";
import { brokerContract } from "./broker-contract.js";
import { postgresAdapter } from "./postgres.js";

const uri = (name: string): string => `postgres://postgres@127.0.0.1:5432/postgres?channel=${name}`;

async function withPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" });
  c.on("error", () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}
const available = (): Promise<boolean> => withPg(() => Promise.resolve(true)).catch(() => false);
const publish = (name: string, bodies: string[]): Promise<void> =>
  withPg(async (c) => {
    for (const b of bodies) await c.query("SELECT pg_notify($1, $2)", [name, b]);
  });

/** Whether a session that started after `since` has LISTENed on `name` (its last statement). */
async function listening(name: string, since: number): Promise<boolean> {
  return withPg(async (c) => {
    const r = await c.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE query = $1 AND backend_start >= to_timestamp($2 / 1000.0)",
      [`LISTEN "${name}"`, since - 1000],
    );
    return Number(r.rows[0]?.n ?? 0) > 0;
  });
}

brokerContract("PostgreSQL LISTEN", {
  adapter: postgresAdapter,
  bodyField: "body",
  uri,
  available,
  create: () => Promise.resolve(),
  remove: () => Promise.resolve(),
  publish,
  durable: false,
  noLargeMessages: "a NOTIFY payload is at most 8000 bytes",
  ready: async (name, since) => {
    for (let i = 0; i < 200; i++) {
      if (await listening(name, since)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`no session LISTENs on ${name}`);
  },
  noMissingTarget: "PostgreSQL channels need no creating: there is no missing channel to report",
  read: (event, name) => {
    const e = event as { Records: Record<string, unknown>[] };
    return e.Records.map((r) => {
      assert.equal(r.eventSource, "vajra:postgres");
      assert.equal(r.eventSourceArn, `postgres://postgres@127.0.0.1:5432/postgres?channel=${name}`);
      assert.equal(r.channel, name);
      assert.match(String(r.messageId), /^\d+$/);
      return { body: String(r.body), id: String(r.messageId) };
    });
  },
});

test("PostgreSQL LISTEN: a notification sent while no mapping listens is lost (at-most-once)", async (t) => {
  if (!(await available())) {
    if (process.env.VAJRA_REQUIRE_SERVICES === "1") assert.fail("PostgreSQL is not reachable");
    return void t.skip("PostgreSQL is not reachable on 127.0.0.1:5432");
  }
  const name = `vajra-lost-${randomUUID().slice(0, 8)}`;
  const source = parseSourceUri(uri(name));
  const ac = new AbortController();
  await publish(name, ["before"]);
  const c = await postgresAdapter.open(source, { uuid: randomUUID(), batchSize: 10 });
  try {
    await publish(name, ["after"]);
    const got = await c.next(10, 1000, ac.signal);
    const e = postgresAdapter.event("arn", source, got) as { Records: { body: string }[] };
    assert.deepEqual(
      e.Records.map((r) => r.body),
      ["after"],
    );
  } finally {
    await c.close();
  }
});
