import { test } from "node:test";
import assert from "node:assert/strict";
import { VajraError } from "./errors.js";
import {
  effectiveLogging,
  loggingInput,
  nativeLoggingShape,
  loggingConfigShape,
  loggingEnvironment,
  resolveLoggingConfig,
} from "./logging-config.js";

test("JSON gets INFO levels by default; Text has none", () => {
  assert.deepEqual(resolveLoggingConfig({ logFormat: "JSON" }, undefined), {
    logFormat: "JSON",
    applicationLogLevel: "INFO",
    systemLogLevel: "INFO",
  });
  assert.deepEqual(resolveLoggingConfig({ logFormat: "Text" }, undefined), { logFormat: "Text" });
});

test("levels are refused with Text, naming the field", () => {
  assert.throws(
    () => resolveLoggingConfig({ applicationLogLevel: "WARN" }, undefined),
    (e: unknown) =>
      e instanceof VajraError && e.code === "InvalidParameter" && /applicationLogLevel/.test(e.message),
  );
  assert.throws(
    () => resolveLoggingConfig({ logFormat: "Text", systemLogLevel: "WARN" }, undefined),
    /systemLogLevel can be set only when logFormat is JSON/,
  );
});

test("bad values name the field and the allowed ones", () => {
  assert.throws(
    () => resolveLoggingConfig({ logFormat: "XML" }, undefined),
    /logFormat must be one of Text, JSON/,
  );
  assert.throws(
    () => resolveLoggingConfig({ logFormat: "JSON", applicationLogLevel: "LOUD" }, undefined),
    /applicationLogLevel must be one of TRACE/,
  );
  assert.throws(
    () => resolveLoggingConfig({ logFormat: "JSON", systemLogLevel: "ERROR" }, undefined),
    /systemLogLevel must be one of DEBUG, INFO, WARN/,
  );
  assert.throws(() => resolveLoggingConfig({ logGroup: "bad group!" }, undefined), /logGroup/);
});

test("a partial update keeps the current fields; switching to Text drops the levels", () => {
  const json = resolveLoggingConfig(
    { logFormat: "JSON", applicationLogLevel: "WARN", logGroup: "/my/group" },
    undefined,
  );
  assert.deepEqual(resolveLoggingConfig({ systemLogLevel: "WARN" }, json), {
    logFormat: "JSON",
    applicationLogLevel: "WARN",
    systemLogLevel: "WARN",
    logGroup: "/my/group",
  });
  assert.deepEqual(resolveLoggingConfig({ logFormat: "Text" }, json), {
    logFormat: "Text",
    logGroup: "/my/group",
  });
});

test("the API shape and the sandbox environment follow AWS", () => {
  assert.deepEqual(loggingConfigShape("f", undefined), { LogFormat: "Text", LogGroup: "/aws/lambda/f" });
  assert.deepEqual(loggingConfigShape("f", { logFormat: "JSON", applicationLogLevel: "WARN" }), {
    LogFormat: "JSON",
    ApplicationLogLevel: "WARN",
    SystemLogLevel: "INFO",
    LogGroup: "/aws/lambda/f",
  });
  assert.deepEqual(loggingEnvironment(effectiveLogging("f", undefined)), { AWS_LAMBDA_LOG_FORMAT: "Text" });
  assert.deepEqual(
    loggingEnvironment(effectiveLogging("f", { logFormat: "JSON", applicationLogLevel: "ERROR" })),
    {
      AWS_LAMBDA_LOG_FORMAT: "JSON",
      AWS_LAMBDA_LOG_LEVEL: "ERROR",
    },
  );
});

test("the native API's logging member: an object of known fields", () => {
  assert.deepEqual(loggingInput({ logFormat: "JSON" }), { logFormat: "JSON" });
  assert.throws(() => loggingInput("JSON"), /logging must be an object/);
  assert.throws(() => loggingInput({ format: "JSON" }), /unknown field 'logging\.format'/);
  assert.deepEqual(nativeLoggingShape("f", undefined), { logFormat: "Text", logGroup: "/aws/lambda/f" });
});
