// Many concurrent invocations at once, each of a function that sleeps, with no instance running
// before: under the default account concurrency (1,000, as on Lambda) every one is answered and none
// is throttled; the platform never runs more instances than invocations in flight. The bench part
// `concurrency1000` does the same with 1,000; here a smaller count keeps the test short and robust
// on a loaded two-core machine (no timing is asserted).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { deploy, fileDeadline, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";

const CONCURRENT = 200;
fileDeadline(240_000);

let s: ServerHandle;
const skip = skipUnlessSandbox();

before(async () => {
  s = await startServer(); // the default account concurrency limit
});
after(async () => {
  await stopAndClean(s);
});

test(
  `${CONCURRENT} concurrent invocations of a sleeping function are all answered, none throttled`,
  { skip },
  async () => {
    assert.equal(
      (
        await deploy(
          s,
          { name: "sleeper", runtime: "python3.11", handler: "app.sleep", timeout: 120, memorySize: 128 },
          "python/toolkit",
        )
      ).status,
      201,
    );
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, () => invoke(s, "sleeper", { seconds: 1 })),
    );
    const byStatus = new Map<number, number>();
    for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    const failed = results.find((r) => r.status !== 200 || r.headers.get("x-vajra-function-error") !== null);
    assert.equal(
      failed,
      undefined,
      `statuses ${JSON.stringify([...byStatus])}; first failure: ${failed?.status} ${failed?.text ?? ""}`,
    );
    const info = (await (await s.api("/functions/sleeper")).json()) as {
      instances: { idle: number; busy: number };
    };
    const instances = info.instances.idle + info.instances.busy;
    assert.ok(instances >= 1 && instances <= CONCURRENT, `instances after the burst: ${instances}`);
  },
);
