// The checks every runtime family must pass, shared by the per-family test files: deploy from source
// with the CLI (runtime and handler detected, the build's log streamed), invoke, the output and context
// fields (function name, memory, request id, remaining time), an error body, a log line, a timeout,
// and the build log kept for `vajra info NAME --build-log`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { invoke, type ServerHandle } from "./harness.js";

export interface RuntimeCase {
  /** Function name to deploy as. */
  name: string;
  /** Absolute path of the source folder. */
  dir: string;
  /** The runtime the CLI must detect (no --runtime is passed). */
  runtime: string;
  /** Extra `vajra deploy` arguments (e.g. --handler when there is no convention, --runtime). */
  deployArgs?: string[];
  /** Whether the deploy builds (compiles or installs dependencies). */
  builds: boolean;
  hello: unknown;
  fail: unknown;
  sleep: (ms: number) => unknown;
  errorType: string | RegExp;
  errorMessage: RegExp;
  /** A line the function logs while handling `hello`. */
  logLine: RegExp;
  /** An event that makes the function call the Lambda endpoint unsigned and answer {endpointStatus}. */
  endpoint?: unknown;
  /** A reason to skip every test (the runtime is not on this host). */
  skip?: string | false;
}

interface HelloOutput {
  functionName: unknown;
  memoryMb: unknown;
  requestId: unknown;
  remainingMs: unknown;
  version?: unknown;
}

export function runtimeContract(server: () => ServerHandle, c: RuntimeCase): void {
  const opts = { skip: c.skip ?? false };
  test(
    `${c.runtime}: the CLI detects the runtime${c.builds ? ", builds" : ""} and deploys ${c.name} from source`,
    opts,
    () => {
      const r = server().cli([
        "deploy",
        c.name,
        c.dir,
        "--memory",
        "256",
        "--timeout",
        "5",
        ...(c.deployArgs ?? []),
      ]);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      if (c.deployArgs?.includes("--runtime") === true) assert.doesNotMatch(r.stderr, /Detected runtime/);
      else assert.match(r.stderr, new RegExp(`Detected runtime ${c.runtime.replace(/\./g, "\\.")}`));
      assert.match(r.stdout, new RegExp(`Created function ${c.name}: ${c.runtime.replace(/\./g, "\\.")}`));
      if (c.builds) {
        assert.match(r.stderr, /Building with /, "the build's log is streamed to the CLI");
        assert.match(r.stderr, /Built in /);
      }
    },
  );

  test(`${c.runtime}: output, context fields and a log line`, opts, async () => {
    const r = await invoke(server(), c.name, c.hello, { "x-vajra-log-type": "Tail" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("x-vajra-function-error"), null, r.text);
    const out = r.json() as unknown as HelloOutput;
    assert.equal(out.functionName, c.name);
    assert.equal(Number(out.memoryMb), 256);
    assert.equal(out.requestId, r.headers.get("x-vajra-request-id"));
    const remaining = Number(out.remainingMs);
    assert.ok(remaining > 0 && remaining <= 5000, `remaining time ${remaining} ms of a 5 s timeout`);
    assert.equal(out.version, "$LATEST");
    const log = Buffer.from(r.headers.get("x-vajra-log-result") ?? "", "base64").toString();
    assert.match(log, c.logLine);
    assert.match(log, /START RequestId: /);
    assert.match(log, /REPORT RequestId: .*Max Memory Used/);
  });

  if (c.endpoint !== undefined)
    test(
      `${c.runtime}: the Lambda endpoint is reachable inside the sandbox and refuses an unsigned call`,
      opts,
      async () => {
        const r = await invoke(server(), c.name, c.endpoint);
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json().endpointStatus, 403, r.text);
      },
    );

  test(`${c.runtime}: a handler error answers with its error body`, opts, async () => {
    const r = await invoke(server(), c.name, c.fail);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled");
    const body = r.json();
    if (typeof c.errorType === "string") assert.equal(body.errorType, c.errorType, r.text);
    else assert.match(String(body.errorType), c.errorType, r.text);
    assert.match(String(body.errorMessage), c.errorMessage, r.text);
  });

  test(
    `${c.runtime}: a timeout stops the invocation, and the next one gets a fresh instance`,
    opts,
    async () => {
      const s = server();
      const d = s.cli(["deploy", c.name, c.dir, "--timeout", "1", ...(c.deployArgs ?? [])]);
      assert.equal(d.status, 0, d.stderr);
      if (c.builds) assert.match(d.stderr, /Reusing the package built .* from the same sources/);
      const r = await invoke(s, c.name, c.sleep(3000));
      assert.equal(r.headers.get("x-vajra-function-error"), "Unhandled");
      assert.equal(r.json().errorType, "Sandbox.Timedout");
      const after = await invoke(s, c.name, c.hello);
      assert.equal(after.headers.get("x-vajra-function-error"), null, after.text);
    },
  );

  if (c.builds)
    test(`${c.runtime}: the build log is kept (vajra info NAME --build-log)`, opts, () => {
      const r = server().cli(["info", c.name, "--build-log"]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`Build [0-9a-f]{12} \\(${c.runtime.replace(/\./g, "\\.")}, .*\\): succeeded`),
      );
      assert.ok(r.stdout.length > 0, "the log itself is printed");
    });
}
