// The Runtime API server on its own: a runtime that pipelines its result and the next /next in one
// write has them handled in that order (the result recorded before /next is seen) and answered in
// that order, and the error type comes through as sent.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerResponse } from "node:http";
import { createRuntimeApi, listenOnSocket } from "./runtime-api.js";
import { reportedErrorType } from "./instance.js";

test("pipelined requests on one connection are handled and answered in order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vajra-rtapi-"));
  const calls: string[] = [];
  const parked: ServerResponse[] = [];
  const server = createRuntimeApi({
    next: (res) => {
      calls.push("next");
      parked.push(res);
    },
    response: (id, body) => calls.push(`response ${id} ${body.toString()}`),
    responseTooLarge: (id) => calls.push(`too large ${id}`),
    error: (id, type, body) => calls.push(`error ${id} ${type} ${body.length}`),
    initError: (type) => calls.push(`init ${type}`),
  });
  const path = join(dir, "rt.sock");
  await listenOnSocket(server, path);
  const sock = connect(path);
  try {
    // a big result body arrives in several reads, so its end comes well after /next was parsed
    const body = "x".repeat(1 << 20);
    const post = (what: string, b: string, extra = ""): string =>
      `POST /2018-06-01/runtime/invocation/id%201/${what} HTTP/1.1\r\nHost: x\r\n${extra}Content-Length: ${b.length}\r\n\r\n${b}`;
    const next = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n";
    let received = "";
    sock.on("data", (c: Buffer) => (received += c.toString("latin1")));
    sock.write(post("response", body) + next);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (calls.length >= 2) resolve();
        else setImmediate(check);
      };
      check();
    });
    assert.deepEqual(
      calls.map((c) => c.slice(0, 20)),
      ["response id 1 xxxxxx", "next"],
    );
    // the answer to /next comes after the 202 of the result
    parked[0]?.writeHead(200, { "content-length": 5 });
    parked[0]?.end("event");
    sock.write(post("error", "{}", "Lambda-Runtime-Function-Error-Type: Fehler%C3%A4\r\n") + next);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (calls.length >= 4 && received.includes("event")) resolve();
        else setImmediate(check);
      };
      check();
    });
    assert.deepEqual(calls.slice(2), ["error id 1 Fehler%C3%A4 2", "next"]);
    const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ["202", "200", "202"]);
    assert.ok(received.indexOf("event") > received.indexOf("202"));
  } finally {
    sock.destroy();
    for (const res of parked) res.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a percent-encoded error type header stands for the body's errorType when the two agree", () => {
  const body = (t: string): Buffer => Buffer.from(JSON.stringify({ errorType: t, errorMessage: "m" }));
  assert.equal(reportedErrorType("Fehler%C3%A4", body("Fehlerä")), "Fehlerä");
  assert.equal(reportedErrorType("Fehler%C3%A4", body("Other")), "Fehler%C3%A4");
  assert.equal(reportedErrorType("Bad%E0%A4", body("x")), "Bad%E0%A4");
  assert.equal(reportedErrorType("TypeError", body("ignored")), "TypeError");
  assert.equal(reportedErrorType(undefined, body("FromBody")), "FromBody");
  assert.equal(reportedErrorType(undefined, Buffer.from("not json")), undefined);
});
