import { test } from "node:test";
import assert from "node:assert/strict";
import { VajraError } from "./errors.js";
import {
  validateEnvironment,
  validateFunctionName,
  validateHandler,
  validateMemory,
  validateTimeout,
} from "./limits.js";
import { isDeprecated, resolveRuntimeId } from "./runtimes.js";

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(
    fn,
    (err: unknown) => err instanceof VajraError && err.code === code && message.test(err.message),
  );
}

test("function names follow Lambda's rules", () => {
  assert.equal(validateFunctionName("my-fn_1"), "my-fn_1");
  rejects(() => validateFunctionName("a b"), "InvalidParameter", /invalid function name 'a b'/);
  rejects(() => validateFunctionName("x".repeat(65)), "InvalidParameter", /1-64 characters/);
  rejects(() => validateFunctionName(""), "InvalidParameter", /name is required/);
});

test("memory and timeout ranges name the field and the allowed range", () => {
  assert.equal(validateMemory(128), 128);
  assert.equal(validateMemory(32768), 32768);
  rejects(
    () => validateMemory(127),
    "InvalidParameter",
    /memorySize must be an integer from 128 to 32768 MB; got 127/,
  );
  rejects(() => validateMemory(256.5), "InvalidParameter", /memorySize/);
  assert.equal(validateTimeout(3600), 3600);
  rejects(
    () => validateTimeout(3601),
    "InvalidParameter",
    /timeout must be an integer from 1 to 3600 seconds/,
  );
});

test("handlers need a module and a function", () => {
  assert.equal(validateHandler("app.handler"), "app.handler");
  rejects(() => validateHandler("apphandler"), "InvalidParameter", /expected 'module.function'/);
  rejects(() => validateHandler("a b.c"), "InvalidParameter", /invalid handler/);
});

test("environment variables: names, reserved keys and the 4 KB total", () => {
  assert.deepEqual(validateEnvironment({ A: "1" }), { A: "1" });
  rejects(
    () => validateEnvironment({ "1A": "x" }),
    "InvalidParameter",
    /invalid environment variable name '1A'/,
  );
  rejects(() => validateEnvironment({ AWS_REGION: "x" }), "InvalidParameter", /'AWS_REGION' is reserved/);
  rejects(() => validateEnvironment({ A: 1 }), "InvalidParameter", /must be a string/);
  rejects(() => validateEnvironment({ A: "x".repeat(5000) }), "InvalidParameter", /limit is 4096 bytes/);
});

test("runtime ids accept AWS ids and short forms, and name the supported ones otherwise", () => {
  assert.equal(resolveRuntimeId("python3.12").family, "python");
  assert.equal(resolveRuntimeId("nodejs20").id, "nodejs20.x");
  assert.equal(isDeprecated(resolveRuntimeId("python3.8")), true);
  assert.equal(isDeprecated(resolveRuntimeId("python3.13")), false);
  assert.equal(isDeprecated(resolveRuntimeId("nodejs22.x"), new Date("2026-01-01")), false);
  rejects(
    () => resolveRuntimeId("ruby3.2"),
    "UnknownRuntime",
    /unknown runtime 'ruby3.2'; supported runtimes: python3.8/,
  );
});
