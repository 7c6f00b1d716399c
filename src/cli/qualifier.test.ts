// NAME:QUALIFIER splitting for `vajra invoke` and the display of alias routing weights.

import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "./errors.js";
import { formatWeights, resolveQualifier, splitQualifier } from "./qualifier.js";

void test("NAME:QUALIFIER splits at the colon; a plain NAME has no qualifier", () => {
  assert.deepEqual(splitQualifier("hello"), { name: "hello", qualifier: undefined });
  assert.deepEqual(splitQualifier("hello:live"), { name: "hello", qualifier: "live" });
  assert.deepEqual(splitQualifier("hello:3"), { name: "hello", qualifier: "3" });
  assert.deepEqual(splitQualifier("hello:$LATEST"), { name: "hello", qualifier: "$LATEST" });
});

void test("an empty part or a second colon is a usage error", () => {
  for (const bad of ["hello:", ":live", ":", "hello:live:2"]) {
    assert.throws(() => splitQualifier(bad), UsageError, bad);
  }
});

void test("--qualifier applies to a plain NAME and may not repeat a NAME:QUALIFIER", () => {
  assert.deepEqual(resolveQualifier("hello", "live"), { name: "hello", qualifier: "live" });
  assert.deepEqual(resolveQualifier("hello:2", undefined), { name: "hello", qualifier: "2" });
  assert.throws(() => resolveQualifier("hello:2", "live"), /give the qualifier once/);
  assert.throws(() => resolveQualifier("hello", ""), UsageError);
});

void test("weights read as percentages", () => {
  assert.equal(formatWeights({ "2": 0.1 }), "2=10%");
  assert.equal(formatWeights({ "2": 0.025 }), "2=2.5%");
  assert.equal(formatWeights({ "7": 1 / 3 }), "7=33.33%");
  assert.equal(formatWeights({}), "-");
  assert.equal(formatWeights(null), "-");
});
