// Pre-initialised sandboxes through the real server (bubblewrap, root): a cold start takes a waiting
// sandbox, and the function in it sees its own code, environment and working directory and nothing of
// another function — the next function gets another sandbox, never the one the first used; the
// function's memory limit holds after the assignment; a timeout still kills what the function started;
// with the pool turned off, cold starts work as before. Needs root and bubblewrap (skipped otherwise,
// failed under CI).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "../../src/executor/host-check.js";
import {
  hostProcesses,
  invoke,
  startServer,
  stopAndClean,
  waitFor,
  zipBase64,
  type ServerHandle,
} from "./harness.js";

const PROBE = `import os, time, subprocess

def handler(event, context):
    if event.get("mb"):
        blocks = [bytearray(1024 * 1024) for _ in range(event["mb"])]
        return {"allocated": len(blocks)}
    if event.get("sleep"):
        subprocess.Popen(["sleep", event["marker"]], start_new_session=True)
        time.sleep(event["sleep"])
    return {
        "task": sorted(os.listdir("/var/task")),
        "cwd": os.getcwd(),
        "role": os.environ.get("ROLE"),
        "preinit": os.environ.get("VAJRA_PREINIT"),
        "functionName": context.function_name,
        "memory": context.memory_limit_in_mb,
        "pid": os.getpid(),
        "uid": os.getuid(),
        # The options of the top mount at /var/task (the last line naming it in mountinfo).
        "taskMount": [l.split()[5] for l in open("/proc/self/mountinfo") if l.split()[4] == "/var/task"][-1],
    }
`;

const capable = process.getuid?.() === 0 && findExecutable("bwrap") !== undefined;
const skip = capable ? false : "needs root and bubblewrap (Debian package bubblewrap)";
if (!capable && process.env.CI === "true") throw new Error(`pre-initialised sandboxes: ${skip}`);

let s: ServerHandle;
const src = mkdtempSync(join(tmpdir(), "vajra-preinit-src-"));

interface Pool {
  waiting: number;
  taken: number;
  started: number;
  discarded: number;
  fellBack: number;
}

async function pool(): Promise<Pool> {
  const h = (await (await s.api("/health")).json()) as { preinitPool: Pool | null };
  assert.ok(h.preinitPool !== null, "the server has a pool of pre-initialised sandboxes");
  return h.preinitPool;
}

/** Deploys the probe with a marker file of its own, so two functions' code differs. */
async function deployProbe(name: string, role: string, memorySize = 128, timeout = 10): Promise<void> {
  const dir = join(src, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "app.py"), PROBE);
  writeFileSync(join(dir, `${name}.txt`), name);
  const r = await s.api("/functions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name,
      runtime: "python3.11",
      handler: "app.handler",
      memorySize,
      timeout,
      environment: { ROLE: role },
      zipFile: await zipBase64(dir),
    }),
  });
  assert.equal(r.status, 201, await r.text());
}

/**
 * A cold start taken from the pool: wait until a sandbox waits for each runtime shape used so far
 * (`shapes`: the Python functions here share one, Node.js adds another), drop the warm ones, invoke.
 */
async function coldFromPool(name: string, event: unknown = {}, shapes = 1) {
  assert.ok(await waitFor(async () => (await pool()).waiting >= shapes, 30_000), "a sandbox is waiting");
  await s.api(`/functions/${name}/instances`, { method: "DELETE" });
  const before = (await pool()).taken;
  const r = await invoke(s, name, event);
  assert.equal((await pool()).taken, before + 1, "the cold start took the waiting sandbox");
  return r;
}

before(async () => {
  if (skip !== false) return;
  s = await startServer();
});
after(async () => {
  if (skip === false) await stopAndClean(s);
  rmSync(src, { recursive: true, force: true });
});

test(
  "a cold start takes a waiting sandbox; each function sees only its own code and environment",
  { skip },
  async () => {
    await deployProbe("alpha", "a");
    const first = await invoke(s, "alpha");
    assert.equal(first.status, 200, first.text);
    const a = (await coldFromPool("alpha")).json();
    assert.deepEqual(a.task, ["alpha.txt", "app.py"]);
    assert.equal(a.cwd, "/var/task");
    assert.match(String(a.taskMount), /^ro(,|$)/, "the code is mounted read-only inside the sandbox");
    assert.equal(a.role, "a");
    assert.equal(a.preinit, null, "the pool's own variable is gone after the assignment");
    assert.equal(a.functionName, "alpha");
    assert.notEqual(a.uid, 0);

    await deployProbe("beta", "b");
    const b = (await coldFromPool("beta")).json();
    assert.deepEqual(b.task, ["app.py", "beta.txt"], "beta sees its own code, not alpha's");
    assert.equal(b.role, "b");
    // alpha's instance, still warm, kept its own code: its sandbox was never handed to beta.
    const again = (await invoke(s, "alpha")).json();
    assert.deepEqual(again.task, ["alpha.txt", "app.py"]);
    assert.equal(again.pid, a.pid, "the same warm instance");
  },
);

test("the function's memory limit holds after the assignment", { skip }, async () => {
  await deployProbe("hungry", "h", 128, 20);
  await invoke(s, "hungry");
  const r = await coldFromPool("hungry", { mb: 400 });
  assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled");
  assert.equal(r.json().errorType, "Runtime.OutOfMemory");
  const ok = await invoke(s, "hungry", { mb: 10 });
  assert.equal(ok.json().allocated, 10, "a new instance serves the next call");
});

test("a timeout kills the whole tree of a sandbox taken from the pool", { skip }, async () => {
  await deployProbe("sleepy", "s", 128, 1);
  await invoke(s, "sleepy");
  const marker = "987.654";
  const r = await coldFromPool("sleepy", { sleep: 5, marker });
  assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled");
  assert.match(r.text, /timed out/i);
  const gone = await waitFor(() => hostProcesses(`sleep ${marker}`).length === 0, 10_000);
  assert.ok(gone, "the detached child died with its instance");
});

test(
  "a Node.js function is served from the pool too, with its own code, environment and directory",
  { skip },
  async () => {
    const dir = join(src, "node-fn");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "index.mjs"),
      `import fs from "node:fs";
export const handler = async () => ({
  task: fs.readdirSync("/var/task").sort(),
  cwd: process.cwd(),
  role: process.env.ROLE ?? null,
  preinit: process.env.VAJRA_PREINIT ?? null,
});
`,
    );
    const r = await s.api("/functions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "node-fn",
        runtime: "nodejs20.x",
        handler: "index.handler",
        environment: { ROLE: "n" },
        zipFile: await zipBase64(dir),
      }),
    });
    assert.equal(r.status, 201, await r.text());
    await invoke(s, "node-fn");
    const out = (await coldFromPool("node-fn", {}, 2)).json();
    assert.deepEqual(out, { task: ["index.mjs"], cwd: "/var/task", role: "n", preinit: null });
  },
);

/**
 * A custom runtime's bootstrap in sh + curl that answers what its process sees. `socket`: it speaks to
 * the Runtime API's UNIX socket itself (it names VAJRA_RUNTIME_SOCKET, so it runs directly, behind the
 * exec waiter); else over TCP at AWS_LAMBDA_RUNTIME_API (behind the forwarder, which waits itself).
 */
function customBootstrap(socket: boolean): string {
  const curl = socket
    ? `curl -sS --unix-socket "\${VAJRA_RUNTIME_SOCKET:-/run/vajra/runtime.sock}"`
    : "curl -sS";
  const api = socket
    ? "http://localhost/2018-06-01/runtime"
    : "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime";
  return `#!/bin/sh
set -eu
API="${api}"
while true; do
  ID=$(${curl} -D - -o /dev/null "$API/invocation/next" | tr -d '\r' | sed -n 's/^[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d: //p')
  PREINIT=$(tr '\0' '\n' </proc/$$/environ | grep -c '^VAJRA_PREINIT=' || true)
  BODY=$(printf '{"cwd":"%s","role":"%s","preinitInEnviron":%s,"stdin":"%s","task":"%s"}' "$(pwd)" "\${ROLE:-}" "$PREINIT" "$(readlink /proc/$$/fd/0)" "$(ls /var/task | tr '\n' ' ')")
  ${curl} -o /dev/null -d "$BODY" "$API/invocation/$ID/response"
done
`;
}

for (const [socket, how, shapes] of [
  [true, "its own bootstrap is exec'd in a waiting sandbox", 3],
  [false, "its bootstrap runs behind the waiting Runtime API forwarder", 4],
] as const)
  test(
    `a custom runtime: ${how}, with exactly its environment, its directory, stdin on /dev/null`,
    { skip },
    async () => {
      const name = socket ? "custom-socket" : "custom-tcp";
      const dir = join(src, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "bootstrap"), customBootstrap(socket), { mode: 0o755 });
      writeFileSync(join(dir, "custom.txt"), "custom");
      const r = await s.api("/functions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          name,
          runtime: "provided.al2023",
          handler: "unused",
          environment: { ROLE: "c" },
          zipFile: await zipBase64(dir),
        }),
      });
      assert.equal(r.status, 201, await r.text());
      assert.equal((await invoke(s, name)).status, 200);
      const out = (await coldFromPool(name, {}, shapes)).json();
      assert.deepEqual(out, {
        cwd: "/var/task",
        role: "c",
        preinitInEnviron: 0,
        stdin: "/dev/null",
        task: "bootstrap custom.txt ",
      });
    },
  );
