import { test } from "node:test";
import assert from "node:assert/strict";
import { parseQualifier, routeAlias, validateAliasName, validateWeights } from "./routing.js";

test("qualifiers are $LATEST, version numbers or alias names", () => {
  assert.deepEqual(parseQualifier(undefined), { kind: "latest" });
  assert.deepEqual(parseQualifier("$LATEST"), { kind: "latest" });
  assert.deepEqual(parseQualifier("3"), { kind: "version", version: "3" });
  assert.deepEqual(parseQualifier("prod"), { kind: "alias", alias: "prod" });
  assert.throws(() => parseQualifier("bad qualifier"), /invalid qualifier/);
});

test("alias names may not be all digits", () => {
  assert.equal(validateAliasName("live"), "live");
  assert.throws(() => validateAliasName("12"), /not only digits/);
});

test("routing weights: one additional published version, weight within 0..1", () => {
  assert.equal(validateWeights("1", undefined), null);
  assert.deepEqual(validateWeights("1", { "2": 0.25 }), { "2": 0.25 });
  assert.throws(() => validateWeights("1", { "2": 0.1, "3": 0.1 }), /at most one additional version/);
  assert.throws(() => validateWeights("1", { "2": 1.5 }), /from 0.0 to 1.0/);
  assert.throws(() => validateWeights("1", { "1": 0.5 }), /must differ/);
  assert.throws(() => validateWeights("$LATEST", { "2": 0.5 }), /published version/);
});

test("weighted routing sends the weight's share to the additional version", () => {
  const alias = { functionVersion: "1", additionalVersionWeights: { "2": 0.3 } };
  assert.equal(routeAlias(alias, 0.29), "2");
  assert.equal(routeAlias(alias, 0.3), "1");
  assert.equal(routeAlias({ functionVersion: "1", additionalVersionWeights: null }, 0), "1");
  let two = 0;
  for (let i = 0; i < 1000; i++) if (routeAlias(alias, i / 1000) === "2") two++;
  assert.equal(two, 300);
});
