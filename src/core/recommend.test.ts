import { test } from "node:test";
import assert from "node:assert/strict";
import { DAY_MS, DEFAULT_PRICE_SHEET, HOUR_MS } from "./billing.js";
import {
  COLD_START_MIN_INVOCATIONS,
  ERROR_MIN_INVOCATIONS,
  MEMORY_MIN_SAMPLES,
  MONTH_MS,
  TIMEOUT_MIN_SAMPLES,
  peakOverlap,
  quantile,
  recommend,
  sizeWithHeadroom,
  traffic,
  type FunctionEvidence,
  type InvocationSample,
  type Recommendation,
  type SeriesPeriod,
} from "./recommend.js";

const NOW = Date.UTC(2026, 11, 4, 12);
const sheet = DEFAULT_PRICE_SHEET;

/** `n` invocations spread evenly over `spanMs` before NOW, each shaped by `f(i)`. */
function samples(
  n: number,
  f: (i: number) => Partial<InvocationSample> = () => ({}),
  spanMs = 2 * DAY_MS,
): InvocationSample[] {
  return Array.from({ length: n }, (_, i) => ({
    startedAt: NOW - spanMs + Math.floor((i * spanMs) / n),
    ok: true,
    durationMs: 40,
    billedDurationMs: 40,
    memorySizeMb: 1024,
    maxMemoryUsedMb: 40,
    ...f(i),
  }));
}

function evidence(over: Partial<FunctionEvidence> = {}): FunctionEvidence {
  return {
    function: "f",
    memorySizeMb: 1024,
    timeoutSeconds: 3,
    ephemeralStorageMb: 512,
    samples: [],
    provisioned: [],
    ...over,
  };
}

/** Hourly periods over `hours` before NOW, each shaped by `f(i)`. */
function series(hours: number, f: (i: number) => Partial<SeriesPeriod>): SeriesPeriod[] {
  return Array.from({ length: hours }, (_, i) => ({
    startMs: NOW - (hours - i) * HOUR_MS,
    invocations: 0,
    errors: 0,
    coldStarts: 0,
    maxConcurrency: 0,
    ...f(i),
  }));
}

const run = (ev: FunctionEvidence) => recommend([ev], sheet, NOW);
const ofKind = (recs: Recommendation[], kind: Recommendation["kind"]) => recs.filter((r) => r.kind === kind);

test("quantile, peak overlap and headroom arithmetic", () => {
  assert.equal(quantile([5, 1, 3, 2, 4], 0.5), 3);
  assert.equal(quantile([1, 2, 3, 4, 100], 0.99), 100);
  assert.equal(quantile([], 0.5), null);
  const s = (startedAt: number, durationMs: number): InvocationSample => ({
    startedAt,
    durationMs,
    ok: true,
    billedDurationMs: durationMs,
    memorySizeMb: 128,
    maxMemoryUsedMb: 10,
  });
  assert.equal(peakOverlap([s(0, 10), s(5, 10), s(8, 1), s(20, 5)]), 3);
  assert.equal(peakOverlap([s(0, 10), s(10, 10)]), 1, "back-to-back calls do not overlap");
  assert.equal(sizeWithHeadroom(40), 128, "never below the 128 MB minimum");
  assert.equal(sizeWithHeadroom(100), 164, "+64 MB when that is more than x1.5");
  assert.equal(sizeWithHeadroom(300), 450, "x1.5 in whole MB");
  assert.equal(sizeWithHeadroom(301), 452, "rounded up");
});

test("traffic is extrapolated from the observed window, counted as at least one day", () => {
  const two = traffic(evidence({ samples: samples(100, () => ({}), 2 * DAY_MS) }), NOW);
  assert.equal(two.source, "records");
  assert.equal(two.requests, 100);
  assert.equal(Math.round(two.monthlyRequests), 1500);
  const burst = traffic(evidence({ samples: samples(20, () => ({}), 60_000) }), NOW);
  assert.equal(Math.round(burst.monthlyRequests), 600, "20 calls in a minute count as 20 a day");
  const fromSeries = traffic(
    evidence({ samples: samples(10), series: series(48, () => ({ invocations: 10, maxConcurrency: 2 })) }),
    NOW,
  );
  assert.equal(fromSeries.source, "series");
  assert.equal(fromSeries.requests, 480, "the series counts invocations beyond the records read");
  assert.equal(fromSeries.peakConcurrency, 2);
});

test("over-sized memory: suggests the smallest size with headroom and the monthly saving", () => {
  const { recommendations: recs } = run(
    evidence({ samples: samples(30, (i) => ({ maxMemoryUsedMb: 30 + i })) }),
  );
  const [r] = ofKind(recs, "memory-right-sizing");
  assert.ok(r !== undefined);
  assert.equal(r.evidence.maxMemoryUsedMb, 59);
  assert.equal(r.evidence.suggestedMemoryMb, 128);
  // 30 calls over 2 days = 450 a month, 40 ms each, 896 MB less.
  const expected = 450 * 0.04 * (896 / 1024) * sheet.durationPerGbSecond;
  assert.ok(Math.abs((r.estimatedMonthlySaving ?? 0) - expected) < 1e-6, `${r.estimatedMonthlySaving}`);
  assert.equal(r.currency, "USD");
  assert.equal(r.severity, "low");
  assert.match(r.detail, /59 MB of the configured 1024 MB/);
  assert.match(r.risk ?? "", /CPU share/);
});

test("memory is not judged on thin evidence, nor when the reduction is small or the use is moderate", () => {
  const thin = run(evidence({ samples: samples(MEMORY_MIN_SAMPLES - 1) }));
  assert.equal(ofKind(thin.recommendations, "memory-right-sizing").length, 0);
  assert.ok(thin.notes.some((n) => n.includes("memory not judged")));
  const small = run(evidence({ memorySizeMb: 200, samples: samples(30, () => ({ memorySizeMb: 200 })) }));
  assert.equal(ofKind(small.recommendations, "memory-right-sizing").length, 0, "128 MB is only 72 MB less");
  const moderate = run(evidence({ samples: samples(30, () => ({ maxMemoryUsedMb: 600 })) }));
  assert.equal(ofKind(moderate.recommendations, "memory-right-sizing").length, 0);
  // Records at another size do not count for the configured one.
  const other = run(evidence({ samples: samples(30, () => ({ memorySizeMb: 512 })) }));
  assert.equal(ofKind(other.recommendations, "memory-right-sizing").length, 0);
});

test("near the memory limit: suggests more, with the added cost as the risk", () => {
  const { recommendations: recs } = run(
    evidence({
      memorySizeMb: 256,
      samples: samples(30, () => ({ memorySizeMb: 256, maxMemoryUsedMb: 240 })),
    }),
  );
  const [r] = ofKind(recs, "memory-right-sizing");
  assert.ok(r !== undefined);
  assert.equal(r.severity, "high");
  assert.equal(r.evidence.suggestedMemoryMb, 360);
  assert.equal(r.estimatedMonthlySaving, undefined);
  assert.ok((r.evidence.monthlyCostIncrease as number) > 0);
  assert.match(r.risk ?? "", /OutOfMemory/);
});

test("an out-of-memory failure is enough evidence on its own", () => {
  const { recommendations: recs } = run(
    evidence({
      memorySizeMb: 512,
      samples: samples(3, (i) =>
        i === 2
          ? { memorySizeMb: 512, maxMemoryUsedMb: 100, ok: false, errorType: "Runtime.OutOfMemory" }
          : { memorySizeMb: 512, maxMemoryUsedMb: 100 },
      ),
    }),
  );
  const [r] = ofKind(recs, "memory-right-sizing");
  assert.ok(r !== undefined);
  assert.equal(r.evidence.outOfMemoryErrors, 1);
  assert.equal(r.evidence.suggestedMemoryMb, 768);
});

test("several memory sizes: says whether memory bought speed and which size is cheapest per request", () => {
  const cpuBound = [
    ...samples(20, () => ({
      memorySizeMb: 128,
      durationMs: 1000,
      billedDurationMs: 1000,
      maxMemoryUsedMb: 60,
    })),
    ...samples(20, () => ({
      memorySizeMb: 1024,
      durationMs: 100,
      billedDurationMs: 100,
      maxMemoryUsedMb: 60,
    })),
  ];
  const a = run(evidence({ memorySizeMb: 128, samples: cpuBound }));
  const [cmp] = ofKind(a.recommendations, "memory-size-comparison");
  assert.ok(cmp !== undefined);
  assert.equal(cmp.evidence.moreMemoryBoughtSpeed, true);
  assert.equal(cmp.evidence.cheapestMemoryMb, 1024);
  assert.ok((cmp.estimatedMonthlySaving ?? 0) > 0, "1024 MB at 100 ms is cheaper than 128 MB at 1000 ms");
  assert.match(cmp.detail, /More memory bought speed/);

  const flat = [
    ...samples(20, () => ({ memorySizeMb: 128, durationMs: 50, billedDurationMs: 50 })),
    ...samples(20, () => ({ memorySizeMb: 1024, durationMs: 48, billedDurationMs: 48 })),
  ];
  const b = run(evidence({ memorySizeMb: 1024, samples: flat }));
  const [cmp2] = ofKind(b.recommendations, "memory-size-comparison");
  assert.ok(cmp2 !== undefined);
  assert.equal(cmp2.evidence.moreMemoryBoughtSpeed, false);
  assert.equal(cmp2.evidence.cheapestMemoryMb, 128);
  assert.match(cmp2.detail, /did not buy speed/);

  const one = run(evidence({ samples: samples(40) }));
  assert.equal(
    ofKind(one.recommendations, "memory-size-comparison").length,
    0,
    "one size: nothing to compare",
  );
});

test("a timeout far above the p99 duration: suggests p99 x 3 rounded up to seconds", () => {
  const ev = evidence({ timeoutSeconds: 300, samples: samples(30, (i) => ({ durationMs: 100 + i * 10 })) });
  const [r] = ofKind(run(ev).recommendations, "timeout");
  assert.ok(r !== undefined);
  assert.equal(r.evidence.p99DurationMs, 390);
  assert.equal(
    r.evidence.suggestedTimeoutSeconds,
    3,
    "1.17 s (390 ms x 3) is raised to Lambda's default 3 s",
  );
  const slow = evidence({
    timeoutSeconds: 900,
    samples: samples(30, (i) => ({ durationMs: 2000 + i * 100 })),
  });
  const [s2] = ofKind(run(slow).recommendations, "timeout");
  assert.equal(s2?.evidence.suggestedTimeoutSeconds, 15, "p99 4.9 s x 3 = 14.7 s, rounded up");
  assert.equal(r.estimatedMonthlySaving, undefined);
  assert.match(r.detail, /300 s/);
});

test("the timeout is left alone when close to p99, within 2 s of it, or on thin evidence", () => {
  const near = evidence({ timeoutSeconds: 10, samples: samples(30, () => ({ durationMs: 1500 })) });
  assert.equal(ofKind(run(near).recommendations, "timeout").length, 0, "10 s is under 10 x 1.5 s");
  const gap = evidence({ timeoutSeconds: 2, samples: samples(30, () => ({ durationMs: 50 })) });
  assert.equal(ofKind(run(gap).recommendations, "timeout").length, 0, "1.95 s apart");
  const lambdaDefault = evidence({ timeoutSeconds: 3, samples: samples(30, () => ({ durationMs: 10 })) });
  assert.equal(ofKind(run(lambdaDefault).recommendations, "timeout").length, 0, "the default 3 s stays");
  const thin = run(evidence({ timeoutSeconds: 300, samples: samples(TIMEOUT_MIN_SAMPLES - 1) }));
  assert.equal(ofKind(thin.recommendations, "timeout").length, 0);
  assert.ok(thin.notes.some((n) => n.includes("timeout not judged")));
});

test("idle provisioned concurrency: lower it to the observed peak, saving the kept-ready price", () => {
  const ev = evidence({
    series: series(72, (i) => ({ invocations: 5, maxConcurrency: i % 10 === 0 ? 2 : 1 })),
    provisioned: [{ qualifier: "live", allocated: 10, memorySizeMb: 512, sinceMs: NOW - 3 * DAY_MS }],
  });
  const [r] = ofKind(run(ev).recommendations, "idle-provisioned-concurrency");
  assert.ok(r !== undefined);
  assert.equal(r.evidence.peakConcurrency, 2);
  assert.equal(r.evidence.suggestedProvisioned, 2);
  const expected = 8 * 0.5 * (MONTH_MS / 1000) * sheet.provisionedConcurrencyPerGbSecond;
  assert.ok(Math.abs((r.estimatedMonthlySaving ?? 0) - expected) < 1e-6);
  assert.equal(r.severity, "medium");

  const unused = evidence({
    series: series(72, () => ({})),
    provisioned: [{ qualifier: "3", allocated: 2, memorySizeMb: 128, sinceMs: NOW - 5 * DAY_MS }],
  });
  const [u] = ofKind(run(unused).recommendations, "idle-provisioned-concurrency");
  assert.equal(u?.evidence.suggestedProvisioned, 0);
  assert.match(u?.title ?? "", /remove/);
});

test("provisioned concurrency that is used, or newly set, is not called idle", () => {
  const busy = evidence({
    series: series(72, () => ({ invocations: 50, maxConcurrency: 8 })),
    provisioned: [{ qualifier: "live", allocated: 10, memorySizeMb: 512, sinceMs: NOW - 3 * DAY_MS }],
  });
  assert.equal(ofKind(run(busy).recommendations, "idle-provisioned-concurrency").length, 0);
  const fresh = evidence({
    series: series(72, () => ({})),
    provisioned: [{ qualifier: "live", allocated: 10, memorySizeMb: 512, sinceMs: NOW - HOUR_MS }],
  });
  const out = run(fresh);
  assert.equal(ofKind(out.recommendations, "idle-provisioned-concurrency").length, 0);
  assert.ok(out.notes.some((n) => n.includes("provisioned concurrency not judged")));
});

test("frequent cold starts with a long init: provision the observed peak, its monthly cost stated", () => {
  const ev = evidence({
    memorySizeMb: 512,
    series: series(48, () => ({ invocations: 10, coldStarts: 3, maxConcurrency: 3 })),
    samples: samples(40, (i) => ({ memorySizeMb: 512, ...(i % 3 === 0 ? { initDurationMs: 400 } : {}) })),
  });
  const [r] = ofKind(run(ev).recommendations, "cold-starts");
  assert.ok(r !== undefined);
  assert.equal(r.evidence.coldStartShare, 0.3);
  assert.equal(r.evidence.suggestedProvisioned, 3);
  assert.equal(r.severity, "medium");
  assert.equal(r.estimatedMonthlySaving, undefined, "at this traffic provisioning costs more than it saves");
  assert.match(r.risk ?? "", /more a month/);
  assert.ok((r.evidence.monthlyNetCost as number) > 0);
});

test("cold starts are not flagged with little traffic, a short init, or provisioning in place", () => {
  const base = {
    samples: samples(40, (i) => (i % 3 === 0 ? { initDurationMs: 400 } : {})),
  };
  const little = evidence({
    ...base,
    series: series(COLD_START_MIN_INVOCATIONS - 1, (i) => ({ invocations: 1, coldStarts: i % 2 })),
  });
  assert.equal(ofKind(run(little).recommendations, "cold-starts").length, 0);
  const quick = evidence({
    samples: samples(40, (i) => (i % 3 === 0 ? { initDurationMs: 20 } : {})),
    series: series(48, () => ({ invocations: 10, coldStarts: 3, maxConcurrency: 1 })),
  });
  assert.equal(ofKind(run(quick).recommendations, "cold-starts").length, 0);
  const covered = evidence({
    ...base,
    series: series(48, () => ({ invocations: 10, coldStarts: 3, maxConcurrency: 2 })),
    provisioned: [{ qualifier: "live", allocated: 2, memorySizeMb: 1024, sinceMs: NOW - 5 * DAY_MS }],
  });
  assert.equal(ofKind(run(covered).recommendations, "cold-starts").length, 0);
});

test("error-heavy functions are a finding without a saving; a few errors are not", () => {
  const heavy = evidence({
    samples: samples(40, (i) => (i % 3 === 0 ? { ok: false, errorType: "Runtime.ExitError" } : {})),
  });
  const [r] = ofKind(run(heavy).recommendations, "error-rate");
  assert.ok(r !== undefined);
  assert.equal(r.severity, "high");
  assert.equal(r.evidence.errors, 14);
  assert.deepEqual(r.evidence.errorTypes, { "Runtime.ExitError": 14 });
  assert.equal(r.estimatedMonthlySaving, undefined);
  const some = evidence({ samples: samples(100, (i) => (i % 10 === 0 ? { ok: false } : {})) });
  assert.equal(ofKind(run(some).recommendations, "error-rate")[0]?.severity, "medium");
  const few = evidence({ samples: samples(100, (i) => (i % 50 === 0 ? { ok: false } : {})) });
  assert.equal(ofKind(run(few).recommendations, "error-rate").length, 0, "2 % is under the threshold");
  const thin = evidence({ samples: samples(ERROR_MIN_INVOCATIONS - 1, () => ({ ok: false })) });
  assert.equal(ofKind(run(thin).recommendations, "error-rate").length, 0);
});

test("a function that never ran gets one note, and its idle provisioned concurrency judged", () => {
  const out = run(
    evidence({
      series: series(72, () => ({})),
      provisioned: [{ qualifier: "live", allocated: 1, memorySizeMb: 128, sinceMs: NOW - 2 * DAY_MS }],
    }),
  );
  assert.deepEqual(out.notes, ["f: no invocations in the window"]);
  assert.deepEqual(
    out.recommendations.map((r) => r.kind),
    ["idle-provisioned-concurrency"],
  );
});

test("a healthy, right-sized function gets no recommendation; the most severe come first", () => {
  const healthy = evidence({
    memorySizeMb: 128,
    samples: samples(100, () => ({ memorySizeMb: 128, maxMemoryUsedMb: 60, durationMs: 400 })),
  });
  assert.deepEqual(run(healthy).recommendations, []);
  const out = recommend(
    [
      evidence({ function: "a", timeoutSeconds: 300, samples: samples(30) }),
      evidence({
        function: "b",
        memorySizeMb: 256,
        samples: samples(30, () => ({ memorySizeMb: 256, maxMemoryUsedMb: 250 })),
      }),
    ],
    sheet,
    NOW,
  );
  assert.equal(out.recommendations[0]?.severity, "high");
  assert.equal(out.recommendations[0]?.function, "b");
});
