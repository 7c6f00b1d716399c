// Instance lifecycle against real sandboxes: idle reaping, timeouts, memory limits, processes that
// outlive the handler, and concurrency limits.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  deploy,
  hostProcesses,
  invoke,
  startServer,
  stopAndClean,
  waitFor,
  type ServerHandle,
} from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";

let s: ServerHandle;
// Needs a bubblewrap sandbox: without one, one line says what to install (under CI, the file fails).
const skip = skipUnlessSandbox();

before(async () => {
  // A 1-second keep-alive so reaping is observable quickly; a small account limit for throttling.
  s = await startServer({ args: ["--keep-alive", "1", "--concurrency-limit", "20"] });
});
after(async () => {
  await stopAndClean(s);
});

const fn = (name: string, handler: string, extra: Record<string, unknown> = {}) =>
  deploy(s, { name, runtime: "python3.11", handler, ...extra }, "python/toolkit");

test("reaps idle instances after the keep-alive period", async () => {
  assert.equal((await fn("reap", "app.counter")).status, 201);
  const a = await invoke(s, "reap");
  assert.ok(a.headers.get("x-vajra-init-duration-ms"), "first call is a cold start");
  const b = await invoke(s, "reap");
  assert.equal(b.headers.get("x-vajra-init-duration-ms"), null, "second call is warm");
  assert.equal(b.json().count, 2);
  const info = async () =>
    ((await (await s.api("/functions/reap")).json()) as { instances: { idle: number } }).instances;
  assert.equal((await info()).idle, 1);
  assert.ok(await waitFor(async () => (await info()).idle === 0, 5000), "idle instance reaped");
  const c = await invoke(s, "reap");
  assert.ok(c.headers.get("x-vajra-init-duration-ms"), "a reaped function cold-starts again");
  assert.equal(c.json().count, 1);
});

test("a timeout kills the whole process tree and the next call gets a fresh instance", { skip }, async () => {
  await fn("slow", "app.sleep", { timeout: 1 });
  const marker = "4321.5";
  const r = await invoke(s, "slow", { seconds: 5, fork: marker });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled");
  const body = r.json();
  assert.equal(body.errorType, "Sandbox.Timedout");
  assert.match(String(body.errorMessage), /Task timed out after 1\.00 seconds/);
  assert.ok(
    await waitFor(() => hostProcesses(`sleep ${marker}`).length === 0),
    "forked child killed with the instance",
  );
  const next = await invoke(s, "slow", { seconds: 0 });
  assert.equal(next.json().count, 1, "fresh instance: module state starts over");
  assert.ok(next.headers.get("x-vajra-init-duration-ms"));
});

test(
  "a function allocating more than its memory is stopped and reported as out of memory",
  { skip },
  async () => {
    await fn("hog", "app.hog", { memorySize: 128, timeout: 20 });
    const r = await invoke(s, "hog", { mb: 400 });
    assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled");
    assert.equal(r.json().errorType, "Runtime.OutOfMemory");
    assert.equal(r.headers.get("x-vajra-max-memory-used-mb"), "128");
    const ok = await invoke(s, "hog", { mb: 10 });
    assert.equal(ok.json().allocated, 10, "a new instance serves the next call");
  },
);

test("a runtime that exits answers Runtime.ExitError and is replaced by a fresh instance", async () => {
  await fn("crasher", "app.crash");
  assert.equal((await invoke(s, "crasher", {})).json().count, 1);
  const r = await invoke(s, "crasher", { exit: 3 });
  assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled");
  assert.equal(r.json().errorType, "Runtime.ExitError");
  assert.match(String(r.json().errorMessage), /Runtime exited with error: exit status 3/);
  const next = await invoke(s, "crasher", {});
  assert.equal(next.json().count, 1, "the crashed instance was not reused");
});

test("children that outlive the handler are all killed when the instance stops", { skip }, async () => {
  await fn("forker", "app.fork");
  const marker = "8765.25";
  const r = await invoke(s, "forker", { marker });
  assert.equal((r.json().children as number[]).length, 3);
  assert.equal(hostProcesses(`sleep ${marker}`).length, 3, "children live on after the handler returned");
  const del = await s.api("/functions/forker/instances", { method: "DELETE" });
  assert.equal(del.status, 204);
  assert.ok(await waitFor(() => hostProcesses(`sleep ${marker}`).length === 0), "every child was killed");
});

test("reserved concurrency full answers 429 TooManyRequests", async () => {
  await fn("one", "app.sleep", { reservedConcurrency: 1, timeout: 10 });
  const slow = invoke(s, "one", { seconds: 1.5 });
  await new Promise((r) => setTimeout(r, 300));
  const r = await s.api("/functions/one/invoke", { method: "POST", body: "{}" });
  assert.equal(r.status, 429);
  const body = (await r.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, "TooManyRequests");
  assert.ok(r.headers.get("retry-after"));
  assert.equal((await slow).status, 200);
  assert.equal((await invoke(s, "one", { seconds: 0 })).status, 200, "the slot is free again");
});

test("the account concurrency limit answers 429 when every slot is taken", async () => {
  await fn("many", "app.sleep", { timeout: 15 });
  // 20 account slots; 'one' reserves 1, so 19 are shared. Each call holds its slot for 8 s, so that all 24
  // have arrived before the first ends even on a loaded host (24 cold starts keep the event loop busy).
  const calls = Array.from({ length: 24 }, () =>
    s.api("/functions/many/invoke", { method: "POST", body: '{"seconds":8}' }),
  );
  const statuses = (await Promise.all(calls)).map((r) => r.status);
  assert.equal(statuses.filter((x) => x === 200).length, 19);
  assert.equal(statuses.filter((x) => x === 429).length, 5);
});
