// Idle instances are frozen between invocations, as Lambda freezes an execution environment once its
// invocation has ended: a daemon a handler left behind gets no CPU while no invocation runs, resumes
// with the next invocation, and dies with its instance. Run against the bubblewrap sandbox and the
// unisolated fallback (which still puts each instance in a cgroup of its own as root).

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { deploy, hostProcesses, invoke, startServer, stopAndClean, waitFor } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const root = process.getuid?.() === 0;

interface Beats {
  startedAt: number;
  beats: number[];
}

/**
 * Starts the daemon, leaves the instance idle for `gapMs`, then reads the heartbeats from a second
 * invocation of the same instance that runs for a second. Returns the heartbeats inside the idle gap
 * (with half a second of margin at each end) and those written while the second invocation ran.
 */
async function heartbeatsAcrossGap(env: Record<string, string>, gapMs: number) {
  const s = await startServer({ env });
  const marker = `frz${randomBytes(6).toString("hex")}`;
  try {
    assert.equal(
      (await deploy(s, { name: "daemon", runtime: "python3.11", handler: "app.handler" }, "python/daemon"))
        .status,
      201,
    );
    const first = await invoke(s, "daemon", { action: "start", marker });
    assert.equal(first.status, 200, first.text);
    const { returnedAt } = first.json() as unknown as { returnedAt: number };
    assert.equal(hostProcesses(marker).length, 1, "the daemon exists while its instance is idle");
    await sleep(gapMs);
    const second = await invoke(s, "daemon", { action: "read", marker, sleep: 1 });
    assert.equal(second.headers.get("x-vajra-init-duration-ms"), null, "the same, warm instance");
    const { startedAt, beats } = second.json() as unknown as Beats;
    const inGap = beats.filter((t) => t > returnedAt + 0.5 && t < startedAt - 0.5);
    const during = beats.filter((t) => t >= startedAt);
    assert.ok(startedAt - returnedAt > 1.5, "the idle gap is long enough to tell");

    assert.equal((await s.api("/functions/daemon", { method: "DELETE" })).status, 204);
    assert.ok(
      await waitFor(() => hostProcesses(marker).length === 0, 10_000),
      `deleting the function leaves no process: ${hostProcesses(marker).join(" | ")}`,
    );
    return { inGap, during };
  } finally {
    await stopAndClean(s);
    rmSync(`/tmp/vajra-heartbeat-${marker}`, { force: true });
  }
}

test(
  "a daemon left by a handler gets no CPU while its instance is idle, and resumes with the next invocation",
  { skip: skipUnlessSandbox() },
  async () => {
    const { inGap, during } = await heartbeatsAcrossGap({}, 2500);
    assert.deepEqual(inGap, [], "no heartbeat while the instance was idle (frozen)");
    assert.ok(during.length >= 3, `the daemon ran again during the next invocation (${during.length} beats)`);
  },
);

test(
  "with freezing off (VAJRA_FREEZE=off, for the benchmark) the same daemon runs through the gap",
  { skip: skipUnlessSandbox() },
  async () => {
    const { inGap } = await heartbeatsAcrossGap({ VAJRA_FREEZE: "off" }, 2500);
    assert.ok(inGap.length >= 5, `heartbeats in the idle gap without freezing (${inGap.length})`);
  },
);

test(
  "without bubblewrap, instances still get a cgroup: the idle daemon is frozen and dies with its function",
  { skip: root ? false : "needs root for cgroups" },
  async () => {
    const { inGap, during } = await heartbeatsAcrossGap({ VAJRA_UNSANDBOXED: "1" }, 2500);
    assert.deepEqual(inGap, [], "no heartbeat while the instance was idle (frozen)");
    assert.ok(during.length >= 3, `the daemon ran again during the next invocation (${during.length} beats)`);
  },
);

test(
  "without bubblewrap, a timeout kills a child the handler detached with setsid",
  { skip: root ? false : "needs root for cgroups" },
  async () => {
    const s = await startServer({ env: { VAJRA_UNSANDBOXED: "1" } });
    const marker = "5432.125";
    try {
      await deploy(
        s,
        { name: "slow", runtime: "python3.11", handler: "app.sleep", timeout: 1 },
        "python/toolkit",
      );
      const r = await invoke(s, "slow", { seconds: 5, fork: marker });
      assert.equal(r.json().errorType, "Sandbox.Timedout");
      assert.ok(
        await waitFor(() => hostProcesses(`sleep ${marker}`).length === 0, 10_000),
        "the detached child was killed with its instance",
      );
    } finally {
      await stopAndClean(s);
    }
  },
);
