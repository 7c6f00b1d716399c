import { describe, expect, it } from "vitest";
import type { MetricPoint } from "./api.ts";
import { chartData, sparkline, summarize } from "./chart-data.ts";

const point = (start: string, invocations: number, p95: number | null, errors = 0): MetricPoint => ({
  start,
  invocations,
  errors,
  throttles: 0,
  coldStarts: invocations > 0 ? 1 : 0,
  maxConcurrency: invocations > 0 ? 1 : 0,
  durationAvgMs: p95,
  durationP50Ms: p95,
  durationP95Ms: p95,
  durationP99Ms: p95,
  durationMaxMs: p95,
});

describe("chart data", () => {
  it("makes uPlot columns with x in epoch seconds", () => {
    const d = chartData([
      point("2026-11-26T18:45:00.000Z", 3, 9.1, 1),
      point("2026-11-26T18:46:00.000Z", 0, null),
    ]);
    const t0 = Date.UTC(2026, 10, 26, 18, 45) / 1000;
    expect(d.x).toEqual([t0, t0 + 60]);
    expect(d.invocations).toEqual([3, 0]);
    expect(d.errors).toEqual([1, 0]);
    expect(d.coldStarts).toEqual([1, 0]);
  });

  it("leaves a gap in durations where a period had no invocations", () => {
    // The API sends zeros for empty periods; a zero duration would draw a false dip.
    const d = chartData([point("2026-11-26T18:45:00.000Z", 0, 0), point("2026-11-26T18:46:00.000Z", 2, 4)]);
    expect(d.p95).toEqual([null, 4]);
    expect(d.p50).toEqual([null, 4]);
  });

  it("skips a point whose time does not parse", () => {
    expect(chartData([point("not a time", 1, 1)]).x).toEqual([]);
  });

  it("sums a range and takes the p95 of its busiest period", () => {
    const s = summarize([
      point("2026-11-26T18:45:00.000Z", 2, 50, 1),
      point("2026-11-26T18:50:00.000Z", 10, 7),
      point("2026-11-26T18:55:00.000Z", 0, null),
    ]);
    expect(s).toEqual({ invocations: 12, errors: 1, p95Ms: 7, trend: [2, 10, 0] });
    expect(summarize([]).p95Ms).toBeNull();
  });

  it("scales a trend line into its box", () => {
    expect(sparkline([0, 5, 10], 80, 20)).toBe("0.0,20.0 40.0,10.0 80.0,0.0");
    expect(sparkline([], 80, 20)).toBe("");
    // All zeros stay on the baseline instead of dividing by zero.
    expect(sparkline([0, 0], 10, 10)).toBe("0.0,10.0 10.0,10.0");
  });
});
