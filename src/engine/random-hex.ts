// Random trace and span ids cut from a pool of random bytes refilled 4 KiB at a time and turned into hex
// once per refill: a randomBytes call per id (three per invocation) was a tenth of what tracing cost the
// invoke path, and a Buffer-to-hex conversion per id still showed in profiles; a substring of the hex
// pool costs next to nothing. Still crypto-random, as W3C Trace Context asks. One pool per thread.

import { randomFillSync } from "node:crypto";

const POOL_BYTES = 4096;
const bytes = Buffer.alloc(POOL_BYTES);
let pool = "";
let at = 0;

/** `n` random bytes as lower-case hex (16 for a trace id, 8 for a span id; at most 4096). */
export function randomHex(n: number): string {
  const chars = n * 2;
  if (at + chars > pool.length) {
    randomFillSync(bytes);
    pool = bytes.toString("hex");
    at = 0;
  }
  at += chars;
  return pool.substring(at - chars, at);
}
