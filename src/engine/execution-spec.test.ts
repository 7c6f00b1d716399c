// The per-version execution-spec cache: built once per config object, rebuilt when the function
// changes (a new config object), for another version, or after the runtime was rediscovered.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FunctionConfig } from "../core/types.js";
import type { ExecutionSpec } from "../executor/executor.js";
import type { RuntimeInfo } from "../executor/runtime-discovery.js";
import { ExecutionSpecCache } from "./execution-spec.js";

// Only identity matters to the cache, so opaque stand-ins are enough.
const fnA = { name: "a" } as unknown as FunctionConfig;
const runtime = { available: true } as unknown as RuntimeInfo;

function counting(): { build: () => ExecutionSpec; builds: () => number } {
  let n = 0;
  return {
    build: () => {
      n++;
      return { poolKey: `k${n}` } as unknown as ExecutionSpec;
    },
    builds: () => n,
  };
}

test("builds a version's spec once and returns the same object afterwards", () => {
  const cache = new ExecutionSpecCache();
  const c = counting();
  const first = cache.get(fnA, "$LATEST", runtime, c.build);
  assert.equal(cache.get(fnA, "$LATEST", runtime, c.build), first);
  assert.equal(c.builds(), 1);
});

test("rebuilds for a changed function, another version or a rediscovered runtime", () => {
  const cache = new ExecutionSpecCache();
  const c = counting();
  cache.get(fnA, "$LATEST", runtime, c.build);
  const updated = { ...fnA }; // an update makes a new config object
  cache.get(updated, "$LATEST", runtime, c.build);
  assert.equal(c.builds(), 2);
  cache.get(updated, "3", runtime, c.build);
  assert.equal(c.builds(), 3);
  cache.get(updated, "3", { ...runtime }, c.build);
  assert.equal(c.builds(), 4);
});
