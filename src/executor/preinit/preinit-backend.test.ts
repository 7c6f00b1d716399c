// The pool's rules, with a backend and a mounter that only record: a cold start takes a waiting sandbox of
// its own shape (never another's), hands it the function's environment and limits, and the pool refills;
// a failed assignment discards the sandbox and the caller starts its own; idle keys and memory pressure
// empty the pool. Real sandboxes are exercised by test/integration/preinit.test.ts.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import {
  RUNTIME_ROOT,
  SOCKET_DIR,
  TASK_ROOT,
  type SandboxExit,
  type SandboxProcess,
  type SandboxSpec,
} from "../sandbox.js";
import { PreinitBackend, type PreinitOptions, type SlotMounter } from "./preinit-backend.js";

interface Spawned {
  spec: SandboxSpec;
  stdin: PassThrough;
  stdout: PassThrough;
  limits: number[];
  killed: boolean;
  input(): string;
  /** The process ends by itself (say, the interpreter failed to start). */
  die(): void;
}

class RecordingBackend {
  readonly isolated = true;
  readonly freezing = "none" as const;
  readonly spawned: Spawned[] = [];
  spawn(spec: SandboxSpec): SandboxProcess {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdin.on("data", (c: Buffer) => chunks.push(c));
    let exit: (e: SandboxExit) => void = () => {};
    const exited = new Promise<SandboxExit>((r) => (exit = r));
    const s: Spawned = {
      spec,
      stdin,
      stdout,
      limits: [],
      killed: false,
      input: () => Buffer.concat(chunks).toString(),
      die: () => exit({ code: 1, signal: null }),
    };
    this.spawned.push(s);
    return {
      stdin,
      stdout,
      stderr: new PassThrough(),
      exited,
      kill: () => {
        s.killed = true;
        exit({ code: null, signal: "SIGKILL" });
      },
      freeze: () => {},
      thaw: () => {},
      peakMemoryBytes: () => 0,
      oomKilled: () => false,
      release: () => {},
      setLimits: (mb) => void s.limits.push(mb),
    };
  }
}

class RecordingMounter implements SlotMounter {
  readonly binds: Array<[string, string]> = [];
  fail = false;
  bind(host: string, target: string): Promise<void> {
    if (this.fail) return Promise.reject(new Error("mount refused"));
    this.binds.push([host, target]);
    return Promise.resolve();
  }
  unmount(): Promise<void> {
    return Promise.resolve();
  }
}

function functionSpec(name: string, over: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    id: `inst-${name}`,
    mounts: [
      { host: `/code/${name}`, path: TASK_ROOT },
      { host: "/runtimes/python", path: RUNTIME_ROOT },
      { host: `/instances/${name}`, path: SOCKET_DIR },
    ],
    bindPaths: ["/usr/lib/python3"],
    command: ["/usr/bin/python3", `${RUNTIME_ROOT}/bootstrap.py`],
    cwd: TASK_ROOT,
    env: { PATH: "/usr/bin", AWS_LAMBDA_FUNCTION_NAME: name, SECRET: `${name}-secret` },
    memoryMb: 128,
    tmpSizeMb: 512,
    ...over,
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function pool(over: Partial<PreinitOptions> = {}) {
  const root = mkdtempSync(join(tmpdir(), "vajra-preinit-test-"));
  const backend = new RecordingBackend();
  const mounter = new RecordingMounter();
  const p = new PreinitBackend(backend, {
    root,
    mounter,
    perKey: 1,
    maxTotal: 4,
    idleMs: 60_000,
    waitingMemoryMb: 256,
    minAvailableShare: 0,
    refillDelayMs: 0,
    ...over,
  });
  return { p, backend, mounter, done: () => (p.close(), rmSync(root, { recursive: true, force: true })) };
}

test("a cold start with nothing waiting starts its own sandbox; the pool then prepares one of that shape", async () => {
  const { p, backend, done } = pool();
  try {
    assert.equal(await p.claim(functionSpec("a")), undefined);
    await tick();
    assert.equal(p.waiting(functionSpec("a")), 1);
    const generic = backend.spawned[0]?.spec;
    assert.ok(generic !== undefined);
    assert.equal(generic.env.VAJRA_PREINIT, "1");
    assert.equal(generic.env.SECRET, undefined, "a waiting sandbox holds nothing of any function");
    assert.equal(generic.env.AWS_LAMBDA_FUNCTION_NAME, undefined);
    assert.ok(!generic.mounts.some((m) => m.host.startsWith("/code/")), "no function's code is bound");
    assert.equal(generic.stdin, true);
  } finally {
    done();
  }
});

test("the waiting sandbox is assigned once: code bound, limits set, the function's environment sent", async () => {
  const { p, backend, mounter, done } = pool();
  try {
    await p.claim(functionSpec("a"));
    await tick();
    const proc = await p.claim(functionSpec("a", { memoryMb: 512 }));
    assert.ok(proc !== undefined);
    const s = backend.spawned[0];
    assert.ok(s !== undefined);
    assert.deepEqual(s.limits, [512]);
    assert.ok(mounter.binds.some(([h, t]) => h === "/code/a" && t.endsWith("/task")));
    assert.ok(mounter.binds.some(([h, t]) => h === "/instances/a" && t.endsWith("/run")));
    const [len, body] = [s.input().split("\n")[0], s.input().slice(s.input().indexOf("\n") + 1)];
    assert.equal(Number(len), Buffer.byteLength(body));
    assert.ok(body.split("\0").includes("SECRET=a-secret"));
    await tick();
    assert.equal(p.waiting(functionSpec("a")), 1, "refilled with a new sandbox");
    assert.equal(backend.spawned.length, 2);
    assert.deepEqual(p.poolStats(), {
      waiting: 1,
      ready: 0,
      taken: 1,
      started: 2,
      discarded: 0,
      fellBack: 0,
    });
  } finally {
    done();
  }
});

test("a ready sandbox (its bootstrap wrote the ready byte) is taken first; the byte never reaches the log", async () => {
  const { p, backend, done } = pool({ perKey: 2 });
  try {
    await p.claim(functionSpec("a"));
    await tick();
    await tick();
    assert.equal(backend.spawned.length, 2);
    const [older, newer] = backend.spawned as [Spawned, Spawned];
    newer.stdout.write(Buffer.from([0x06]));
    await tick();
    assert.equal(p.poolStats().ready, 1);
    const proc = await p.claim(functionSpec("a"));
    assert.ok(proc !== undefined);
    assert.ok(newer.input().includes("AWS_LAMBDA_FUNCTION_NAME=a"), "the ready one was assigned");
    assert.equal(older.input(), "", "the one still starting waits on");
    const out: Buffer[] = [];
    proc.stdout.on("data", (c: Buffer) => out.push(c));
    newer.stdout.write("START of the function's output\n");
    await tick();
    assert.equal(Buffer.concat(out).toString(), "START of the function's output\n");
    // Output that came before the byte (a warning at start-up, say) is kept; only the byte goes.
    older.stdout.write(Buffer.from("early\n\x06late\n", "latin1"));
    await tick();
    assert.equal(p.poolStats().ready, 1);
    const second = await p.claim(functionSpec("a"));
    const out2: Buffer[] = [];
    second?.stdout.on("data", (c: Buffer) => out2.push(c));
    await tick();
    assert.equal(Buffer.concat(out2).toString(), "early\nlate\n");
  } finally {
    done();
  }
});

test("a sandbox of one shape never serves another: other runtime, network, /tmp size or start-up variables", async () => {
  const { p, done } = pool();
  try {
    await p.claim(functionSpec("a"));
    await tick();
    for (const other of [
      functionSpec("b", { command: ["/usr/bin/node", `${RUNTIME_ROOT}/bootstrap.mjs`] }),
      functionSpec("b", { netnsPath: "/run/netns/x" }),
      functionSpec("b", { tmpSizeMb: 1024 }),
      functionSpec("b", { env: { PATH: "/usr/bin", PYTHONPATH: "/var/task/vendor" } }),
    ])
      assert.equal(await p.claim(other), undefined);
    assert.equal(p.waiting(functionSpec("a")), 1, "a's waiting sandbox is still there");
  } finally {
    done();
  }
});

test("a failed assignment discards the sandbox (killed, never reused) and the caller starts its own", async () => {
  const { p, backend, mounter, done } = pool();
  try {
    await p.claim(functionSpec("a"));
    await tick();
    mounter.fail = true;
    assert.equal(await p.claim(functionSpec("a")), undefined);
    assert.equal(backend.spawned[0]?.killed, true);
    const stats = p.poolStats();
    assert.equal(stats.fellBack, 1);
    assert.equal(stats.discarded, 1);
    assert.equal(stats.taken, 0);
  } finally {
    done();
  }
});

test("a sandbox that exited while waiting leaves the pool and is not handed out", async () => {
  const { p, backend, done } = pool();
  try {
    await p.claim(functionSpec("a"));
    await tick();
    backend.spawned[0]?.die();
    await tick();
    assert.equal(p.waiting(), 0);
    assert.equal(await p.claim(functionSpec("a")), undefined, "nothing to take: the caller starts one");
    await tick();
    assert.equal(p.waiting(), 1, "a new one is prepared");
  } finally {
    done();
  }
});

test("the pool empties when no cold start asked for a shape lately, and when host memory runs short", async () => {
  const idle = pool({ idleMs: 40 });
  try {
    await idle.p.claim(functionSpec("a"));
    await tick();
    assert.equal(idle.p.waiting(), 1);
    for (let i = 0; i < 100 && idle.p.waiting() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(idle.p.waiting(), 0);
    assert.equal(idle.backend.spawned[0]?.killed, true);
  } finally {
    idle.done();
  }
  const short = pool({ minAvailableShare: 1.01 });
  try {
    await short.p.claim(functionSpec("a"));
    await tick();
    assert.equal(short.p.waiting(), 0, "nothing is prepared while memory is short");
  } finally {
    short.done();
  }
});

test("a runtime whose bootstrap cannot wait is served only with the exec waiter, which runs the real command", async () => {
  const custom = functionSpec("c", { command: [`${TASK_ROOT}/bootstrap`] });
  const without = pool();
  try {
    assert.equal(await without.p.claim(custom), undefined);
    await tick();
    assert.equal(without.backend.spawned.length, 0, "no waiting sandbox without a waiter");
  } finally {
    without.done();
  }
  const { p, backend, done } = pool({ execWaiter: "/usr/bin/python3" });
  try {
    await p.claim(custom);
    await tick();
    const command = backend.spawned[0]?.spec.command ?? [];
    assert.deepEqual(command.slice(0, 4), ["/usr/bin/python3", "-S", "-E", "-c"]);
    assert.deepEqual(command.slice(5), [`${TASK_ROOT}/bootstrap`], "the real command follows the script");
    assert.ok(await p.claim(functionSpec("d", { command: [`${TASK_ROOT}/bootstrap`] })));
  } finally {
    done();
  }
});
