// Option value parsers: --env K=V, integers, reserved concurrency, alias --weight.

import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "commander";
import {
  concurrencyOption,
  envOption,
  intOption,
  weightOption,
  type VersionWeights,
} from "./parse-options.js";

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

void test("--weight takes VERSION=FRACTION or VERSION=PERCENT% between 0 and 1", () => {
  assert.deepEqual(weightOption("2=0.1", undefined), { "2": 0.1 });
  assert.deepEqual(weightOption("2=10%", undefined), { "2": 0.1 });
  assert.deepEqual(weightOption("3=0", undefined), { "3": 0 });
  assert.deepEqual(weightOption("3=1", undefined), { "3": 1 });
  assert.deepEqual(weightOption("12=.5", undefined), { "12": 0.5 });
  assert.deepEqual(weightOption("4=100%", undefined), { "4": 1 });
  assert.deepEqual(weightOption("4=2.5%", undefined), { "4": 0.025 });
});

void test("--weight rejects a bad version, a bad share, an out-of-range share and a second --weight", () => {
  const reject = (value: string, previous: VersionWeights | false | undefined, pattern: RegExp) =>
    assert.throws(
      () => weightOption(value, previous),
      (err: unknown) => err instanceof InvalidArgumentError && pattern.test(err.message),
      value,
    );
  reject("2", undefined, /expected VERSION=FRACTION/);
  reject("live=0.1", undefined, /not a published version number/);
  reject("$LATEST=0.1", undefined, /not a published version number/);
  reject("=0.1", undefined, /not a published version number/);
  reject("2=", undefined, /not a fraction/);
  reject("2=abc", undefined, /not a fraction/);
  reject("2=-0.1", undefined, /not a fraction/);
  reject("2=1.5", undefined, /not between 0 and 1/);
  reject("2=150%", undefined, /not between 0% and 100%/);
  reject("3=0.2", { "2": 0.1 }, /only one --weight/);
  reject("3=0.2", false, /cannot be combined/);
});
