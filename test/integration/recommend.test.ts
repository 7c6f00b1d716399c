// Cost recommendations end to end: a real server runs a Python function configured far larger than
// it needs (1024 MB, 300 s timeout); after a few dozen invocations the native API and `vajra recommend`
// suggest less memory and a shorter timeout with their evidence; an unknown function is a 404.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";

const INVOCATIONS = 24;
let s: ServerHandle;

interface Rec {
  function: string;
  kind: string;
  severity: string;
  title: string;
  detail: string;
  evidence: Record<string, unknown>;
  estimatedMonthlySaving?: number;
  currency: string;
  risk?: string;
}

before(async () => {
  s = await startServer();
  const r = await deploy(
    s,
    { name: "roomy", runtime: "python3.11", handler: "app.counter", memorySize: 1024, timeout: 300 },
    "python/toolkit",
  );
  assert.equal(r.status, 201, JSON.stringify(r.json));
  for (let i = 0; i < INVOCATIONS; i++) assert.equal((await invoke(s, "roomy", { i })).status, 200);
  // The same function at two memory sizes: redeployed with more memory halfway.
  for (const memorySize of [256, 512]) {
    const d = await deploy(
      s,
      { name: "sized", runtime: "python3.11", handler: "app.counter", memorySize },
      "python/toolkit",
    );
    assert.ok(d.status === 201 || d.status === 200, JSON.stringify(d.json));
    for (let i = 0; i < 12; i++) assert.equal((await invoke(s, "sized", { i })).status, 200);
  }
});
after(async () => {
  await stopAndClean(s);
});

test("GET /recommendations?function= suggests less memory and a shorter timeout, with evidence", async () => {
  const r = await s.api("/recommendations?function=roomy");
  const text = await r.text();
  assert.equal(r.status, 200, text);
  const report = JSON.parse(text) as { currency: string; recommendations: Rec[]; assumptions: string[] };
  assert.equal(report.currency, "USD");
  assert.ok(report.assumptions.length > 0);
  const memory = report.recommendations.find((x) => x.kind === "memory-right-sizing");
  assert.ok(memory !== undefined, text);
  assert.equal(memory.function, "roomy");
  assert.equal(memory.evidence.configuredMemoryMb, 1024);
  assert.equal(memory.evidence.invocations, INVOCATIONS);
  const used = memory.evidence.maxMemoryUsedMb as number;
  const suggested = memory.evidence.suggestedMemoryMb as number;
  assert.ok(used > 0 && used < 512, `max used ${used} MB`);
  assert.ok(suggested >= 128 && suggested >= used + 64 && suggested < 1024, `suggested ${suggested} MB`);
  assert.ok((memory.estimatedMonthlySaving ?? 0) > 0, "a smaller size saves money");
  assert.match(memory.detail, new RegExp(`${used} MB of the configured 1024 MB`));

  const timeout = report.recommendations.find((x) => x.kind === "timeout");
  assert.ok(timeout !== undefined, text);
  assert.equal(timeout.evidence.timeoutSeconds, 300);
  const suggestedTimeout = timeout.evidence.suggestedTimeoutSeconds as number;
  assert.ok(suggestedTimeout >= 1 && suggestedTimeout < 30, `suggested ${suggestedTimeout} s`);
  assert.ok((timeout.evidence.p99DurationMs as number) * 10 < 300_000);
});

test("a function that ran at two memory sizes gets their durations and costs per request compared", async () => {
  const r = await s.api("/recommendations?function=sized");
  const text = await r.text();
  assert.equal(r.status, 200, text);
  const report = JSON.parse(text) as { recommendations: Rec[] };
  const cmp = report.recommendations.find((x) => x.kind === "memory-size-comparison");
  assert.ok(cmp !== undefined, text);
  const sizes = cmp.evidence.sizes as Array<{
    memorySizeMb: number;
    invocations: number;
    costPerRequest: number;
  }>;
  assert.deepEqual(
    sizes.map((x) => [x.memorySizeMb, x.invocations]),
    [
      [256, 12],
      [512, 12],
    ],
  );
  assert.ok(sizes.every((x) => x.costPerRequest > 0));
  assert.equal(typeof cmp.evidence.moreMemoryBoughtSpeed, "boolean");
  assert.match(cmp.detail, /256 MB: median .* per request \(12 invocations\); 512 MB/);
});

test("vajra recommend prints the recommendations with their evidence; --json gives the report", () => {
  const r = s.cli(["recommend", "roomy"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /SEVERITY\s+FUNCTION\s+KIND\s+SAVING\/MONTH\s+RECOMMENDATION/);
  assert.match(r.stdout, /memory-right-sizing/);
  assert.match(r.stdout, /lower it from 1024 MB to \d+ MB/);
  assert.match(r.stdout, /lower it from 300 s to \d+ s/);
  assert.match(r.stdout, /of the configured 1024 MB/);
  assert.match(r.stdout, /risk:/);
  const all = s.cli(["recommend", "--json"]);
  assert.equal(all.status, 0, all.stderr);
  const parsed = JSON.parse(all.stdout) as { functions: number; recommendations: Rec[] };
  assert.equal(parsed.functions, 2);
  assert.ok(parsed.recommendations.some((x) => x.kind === "timeout" && x.function === "roomy"));
});

test("with metrics off the records alone are the evidence", async () => {
  const off = await startServer({ env: { VAJRA_METRICS: "off" } });
  try {
    const d = await deploy(
      off,
      { name: "roomy", runtime: "python3.11", handler: "app.counter", memorySize: 1024, timeout: 300 },
      "python/toolkit",
    );
    assert.equal(d.status, 201, JSON.stringify(d.json));
    for (let i = 0; i < INVOCATIONS; i++) assert.equal((await invoke(off, "roomy", { i })).status, 200);
    const r = await off.api("/recommendations");
    const text = await r.text();
    assert.equal(r.status, 200, text);
    const report = JSON.parse(text) as { assumptions: string[]; recommendations: Rec[] };
    assert.ok(
      report.assumptions.some((a) => a.includes("metrics are off")),
      text,
    );
    const kinds = report.recommendations.map((x) => x.kind).sort();
    assert.deepEqual(kinds, ["memory-right-sizing", "timeout"]);
  } finally {
    await stopAndClean(off);
  }
});

test("an unknown function is a 404 FunctionNotFound naming it, from the API and the CLI", async () => {
  const r = await s.api("/recommendations?function=nope");
  assert.equal(r.status, 404);
  const body = (await r.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, "FunctionNotFound");
  assert.match(body.error.message, /nope/);
  const empty = await s.api("/recommendations?function=");
  assert.equal(empty.status, 400);
  const cli = s.cli(["recommend", "nope"]);
  assert.notEqual(cli.status, 0);
  assert.match(cli.stderr, /nope/);
});
