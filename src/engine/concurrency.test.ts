import { test } from "node:test";
import assert from "node:assert/strict";
import { VajraError } from "../core/errors.js";
import { ConcurrencyGate } from "./concurrency.js";

const throttled = (reason: string) => (err: unknown) =>
  err instanceof VajraError && err.code === "TooManyRequests" && err.details?.reason === reason;

test("a function with reserved concurrency runs at most that many at once", () => {
  const g = new ConcurrencyGate(1000);
  g.setReservation("f", 2);
  const a = g.acquire("f");
  g.acquire("f");
  assert.throws(() => g.acquire("f"), throttled("ReservedFunctionConcurrentInvocationLimitExceeded"));
  a();
  a(); // releasing twice gives back one slot only
  g.acquire("f");
  assert.throws(() => g.acquire("f"), throttled("ReservedFunctionConcurrentInvocationLimitExceeded"));
});

test("reserved concurrency 0 throttles every call", () => {
  const g = new ConcurrencyGate(1000);
  g.setReservation("off", 0);
  assert.throws(() => g.acquire("off"), throttled("ReservedFunctionConcurrentInvocationLimitExceeded"));
});

test("unreserved functions share what reservations leave of the account limit", () => {
  const g = new ConcurrencyGate(10);
  g.setReservation("big", 8);
  g.acquire("a");
  g.acquire("b");
  assert.throws(() => g.acquire("c"), throttled("ConcurrentInvocationLimitExceeded"));
  assert.equal(g.totalInFlight, 2);
});

test("a reservation may not starve the unreserved pool", () => {
  const g = new ConcurrencyGate(1000);
  g.checkReservation("f", 900);
  assert.throws(() => g.checkReservation("f", 901), /leave fewer than 100/);
  g.setReservation("f", 500);
  assert.throws(() => g.checkReservation("g", 401), /already reserved by other functions: 500/);
  g.checkReservation("f", 900); // replacing its own reservation is fine
});
