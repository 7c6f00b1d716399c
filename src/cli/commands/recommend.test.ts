import { test } from "node:test";
import assert from "node:assert/strict";
import { formatMoney } from "../output.js";
import { wrap } from "./recommend.js";

test("savings show two decimals, or two significant digits below a cent, and a dash when absent", () => {
  assert.equal(formatMoney(12.345, "USD"), "12.35 USD");
  assert.equal(formatMoney(0.000041234, "EUR"), "0.000041 EUR");
  assert.equal(formatMoney(0, "USD"), "0.00 USD");
  assert.equal(formatMoney(undefined, "USD"), "-");
});

test("details are word-wrapped to the width with their indent, words never split", () => {
  const text = "The most memory an invocation used was 8 MB of the configured 1024 MB over 24 invocations.";
  const out = wrap(text, 30, "   ");
  for (const line of out.split("\n")) {
    assert.ok(line.startsWith("   "), line);
    assert.ok(line.length <= 30, line);
  }
  assert.equal(out.replace(/\n {3}/g, " ").trim(), text);
  assert.equal(
    wrap("averyveryverylongwordthatdoesnotfit", 10, "  "),
    "  averyveryverylongwordthatdoesnotfit",
  );
});
