import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_PRICE_SHEET,
  HOUR_MS,
  costOf,
  costReport,
  monthOf,
  parsePriceSheet,
  sheetAt,
  type PriceSheetVersion,
  type UsageRow,
} from "./billing.js";
import { costGrouping, costRange } from "./cost-range.js";
import { costReportCsv } from "./cost-csv.js";

const T0 = Date.UTC(2026, 10, 10, 12);

function row(over: Partial<UsageRow>): UsageRow {
  return {
    functionName: "f",
    version: "$LATEST",
    hour: T0,
    memoryMb: 1024,
    ephemeralMb: 512,
    requests: 0,
    billedMs: 0,
    provisionedBilledMs: 0,
    provisionedMs: 0,
    ...over,
  };
}

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test("costOf prices requests, GB-seconds, provisioned capacity and extra ephemeral storage", () => {
  // One million 1-second requests at 1 GB: $0.20 + 1e6 GB-s x $0.0000166667.
  const c = costOf(row({ requests: 1e6, billedMs: 1e9 }), DEFAULT_PRICE_SHEET);
  close(c.requests, 0.2);
  close(c.duration, 16.6667);
  assert.equal(c.provisioned, 0);
  assert.equal(c.ephemeral, 0);
  close(c.total, 16.8667);
  // Half the time on provisioned instances is billed at the provisioned duration price; an hour of two
  // provisioned 512 MB instances costs 2 x 0.5 GB x 3600 s x $0.0000041667.
  const p = costOf(
    row({
      memoryMb: 512,
      requests: 2,
      billedMs: 2000,
      provisionedBilledMs: 1000,
      provisionedMs: 2 * HOUR_MS,
    }),
    DEFAULT_PRICE_SHEET,
  );
  close(p.duration, 0.5 * 0.0000166667 + 0.5 * 0.0000097222);
  close(p.provisioned, 3600 * 0.0000041667);
  // 1536 MB of /tmp: 1 GB above the free 512 MB, for 1000 s.
  close(
    costOf(row({ ephemeralMb: 1536, billedMs: 1e6 }), DEFAULT_PRICE_SHEET).ephemeral,
    1000 * 0.0000000309,
  );
});

test("parsePriceSheet fills from the base and names what it refuses", () => {
  const s = parsePriceSheet({ durationPerGbSecond: 0.00001, currency: "EUR" });
  assert.equal(s.durationPerGbSecond, 0.00001);
  assert.equal(s.currency, "EUR");
  assert.equal(s.requestsPerMillion, DEFAULT_PRICE_SHEET.requestsPerMillion);
  assert.throws(() => parsePriceSheet({ bogus: 1 }), /unknown price-sheet field "bogus"/);
  assert.throws(
    () => parsePriceSheet({ requestsPerMillion: -1 }),
    /requestsPerMillion must be a number >= 0/,
  );
  assert.throws(() => parsePriceSheet({ requestsPerMillion: "1" }), /requestsPerMillion/);
  assert.throws(() => parsePriceSheet({ currency: "dollars" }), /currency/);
  assert.throws(() => parsePriceSheet([]), /JSON object/);
});

test("sheetAt picks the version in force at a time: latest start not after it, then highest version", () => {
  const v = (version: number, effectiveFrom: number, d: number): PriceSheetVersion => ({
    version,
    effectiveFrom,
    sheet: { ...DEFAULT_PRICE_SHEET, durationPerGbSecond: d },
  });
  const versions = [v(1, T0, 1), v(2, T0 + 2 * HOUR_MS, 2), v(3, T0 + HOUR_MS, 3)];
  assert.equal(sheetAt(versions, T0 - 1).version, 0);
  assert.equal(sheetAt(versions, T0).version, 1);
  assert.equal(sheetAt(versions, T0 + HOUR_MS).version, 3);
  assert.equal(sheetAt(versions, T0 + 5 * HOUR_MS).version, 2);
});

test("costReport groups, compares with the previous period and prices each hour at its own sheet", () => {
  const cheap: PriceSheetVersion = {
    version: 1,
    effectiveFrom: T0 + HOUR_MS,
    sheet: { ...DEFAULT_PRICE_SHEET, requestsPerMillion: 0, durationPerGbSecond: 0 },
  };
  const back: PriceSheetVersion = { version: 2, effectiveFrom: T0 + 2 * HOUR_MS, sheet: DEFAULT_PRICE_SHEET };
  const rows = [
    row({ functionName: "a", requests: 1e6 }),
    row({ functionName: "a", version: "2", hour: T0 + HOUR_MS, requests: 1e6 }), // priced by sheet 1: free
    row({ functionName: "b", requests: 3e6, hour: T0 + DAY }),
  ];
  const previous = [row({ functionName: "a", hour: T0 - 2 * DAY, requests: 2e6 })];
  const range = { fromMs: T0 - DAY, toMs: T0 + 2 * DAY };
  const byFn = costReport(rows, previous, [cheap, back], range, "function");
  assert.deepEqual(
    byFn.lines.map((l) => [l.key, l.requests, Number(l.cost.total.toFixed(6))]),
    [
      ["b", 3e6, 0.6],
      ["a", 2e6, 0.2],
    ],
  );
  const a = byFn.lines.find((l) => l.key === "a");
  close(a?.previousCost ?? NaN, 0.4);
  close(a?.change ?? NaN, -0.5);
  assert.equal(byFn.lines.find((l) => l.key === "b")?.change, null);
  close(byFn.total.cost.total, 0.8);
  close(byFn.total.change ?? NaN, 1);
  assert.deepEqual(byFn.priceSheets, [0, 1, 2]);
  const byVersion = costReport(rows, previous, [cheap, back], range, "version");
  assert.deepEqual(byVersion.lines.map((l) => l.key).sort(), ["a:$LATEST", "a:2", "b:$LATEST"].sort());
  const byDay = costReport(rows, previous, [cheap, back], range, "day");
  assert.deepEqual(
    byDay.lines.map((l) => l.key),
    ["2026-11-10", "2026-11-11"],
  );
  const csv = costReportCsv(byDay).split("\r\n");
  assert.match(csv[0] ?? "", /^day,requests,gb_seconds,/);
  assert.match(csv[3] ?? "", /^TOTAL,5000000,/);
});

const DAY = 24 * HOUR_MS;

test("costRange rounds to hours and refuses inverted, over-long or unreadable ranges", () => {
  const now = T0 + 30 * 60_000;
  assert.deepEqual(costRange({ since: "2h" }, now), { fromMs: T0 - 2 * HOUR_MS, toMs: T0 + HOUR_MS });
  assert.throws(() => costRange({ since: "1d", until: "2d" }, now), /since .* must be before until/);
  assert.throws(() => costRange({ since: "500d" }, now), /longer than 400 days/);
  assert.throws(() => costRange({ since: "yesterday" }, now), /since 'yesterday' is not a duration ago/);
  assert.equal(costGrouping(undefined), "function");
  assert.throws(() => costGrouping("week"), /by must be one of function, version, day/);
});

test("monthOf is the UTC calendar month", () => {
  assert.deepEqual(monthOf(Date.UTC(2026, 11, 31, 23, 59)), {
    fromMs: Date.UTC(2026, 11, 1),
    toMs: Date.UTC(2027, 0, 1),
  });
});
