// Unit tests of the CloudWatch Logs filter pattern parser and matcher.

import assert from "node:assert/strict";
import { test } from "node:test";
import { FilterPatternError, matchesFilter, parseFilterPattern, requiredTexts } from "./log-filter.js";

const m = (pattern: string, line: string): boolean => matchesFilter(parseFilterPattern(pattern), line);

test("an empty pattern matches everything", () => {
  assert.equal(m("", "anything"), true);
  assert.equal(m('""', "anything"), true);
});

test("terms must all appear, case-sensitively", () => {
  assert.equal(m("ERROR timeout", "ERROR: db timeout"), true);
  assert.equal(m("ERROR timeout", "ERROR: db slow"), false);
  assert.equal(m("error", "ERROR"), false);
});

test("quoted phrases, exclusions and optional terms", () => {
  assert.equal(m('"db timeout"', "the db timeout hit"), true);
  assert.equal(m('"db timeout"', "timeout db"), false);
  assert.equal(m("ERROR -retry", "ERROR will retry"), false);
  assert.equal(m("ERROR -retry", "ERROR gave up"), true);
  assert.equal(m("?ERROR ?WARN", "WARN low disk"), true);
  assert.equal(m("?ERROR ?WARN", "INFO fine"), false);
  assert.equal(m("disk ?ERROR ?WARN", "ERROR cpu"), false);
});

test("%regex% terms", () => {
  assert.equal(m("%user-[0-9]+%", "login user-42"), true);
  assert.equal(m("%user-[0-9]+%", "login user-x"), false);
});

test("JSON patterns: equality, wildcards, numbers, && || and parentheses", () => {
  const line = JSON.stringify({ level: "ERROR", latency: 250, user: { id: "u-17" }, tags: ["a", "b"] });
  assert.equal(m('{ $.level = "ERROR" }', line), true);
  assert.equal(m("{ $.level = ERROR }", line), true);
  assert.equal(m('{ $.level != "ERROR" }', line), false);
  assert.equal(m('{ $.user.id = "u-*" }', line), true);
  assert.equal(m("{ $.latency > 100 }", line), true);
  assert.equal(m("{ $.latency <= 100 }", line), false);
  assert.equal(m('{ $.tags[1] = "b" }', line), true);
  assert.equal(m('{ ($.latency > 1000 || $.level = "ERROR") && $.user.id = "u-17" }', line), true);
  assert.equal(m("{ $.missing NOT EXISTS }", line), true);
  assert.equal(m("{ $.missing = 1 }", line), false);
  assert.equal(m('{ $.level = "ERROR" }', "not json"), false);
});

test("JSON patterns read the message after a runtime's tab-separated prefix", () => {
  const line = `2026-01-01T00:00:00.000Z\treq\tINFO\t${JSON.stringify({ ok: true })}`;
  assert.equal(m("{ $.ok IS TRUE }", line), true);
});

test("malformed patterns throw naming the problem", () => {
  for (const bad of [
    '"open',
    "{ $.a = }",
    "{ $.a = 1",
    "{ level = 1 }",
    '{ $.a > "x" }',
    "%[%",
    "[a, b",
    "[]",
    "[a, b = ]",
    "[a, 1x]",
    "[status, bytes > big]",
    "[a, status = 4* || code = 5*]",
    "- x",
  ])
    assert.throws(() => parseFilterPattern(bad), FilterPatternError, bad);
});

test("requiredTexts lists the plain required terms of 3+ characters", () => {
  assert.deepEqual(requiredTexts(parseFilterPattern('ERROR "db down" ab -x ?y')), ["ERROR", "db down"]);
  assert.deepEqual(requiredTexts(parseFilterPattern("{ $.a = 1 }")), []);
});

test("space-delimited patterns match fields in order, with ... and conditions", () => {
  const line = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326';
  const m = (pattern: string): boolean => matchesFilter(parseFilterPattern(pattern), line);
  assert.ok(m("[ip, user, username, timestamp, request, status, bytes]"));
  assert.ok(!m("[ip, user, username, timestamp, request, status]"), "without ... the count must match");
  assert.ok(m("[ip, ..., status = 404, bytes]"));
  assert.ok(m("[ip = 127.0.0.*, ...]"));
  assert.ok(m('[..., request = "GET *", status = 4* || status = 5*, bytes > 1000]'));
  assert.ok(!m("[..., status = 2*, bytes]"));
  assert.ok(!m("[..., bytes < 1000]"));
  assert.ok(m("[..., status != 200, bytes >= 2326 && bytes <= 2326]"));
  assert.ok(m("[ip, user, username = frank, timestamp = 10/Oct/2000*, ...]"));
  assert.ok(m("[...]"));
  assert.ok(!matchesFilter(parseFilterPattern("[a, b]"), "one"));
});
