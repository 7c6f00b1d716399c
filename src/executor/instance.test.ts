// When an instance is frozen and thawed, checked against a fake sandbox whose "runtime" is this test
// speaking the Runtime API over the instance's socket: frozen once idle with the runtime parked on
// /next, thawed before an event is handed over, never frozen between back-to-back invocations or
// after a kill, and not at all with freezing off.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Instance, type InvokeRequest, type InvokeResult } from "./instance.js";
import {
  SOCKET_DIR,
  SOCKET_NAME,
  type SandboxBackend,
  type SandboxExit,
  type SandboxProcess,
  type SandboxSpec,
} from "./sandbox.js";

const root = mkdtempSync(join(tmpdir(), "vajra-instance-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** What happened, in order: freeze, thaw, kill (sandbox calls), deliver (the runtime got an event), resolved. */
type Event = "freeze" | "thaw" | "kill" | "deliver" | "resolved";

/** A runtime driven by the test: each call is one Runtime API request on the instance's socket. */
class FakeRuntime {
  constructor(
    private readonly socketPath: string,
    private readonly events: Event[],
  ) {}

  /** GET /next; resolves with the request id once an event is handed over (undefined if the socket closed). */
  next(): Promise<string | undefined> {
    return new Promise((resolve) => {
      const req = request(
        { socketPath: this.socketPath, path: "/2018-06-01/runtime/invocation/next", method: "GET" },
        (res) => {
          this.events.push("deliver");
          res.resume();
          res.on("end", () => resolve(String(res.headers["lambda-runtime-aws-request-id"])));
        },
      );
      req.on("error", () => resolve(undefined));
      req.end();
    });
  }

  respond(requestId: string, body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          path: `/2018-06-01/runtime/invocation/${requestId}/response`,
          method: "POST",
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve());
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }
}

/** A sandbox that records freeze/thaw/kill and lets the test play the runtime. */
class FakeBackend implements SandboxBackend {
  readonly isolated = false;
  readonly freezing = "cgroup" as const;
  readonly events: Event[] = [];
  runtime: FakeRuntime | undefined;

  spawn(spec: SandboxSpec): SandboxProcess {
    const socketDir = spec.mounts.find((m) => m.path === SOCKET_DIR)?.host;
    assert.ok(socketDir !== undefined, "the instance mounts its socket folder");
    this.runtime = new FakeRuntime(join(socketDir, SOCKET_NAME), this.events);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let exit: (e: SandboxExit) => void = () => {};
    const exited = new Promise<SandboxExit>((resolve) => (exit = resolve));
    return {
      stdout,
      stderr,
      exited,
      kill: () => {
        this.events.push("kill");
        // A real process tree takes a moment to die after SIGKILL.
        setTimeout(() => {
          stdout.end();
          stderr.end();
          exit({ code: null, signal: "SIGKILL" });
        }, 30);
      },
      freeze: () => this.events.push("freeze"),
      thaw: () => this.events.push("thaw"),
      peakMemoryBytes: () => 0,
      oomKilled: () => false,
      release: () => {},
    };
  }
}

async function startInstance(freezeIdle: boolean) {
  const backend = new FakeBackend();
  let died = false;
  const inst = await Instance.start({
    backend,
    instancesDir: mkdtempSync(join(root, "instances-")),
    version: "$LATEST",
    initTimeoutMs: 10_000,
    reportInitDuration: false,
    freezeIdle,
    spec: {
      codeDir: root,
      runtimeDir: root,
      bindPaths: [],
      command: ["/bin/true"],
      env: {},
      memoryMb: 128,
      tmpSizeMb: 64,
    },
    onDeath: () => {
      died = true;
    },
  });
  const runtime = backend.runtime;
  assert.ok(runtime !== undefined);
  return { inst, backend, runtime, died: () => died };
}

function invokeRequest(n: number): InvokeRequest {
  return {
    requestId: `req-${n}`,
    payload: Buffer.from(JSON.stringify({ n })),
    timeoutMs: 10_000,
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
    traceId: "Root=1-00000000-000000000000000000000000",
  };
}

/** Waits (bounded) until `cond` holds; the event loop turns meanwhile, so setImmediate work runs. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Lets a few turns of the event loop pass, so a freeze asked for with setImmediate would have happened. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 20));
}

test("an initialised instance whose runtime waits on /next is frozen (provisioned instances too)", async () => {
  const { inst, backend, runtime } = await startInstance(true);
  try {
    const parked = runtime.next();
    await until(() => backend.events.includes("freeze"), "the idle instance is frozen");
    assert.equal(inst.state, "idle");
    assert.deepEqual(backend.events, ["freeze"]);
    inst.kill();
    assert.equal(await parked, undefined, "the parked /next ends with the instance");
  } finally {
    inst.kill();
  }
});

test("an invocation thaws the frozen instance before its event is handed over, and it is frozen again after the result", async () => {
  const { inst, backend, runtime } = await startInstance(true);
  try {
    const first = runtime.next();
    await until(() => backend.events.includes("freeze"), "the idle instance is frozen");
    const result = inst.invoke(invokeRequest(1)).then((r) => {
      backend.events.push("resolved");
      return r;
    });
    assert.equal(inst.state, "busy");
    assert.deepEqual(backend.events, ["freeze", "thaw"], "thawed at once, when the invocation is assigned");
    const id = await first;
    assert.equal(id, "req-1");
    await runtime.respond("req-1", '"one"');
    const parkedAgain = runtime.next();
    const r: InvokeResult = await result;
    assert.equal(r.body.toString(), '"one"');
    await until(() => backend.events.length === 5, "the instance is frozen again");
    assert.deepEqual(backend.events, ["freeze", "thaw", "deliver", "resolved", "freeze"]);
    assert.equal(inst.state, "idle");
    inst.kill();
    await parkedAgain;
  } finally {
    inst.kill();
  }
});

test("an invocation assigned as the previous one resolves is never frozen in between", async () => {
  const { inst, backend, runtime } = await startInstance(true);
  try {
    const first = runtime.next();
    await until(() => backend.events.includes("freeze"), "the idle instance is frozen");
    let second: Promise<InvokeResult> | undefined;
    const result = inst.invoke(invokeRequest(1)).then((r) => {
      backend.events.push("resolved");
      // Assigned in the same turn as the result: before the deferred freeze would run.
      second = inst.invoke(invokeRequest(2));
      return r;
    });
    assert.equal(await first, "req-1");
    const next = runtime.next();
    await runtime.respond("req-1", '"one"');
    await result;
    assert.equal(await next, "req-2");
    await runtime.respond("req-2", '"two"');
    const parked = runtime.next();
    assert.ok(second !== undefined);
    assert.equal((await second).body.toString(), '"two"');
    await until(() => backend.events.filter((e) => e === "freeze").length === 2, "frozen after the second");
    // The only freeze and thaw around the first invocation; none between the two.
    assert.deepEqual(backend.events, ["freeze", "thaw", "deliver", "resolved", "deliver", "freeze"]);
    inst.kill();
    await parked;
  } finally {
    inst.kill();
  }
});

test("a killed instance is never frozen afterwards, and it dies", async () => {
  const { inst, backend, runtime, died } = await startInstance(true);
  try {
    const first = runtime.next();
    await until(() => backend.events.includes("freeze"), "the idle instance is frozen");
    const result = inst.invoke(invokeRequest(1)).then((r) => {
      // Killed (a recycle, a delete) in the turn the result arrives, before the deferred freeze.
      inst.kill();
      return r;
    });
    assert.equal(await first, "req-1");
    const parked = runtime.next();
    await runtime.respond("req-1", '"one"');
    await result;
    await parked;
    await until(() => inst.state === "dead" && died(), "the instance is dead");
    await settle();
    const killedAt = backend.events.indexOf("kill");
    assert.ok(killedAt >= 0);
    assert.deepEqual(
      backend.events.slice(killedAt).filter((e) => e === "freeze"),
      [],
      `no freeze after the kill: ${backend.events.join(", ")}`,
    );
  } finally {
    inst.kill();
  }
});

test("with freezing off (VAJRA_FREEZE=off) an idle instance is never frozen or thawed", async () => {
  const { inst, backend, runtime } = await startInstance(false);
  try {
    const first = runtime.next();
    await settle();
    const result = inst.invoke(invokeRequest(1));
    assert.equal(await first, "req-1");
    const parked = runtime.next();
    await runtime.respond("req-1", '"one"');
    await result;
    await settle();
    assert.equal(inst.state, "idle");
    assert.deepEqual(backend.events, ["deliver"]);
    inst.kill();
    await parked;
  } finally {
    inst.kill();
  }
});
