// Lambda's scaling rule: a function runs at most as many instances as it has invocations in flight.
// 32 clients that each wait for their answer before sending the next call must never make the
// platform start more than 32 instances, however the calls interleave.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";

let s: ServerHandle;
const skip = skipUnlessSandbox();

before(async () => {
  s = await startServer({ args: ["--concurrency-limit", "100"] });
});
after(async () => {
  await stopAndClean(s);
});

test("32 concurrent clients on a function never start more than 32 instances", { skip }, async () => {
  assert.equal(
    (await deploy(s, { name: "wide", runtime: "python3.11", handler: "app.counter" }, "python/toolkit"))
      .status,
    201,
  );
  const CLIENTS = 32;
  const CALLS = 8;
  let coldStarts = 0;
  const streams = new Set<string>();
  const client = async (): Promise<void> => {
    for (let i = 0; i < CALLS; i++) {
      const r = await invoke(s, "wide", { i });
      assert.equal(r.status, 200, r.text);
      if (r.headers.get("x-vajra-init-duration-ms") !== null) coldStarts++;
      const env = r.json().env as Record<string, string> | undefined;
      // Each instance has its own log stream name (one per execution environment, as on Lambda).
      if (env?.AWS_LAMBDA_LOG_STREAM_NAME !== undefined) streams.add(env.AWS_LAMBDA_LOG_STREAM_NAME);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  assert.ok(coldStarts >= 1 && coldStarts <= CLIENTS, `cold starts: ${coldStarts}`);
  assert.ok(
    streams.size >= 1 && streams.size <= CLIENTS,
    `distinct instances that answered: ${streams.size}`,
  );
  const info = (await (await s.api("/functions/wide")).json()) as {
    instances: { idle: number; busy: number };
  };
  assert.ok(
    info.instances.idle + info.instances.busy <= CLIENTS,
    `warm instances after the run: ${JSON.stringify(info.instances)}`,
  );
});

// Placement waits for a busy instance only when one is expected to free up sooner than a new one
// starts: invocations that take longer than a cold start still each get an instance of their own.
test("invocations longer than a cold start each get an instance of their own", { skip }, async () => {
  assert.equal(
    (
      await deploy(
        s,
        { name: "slow", runtime: "python3.11", handler: "app.sleep", timeout: 30 },
        "python/toolkit",
      )
    ).status,
    201,
  );
  // Two in a row teach the platform how long a cold start and a warm invocation take here.
  for (let i = 0; i < 2; i++) assert.equal((await invoke(s, "slow", { seconds: 4 })).status, 200);
  const CONCURRENT = 4;
  const results = await Promise.all(
    Array.from({ length: CONCURRENT }, () => invoke(s, "slow", { seconds: 4 })),
  );
  for (const r of results) assert.equal(r.status, 200, r.text);
  const cold = results.filter((r) => r.headers.get("x-vajra-init-duration-ms") !== null).length;
  assert.equal(cold, CONCURRENT - 1, "one warm instance was reused, the others started");
  const info = (await (await s.api("/functions/slow")).json()) as {
    instances: { idle: number; busy: number };
  };
  assert.equal(info.instances.idle + info.instances.busy, CONCURRENT);
});
