// Trace and span ids from the random pool: the right length, lower-case hex, and no repeats across refills.

import assert from "node:assert/strict";
import { test } from "node:test";
import { randomHex } from "./random-hex.js";

test("ids are lower-case hex of the asked length and do not repeat across pool refills", () => {
  const seen = new Set<string>();
  // 20,000 ids of 8 or 16 bytes use the 4 KiB pool dozens of times over.
  for (let i = 0; i < 20_000; i++) {
    const n = i % 2 === 0 ? 16 : 8;
    const id = randomHex(n);
    assert.match(id, n === 16 ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{16}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 20_000);
});
