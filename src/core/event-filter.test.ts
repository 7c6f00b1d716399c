import assert from "node:assert/strict";
import { test } from "node:test";
import { matchesPattern, parseFilterPattern } from "./event-filter.js";

const m = (pattern: string, value: unknown): boolean => matchesPattern(parseFilterPattern(pattern), value);

test("exact, prefix, suffix, equals-ignore-case, exists", () => {
  assert.ok(m('{"body": {"kind": ["order"]}}', { body: { kind: "order" } }));
  assert.ok(!m('{"body": {"kind": ["order"]}}', { body: { kind: "refund" } }));
  assert.ok(m('{"body": {"sku": [{"prefix": "AB-"}]}}', { body: { sku: "AB-12" } }));
  assert.ok(m('{"subject": [{"suffix": ".eu"}]}', { subject: "orders.eu" }));
  assert.ok(m('{"body": {"c": [{"equals-ignore-case": "eur"}]}}', { body: { c: "EUR" } }));
  assert.ok(m('{"body": {"tag": [{"exists": false}]}}', { body: {} }));
  assert.ok(!m('{"body": {"tag": [{"exists": true}]}}', { body: {} }));
  assert.ok(m('{"body": {"tags": ["b"]}}', { body: { tags: ["a", "b"] } }), "a list matches any element");
});

test("anything-but, numeric ranges and $or", () => {
  assert.ok(m('{"body": {"s": [{"anything-but": ["x", "y"]}]}}', { body: { s: "z" } }));
  assert.ok(!m('{"body": {"s": [{"anything-but": "x"}]}}', { body: { s: "x" } }));
  assert.ok(!m('{"body": {"s": [{"anything-but": {"prefix": "tmp"}}]}}', { body: { s: "tmp1" } }));
  assert.ok(m('{"body": {"n": [{"numeric": [">", 0, "<=", 5]}]}}', { body: { n: 5 } }));
  assert.ok(!m('{"body": {"n": [{"numeric": [">", 0, "<=", 5]}]}}', { body: { n: 6 } }));
  const or = '{"body": {"$or": [{"a": ["1"]}, {"b": [{"numeric": ["=", 2]}]}]}}';
  assert.ok(m(or, { body: { b: 2 } }));
  assert.ok(!m(or, { body: { a: "2" } }));
});

test("a pattern that does not parse names the field", () => {
  assert.throws(() => parseFilterPattern("{nope"), /Pattern: "\{nope" is not JSON/);
  assert.throws(() => parseFilterPattern('{"a": "x"}'), /must be a list or an object/);
  assert.throws(() => parseFilterPattern('{"a": [{"numeric": [">", "x"]}]}'), /numeric/);
  assert.throws(() => parseFilterPattern('{"a": [{"wildcard2": "x"}]}'), /unknown filter operator/);
});
