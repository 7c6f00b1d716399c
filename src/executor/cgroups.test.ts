import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { detectCgroups } from "./cgroups.js";

// Real cgroups: only as root on a host with a freezer (v1 controller or v2 cgroup.freeze).
const detected = process.getuid?.() === 0 ? detectCgroups() : { manager: undefined, problem: "needs root" };
const skip =
  detected.manager?.canFreeze === true
    ? false
    : `no cgroup freezer here (${detected.problem ?? "not mounted"})`;

/** The scheduler state letter of a process (T stopped, D/S sleeping), or undefined once it is gone. */
function procState(pid: number): string | undefined {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

test(
  "freeze stops a group's process, thaw resumes it, and killAll kills it while frozen",
  { skip },
  async () => {
    const manager = detected.manager;
    if (manager === undefined) return;
    const group = manager.create(`t${randomBytes(6).toString("hex")}`, {
      memoryBytes: 64 * 1024 * 1024,
      pidsMax: 16,
      memoryMbForCpu: 128,
    });
    // A busy loop: it is running or runnable until frozen.
    const child = spawn("/bin/sh", ["-c", "while :; do :; done"], { stdio: "ignore" });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      const pid = child.pid ?? 0;
      for (const f of group.procsFiles) writeFileSync(f, String(pid));
      const ticks = (): number =>
        Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[11]);
      group.freeze();
      // Frozen: its CPU time stops growing.
      assert.ok(
        await until(() => {
          const a = ticks();
          const end = Date.now() + 100;
          while (Date.now() < end) {
            // wait 100 ms
          }
          return ticks() === a;
        }),
        "no CPU time while frozen",
      );
      group.thaw();
      const before = ticks();
      assert.ok(await until(() => ticks() > before), "CPU time grows again after thaw");
      group.freeze();
      group.killAll();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      assert.equal(procState(pid), undefined, "the frozen process was killed");
    } finally {
      child.kill("SIGKILL");
      group.killAll();
      group.destroy();
    }
  },
);
