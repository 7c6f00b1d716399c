import { test } from "node:test";
import assert from "node:assert/strict";
import { isVajraError } from "./errors.js";
import {
  HIST_SIZE,
  MINUTE_MS,
  aggregate,
  decodeHist,
  emptyBucket,
  encodeHist,
  histIndex,
  histQuantile,
  histUpperMs,
  mergeBucket,
  metricsRange,
  parseSpan,
} from "./metric-series.js";

function bucketWith(
  minute: number,
  durations: number[],
  extra: Partial<{ errors: number; throttles: number }> = {},
) {
  const b = emptyBucket(minute);
  for (const d of durations) {
    b.invocations++;
    b.durationSumMs += d;
    b.durationMaxMs = Math.max(b.durationMaxMs, d);
    const i = histIndex(d);
    b.hist[i] = (b.hist[i] ?? 0) + 1;
  }
  b.errors = extra.errors ?? 0;
  b.throttles = extra.throttles ?? 0;
  return b;
}

test("a duration falls in the histogram slot whose bounds hold it", () => {
  for (const ms of [0.05, 0.1, 0.3, 1, 7.5, 120, 2500, 60_000, 900_000]) {
    const i = histIndex(ms);
    assert.ok(i >= 0 && i < HIST_SIZE);
    assert.ok(ms <= histUpperMs(i) + 1e-9, `${ms} <= upper(${i})`);
    if (i > 0) assert.ok(ms > histUpperMs(i - 1), `${ms} > upper(${i - 1})`);
  }
  assert.equal(histIndex(10 * 900_000), HIST_SIZE - 1);
});

test("percentiles read from the histogram are within 20 % of the exact ones", () => {
  const durations = Array.from({ length: 1000 }, (_, i) => 1 + i * 0.5); // 1 .. 500.5 ms
  const b = bucketWith(0, durations);
  for (const [q, exact] of [
    [0.5, 250.5],
    [0.95, 475.5],
    [0.99, 495.5],
  ] as const) {
    const got = histQuantile(b.hist, q, b.durationMaxMs);
    assert.ok(got !== null && got >= exact && got <= exact * 1.2, `p${q * 100} ${got} vs ${exact}`);
  }
  assert.equal(histQuantile(emptyBucket(0).hist, 0.5, 0), null);
  // Capped by the largest duration seen.
  assert.equal(histQuantile(bucketWith(0, [3]).hist, 0.99, 3), 3);
});

test("merging buckets adds counts and keeps the larger maxima", () => {
  const a = bucketWith(0, [1, 2], { errors: 1 });
  a.maxConcurrency = 3;
  const b = bucketWith(0, [50], { throttles: 2 });
  b.maxConcurrency = 1;
  mergeBucket(a, b);
  assert.equal(a.invocations, 3);
  assert.equal(a.errors, 1);
  assert.equal(a.throttles, 2);
  assert.equal(a.maxConcurrency, 3);
  assert.equal(a.durationMaxMs, 50);
  assert.equal(a.durationSumMs, 53);
  assert.equal(
    a.hist.reduce((n, x) => n + x, 0),
    3,
  );
});

test("the sparse histogram encoding round-trips", () => {
  const b = bucketWith(0, [1, 1, 40, 9000]);
  const pairs = encodeHist(b.hist);
  assert.equal(pairs.length, 3);
  assert.deepEqual(decodeHist(pairs), b.hist);
});

test("aggregation groups minutes into periods and fills empty ones with zeros", () => {
  const t0 = 1_700_000_000_000 - (1_700_000_000_000 % (5 * MINUTE_MS));
  const buckets = [
    bucketWith(t0, [10, 20]),
    bucketWith(t0 + MINUTE_MS, [30], { errors: 1 }),
    bucketWith(t0 + 12 * MINUTE_MS, [5]),
    bucketWith(t0 + 99 * MINUTE_MS, [5]), // outside the range
  ];
  const points = aggregate(buckets, t0, t0 + 15 * MINUTE_MS, 5 * MINUTE_MS);
  assert.equal(points.length, 3);
  assert.deepEqual(
    points.map((p) => [p.invocations, p.errors]),
    [
      [3, 1],
      [0, 0],
      [1, 0],
    ],
  );
  assert.equal(points[0]?.start, new Date(t0).toISOString());
  assert.equal(points[0]?.durationAvgMs, 20);
  assert.equal(points[0]?.durationMaxMs, 30);
  assert.equal(points[1]?.durationP50Ms, null);
  assert.equal(points[1]?.durationAvgMs, null);
});

function rejects(fn: () => unknown, field: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isVajraError(err) && err.code === "InvalidParameter");
    assert.equal((err.details as { field?: string } | undefined)?.field, field);
    assert.match(err.message, pattern);
    return true;
  });
}

test("spans and ranges: defaults, and every bad input names its field", () => {
  assert.equal(parseSpan("period", "60"), 60_000);
  assert.equal(parseSpan("period", "5m"), 300_000);
  assert.equal(parseSpan("since", "2d"), 2 * 86_400_000);
  const now = Date.UTC(2026, 0, 10, 12, 30, 15);
  const r = metricsRange({}, now);
  assert.equal(r.periodMs, MINUTE_MS);
  assert.equal(r.toMs, Date.UTC(2026, 0, 10, 12, 31));
  assert.equal(r.fromMs, Date.UTC(2026, 0, 10, 11, 30));
  const iso = metricsRange(
    { since: "2026-01-10T10:00:00Z", until: "2026-01-10T11:00:00Z", period: "1h" },
    now,
  );
  assert.equal(iso.toMs - iso.fromMs, 3600_000);
  rejects(() => parseSpan("since", "yesterday"), "since", /not a span/);
  rejects(() => metricsRange({ period: "90s" }, now), "period", /whole number of minutes/);
  rejects(() => metricsRange({ period: "0" }, now), "period", /not a span/);
  rejects(() => metricsRange({ since: "1h", until: "2h" }, now), "since", /must be before until/);
  rejects(() => metricsRange({ since: "15d", period: "1h" }, now), "since", /14 days/);
  rejects(() => metricsRange({ since: "7d", period: "1m" }, now), "period", /at most 1440/);
  rejects(() => metricsRange({ since: "2026-13-45T00:00:00Z" }, now), "since", /ISO 8601/);
});
