// Vajra's Node.js bootstrap (runtimes/nodejs) against a real server and sandbox: the corner cases of
// its Runtime API client and of the handler contract — error names no HTTP header can carry, large
// multi-byte payloads, callbacks and the empty event loop, fatal errors while a result is pending,
// init errors — and that a warm instance keeps serving after each.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { deploy, invoke, startServer, stopAndClean, waitFor, type ServerHandle } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";

let s: ServerHandle;
const skip = skipUnlessSandbox();
const FIXTURE = "nodejs/behaviours";

before(async () => {
  s = await startServer();
});
after(async () => {
  await stopAndClean(s);
});

async function deployHandler(name: string, handler: string): Promise<void> {
  const d = await deploy(s, { name, runtime: "nodejs20.x", handler }, FIXTURE);
  assert.equal(d.status, 201, JSON.stringify(d.json));
}

test(
  "an error named with non-ASCII characters is reported with its name, and the instance lives on",
  { skip },
  async () => {
    await deployHandler("unicode-error", "index.unicodeError");
    for (let i = 0; i < 2; i++) {
      const r = await invoke(s, "unicode-error", {});
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled", r.text);
      const body = r.json();
      assert.equal(body.errorType, "ÜberFehler💥");
      assert.equal(body.errorMessage, "gescheitert: ünïcödé ✓");
      // The second call is warm: the bootstrap did not crash on the header.
      if (i === 1) assert.equal(r.headers.get("x-vajra-init-duration-ms"), null);
    }
    // The invocation records keep the name too (the header carried it percent-encoded).
    const logs = (await (await s.api("/functions/unicode-error/logs")).json()) as {
      invocations: Array<{ errorType?: string }>;
    };
    assert.deepEqual(
      logs.invocations.map((r) => r.errorType),
      ["ÜberFehler💥", "ÜberFehler💥"],
    );
  },
);

test("an init error named with non-ASCII characters is reported with its name", { skip }, async () => {
  await deployHandler("init-fails", "init-fails.handler");
  const r = await invoke(s, "init-fails", {});
  assert.equal(r.status, 200, r.text);
  assert.notEqual(r.headers.get("x-vajra-function-error"), null, r.text);
  const body = r.json();
  assert.equal(body.errorType, "InitFehler€");
  assert.equal(body.errorMessage, "init gescheitert");
});

test(
  "large multi-byte payloads cross the Runtime API intact, and the context is filled in",
  { skip },
  async () => {
    await deployHandler("echo", "index.echo");
    // ~1.5 MB of 2-, 3- and 4-byte characters: they straddle every read boundary.
    const text = "ä€😀".repeat(170_000);
    let pid: unknown;
    for (let i = 0; i < 3; i++) {
      const r = await invoke(s, "echo", { text, i });
      assert.equal(r.status, 200, r.text.slice(0, 300));
      const out = r.json();
      assert.deepEqual(out.event, { text, i });
      assert.match(String(out.requestId), /^[0-9a-f-]{36}$/);
      assert.equal(r.headers.get("x-amzn-requestid") ?? out.requestId, out.requestId);
      assert.match(String(out.arn), /:function:echo$/);
      assert.match(String(out.traceId), /^Root=1-/);
      assert.ok(Number(out.remainingMs) > 0 && Number(out.remainingMs) <= 3000, String(out.remainingMs));
      if (i === 0) pid = out.pid;
      else assert.equal(out.pid, pid, "one warm instance serves every call");
    }
    const empty = await s.api("/functions/echo/invoke", { method: "POST", body: "" });
    assert.deepEqual((JSON.parse(await empty.text()) as { event: unknown }).event, {});
  },
);

test("a callback's answer waits for the empty event loop unless told not to", { skip }, async () => {
  await deployHandler("callback", "index.callbackWaits");
  const waited = await invoke(s, "callback", {});
  assert.equal(waited.status, 200, waited.text);
  assert.equal(waited.json().late, true);
  const notWaited = await invoke(s, "callback", { dontWait: true });
  assert.equal(notWaited.json().late, false);
  // and the instance still answers (its pending timer ran while it waited for the next event)
  const again = await invoke(s, "callback", {});
  assert.equal(again.json().late, true);
  assert.equal(again.json().pid, waited.json().pid);
});

test(
  "a drained event loop answers null for a sync handler and fails an unsettled async one",
  { skip },
  async () => {
    await deployHandler("silent", "index.silent");
    for (let i = 0; i < 2; i++) {
      const r = await invoke(s, "silent", {});
      assert.equal(r.status, 200);
      assert.equal(r.text, "null");
      assert.equal(r.headers.get("x-vajra-function-error"), null);
    }
    await deployHandler("never", "index.neverSettles");
    const r = await invoke(s, "never", {});
    assert.equal(r.json().errorType, "Runtime.NodeJsExit", r.text);
  },
);

test(
  "an unhandled rejection is the invocation's error; the next call gets a fresh instance",
  { skip },
  async () => {
    await deployHandler("reject", "index.rejectNow");
    const r = await invoke(s, "reject", {});
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().errorType, "Runtime.UnhandledPromiseRejection", r.text);
    // The runtime exits after reporting: once its instance is gone, the next call starts a fresh one.
    const instances = async (): Promise<number> => {
      const f = (await (await s.api("/functions/reject")).json()) as {
        instances?: { idle?: number; busy?: number };
      };
      return (f.instances?.idle ?? 0) + (f.instances?.busy ?? 0);
    };
    assert.ok(await waitFor(async () => (await instances()) === 0, 10_000), "the instance exited");
    const again = await invoke(s, "reject", {});
    assert.equal(again.json().errorType, "Runtime.UnhandledPromiseRejection", again.text);
    assert.notEqual(again.headers.get("x-vajra-init-duration-ms"), null, "a fresh instance");
  },
);
