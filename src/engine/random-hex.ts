// Random trace and span ids cut from a pool refilled 4 KiB at a time: a randomBytes call per id (three
// per invocation) was a tenth of what tracing cost the invoke path. Still crypto-random, as W3C Trace
// Context asks. One pool per thread (the event loop's and the span export thread's).

import { randomFillSync } from "node:crypto";

const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;

/** `bytes` random bytes as lower-case hex (16 for a trace id, 8 for a span id). */
export function randomHex(bytes: number): string {
  if (poolAt + bytes > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  poolAt += bytes;
  return POOL.toString("hex", poolAt - bytes, poolAt);
}
