// Option value parsers: --env K=V, integers, reserved concurrency.

import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "commander";
import { concurrencyOption, envOption, intOption } from "./parse-options.js";

void test("--env accumulates KEY=VALUE pairs; the value may hold '=' or be empty", () => {
  let env = envOption("STAGE=prod", undefined);
  env = envOption("URL=postgres://u:p@h/db?a=b", env);
  env = envOption("EMPTY=", env);
  assert.deepEqual(env, { STAGE: "prod", URL: "postgres://u:p@h/db?a=b", EMPTY: "" });
});

void test("--env keeps the last value of a repeated name", () => {
  assert.deepEqual(envOption("A=2", envOption("A=1", undefined)), { A: "2" });
});

void test("--env without '=' is rejected with the reason", () => {
  assert.throws(
    () => envOption("STAGE", undefined),
    (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /expected KEY=VALUE, got "STAGE"/);
      return true;
    },
  );
});

void test("--env rejects names that are not variable names", () => {
  for (const bad of ["=x", "1A=x", "MY-VAR=x", "A B=x"]) {
    assert.throws(() => envOption(bad, undefined), /not a valid variable name|expected KEY=VALUE/, bad);
  }
});

void test("integer options reject fractions, junk and out-of-range values", () => {
  const parse = intOption(1, 100);
  assert.equal(parse("42"), 42);
  assert.throws(() => parse("1.5"), /expected an integer/);
  assert.throws(() => parse("12abc"), /expected an integer/);
  assert.throws(() => parse(""), /expected an integer/);
  assert.throws(() => parse("0"), /between 1 and 100/);
  assert.throws(() => intOption(1)("-3"), /at least 1/);
});

void test("--concurrency takes a count or 'none' to clear the reservation", () => {
  assert.equal(concurrencyOption("0"), 0);
  assert.equal(concurrencyOption("25"), 25);
  assert.equal(concurrencyOption("none"), null);
  assert.throws(() => concurrencyOption("lots"), /expected an integer/);
});
