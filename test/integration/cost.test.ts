// Cost end to end on a real server: invocations are metered and priced by the sheet in force when they
// ran; reports by function, version and day as JSON and CSV; per-invocation metering records page;
// provisioned concurrency is billed for the time it is kept ready; a new price sheet applies to later
// usage only; the figures survive a restart; `vajra cost` and `vajra prices` print them; bad input is
// refused with a message naming it and changes nothing.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { deploy, invoke, startServer, stopAndClean, waitFor, type ServerHandle } from "./harness.js";

interface Line {
  key: string;
  requests: number;
  gbSeconds: number;
  billedDurationMs: number;
  provisionedGbSeconds: number;
  cost: { total: number; provisioned: number; duration: number; requests: number };
}
interface Report {
  by: string;
  currency: string;
  lines: Line[];
  total: Omit<Line, "key">;
  priceSheets: number[];
}
interface Page {
  currency: string;
  records: Array<{
    requestId: string;
    billedDurationMs: number;
    memorySizeMb: number;
    cost: number;
    priceSheet: number;
  }>;
  next?: string;
}

let s: ServerHandle;

before(async () => {
  s = await startServer();
  const r = await deploy(
    s,
    { name: "metered", runtime: "python3.11", handler: "app.counter", memorySize: 1024 },
    "python/toolkit",
  );
  assert.equal(r.status, 201, JSON.stringify(r.json));
  for (let i = 0; i < 4; i++) assert.equal((await invoke(s, "metered", { i })).status, 200);
});
after(async () => {
  await stopAndClean(s);
});

const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
  const r = await s.api(path);
  return { status: r.status, body: (await r.json()) as T };
};

test("the report prices metered invocations and agrees with the metering records", async () => {
  const { status, body } = await get<Report>("/cost?since=1d");
  assert.equal(status, 200);
  assert.equal(body.currency, "USD");
  const line = body.lines.find((l) => l.key === "metered");
  assert.ok(line, JSON.stringify(body));
  assert.equal(line.requests, 4);
  const page = await get<Page>("/cost/records?since=1d&function=metered");
  assert.equal(page.body.records.length, 4);
  const billed = page.body.records.reduce((n, r) => n + r.billedDurationMs, 0);
  assert.equal(line.billedDurationMs, billed);
  assert.ok(Math.abs(line.gbSeconds - billed / 1000) < 1e-9, "1024 MB: GB-seconds = billed seconds");
  const expected = 4 * 0.2e-6 + (billed / 1000) * 0.0000166667;
  assert.ok(Math.abs(line.cost.total - expected) < 1e-12, `${line.cost.total} vs ${expected}`);
  const perRecord = page.body.records.reduce((n, r) => n + r.cost, 0);
  assert.ok(Math.abs(perRecord - line.cost.total) < 1e-12);
});

test("reports by day as CSV, and metering records page with a token", async () => {
  const csv = await s.api("/cost?since=1d&by=day&format=csv");
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get("content-type") ?? "", /^text\/csv/);
  const rows = (await csv.text()).trim().split("\r\n");
  assert.match(rows[0] ?? "", /^day,requests,gb_seconds,billed_duration_ms,/);
  assert.match(rows.at(-1) ?? "", /^TOTAL,/);
  const first = await get<Page>("/cost/records?since=1d&function=metered&limit=3");
  assert.equal(first.body.records.length, 3);
  assert.ok(first.body.next !== undefined);
  const rest = await get<Page>(`/cost/records?since=1d&function=metered&limit=3&after=${first.body.next}`);
  assert.equal(rest.body.records.length, 1);
  assert.equal(rest.body.next, undefined);
  const ids = new Set([...first.body.records, ...rest.body.records].map((r) => r.requestId));
  assert.equal(ids.size, 4);
  const recordsCsv = await s.api("/cost/records?since=1d&format=csv");
  assert.match(
    (await recordsCsv.text()).split("\r\n")[0] ?? "",
    /^requestId,functionName,version,startedAt,/,
  );
});

test("bad input names the problem and changes nothing", async () => {
  const before = await get<{ versions: unknown[] }>("/cost/price-sheets");
  const cases: Array<[string, RequestInit | undefined, number, RegExp]> = [
    ["/cost?since=1d&until=2d", undefined, 400, /since .* must be before until/],
    ["/cost?since=900d", undefined, 400, /longer than 400 days/],
    ["/cost?by=week", undefined, 400, /by must be one of function, version, day/],
    ["/cost?function=nope", undefined, 404, /Function not found: nope/],
    ["/cost?format=xml", undefined, 400, /format must be json or csv/],
    ["/cost/records?limit=0", undefined, 400, /limit must be an integer from 1 to 10000/],
    ["/cost/records?after=zzz", undefined, 400, /not a page token/],
    [
      "/cost/price-sheets",
      { method: "POST", headers: { "content-type": "application/json" }, body: '{"durationPerGbSecond":-1}' },
      400,
      /durationPerGbSecond must be a number >= 0/,
    ],
    [
      "/cost/price-sheets",
      { method: "POST", headers: { "content-type": "application/json" }, body: '{"gpuPerHour":1}' },
      400,
      /unknown price-sheet field "gpuPerHour"/,
    ],
    [
      "/cost/price-sheets?effectiveFrom=2020-01-01T00:00:00Z",
      { method: "POST", headers: { "content-type": "application/json" }, body: '{"durationPerGbSecond":1}' },
      400,
      /is in the past/,
    ],
  ];
  for (const [path, init, status, message] of cases) {
    const r = await s.api(path, init);
    const body = (await r.json()) as { error?: { message?: string } };
    assert.equal(r.status, status, `${path}: ${JSON.stringify(body)}`);
    assert.match(body.error?.message ?? "", message, path);
  }
  assert.deepEqual(await get<{ versions: unknown[] }>("/cost/price-sheets"), before);
});

test("a new price sheet prices later usage only; provisioned concurrency is billed while kept ready", async () => {
  const old = (await get<Report>("/cost?since=1d&function=metered")).body.total.cost.total;
  const set = await s.api("/cost/price-sheets", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ durationPerGbSecond: 0.001, description: "test rack" }),
  });
  assert.equal(set.status, 201);
  const version = ((await set.json()) as { version: number }).version;
  assert.equal(version, 1);
  const unchanged = (await get<Report>("/cost?since=1d&function=metered")).body;
  assert.ok(Math.abs(unchanged.total.cost.total - old) < 1e-15, "past usage keeps its prices");
  assert.equal((await invoke(s, "metered", {})).status, 200);
  const page = (await get<Page>("/cost/records?since=1d&function=metered")).body;
  assert.deepEqual(
    page.records.map((r) => r.priceSheet),
    [0, 0, 0, 0, 1],
  );
  const last = page.records.at(-1);
  assert.ok(
    last !== undefined && Math.abs(last.cost - (0.2e-6 + (last.billedDurationMs / 1000) * 0.001)) < 1e-12,
  );

  const pub = await s.api("/functions/metered/versions", { method: "POST", body: "{}" });
  assert.equal(pub.status, 201);
  const scale = await s.api("/functions/metered/scale", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ min: 1, qualifier: "1" }),
  });
  assert.equal(scale.status, 200, await scale.clone().text());
  // POST /scale without min or max changes nothing and reports the provisioned configs.
  const ready = async (): Promise<boolean> => {
    const r = await s.api("/functions/metered/scale", { method: "POST", body: "{}" });
    const v = (await r.json()) as { provisioned: Array<{ qualifier: string; status: string }> };
    return v.provisioned.some((p) => p.qualifier === "1" && p.status === "READY");
  };
  assert.ok(await waitFor(ready, 20_000), "provisioned instance READY");
  assert.equal(
    (await s.api("/functions/metered/invoke?qualifier=1", { method: "POST", body: "{}" })).status,
    200,
  );
  let line: Line | undefined;
  assert.ok(
    await waitFor(async () => {
      line = (await get<Report>("/cost?since=1d&by=version")).body.lines.find((l) => l.key === "metered:1");
      return (line?.provisionedGbSeconds ?? 0) > 0;
    }, 10_000),
    "provisioned capacity is metered",
  );
  assert.equal(line?.requests, 1);
  assert.ok((line?.cost.provisioned ?? 0) > 0);
  const cli = s.cli(["cost", "--since", "1d", "--by", "version"]);
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /metered:1\s+1\s/);
  assert.match(cli.stdout, /metered:\$LATEST\s+5\s/);
  const csv = s.cli(["cost", "metered", "--records", "--csv", "--since", "1d"]);
  assert.equal(csv.status, 0, csv.stderr);
  assert.match(csv.stdout, /^requestId,functionName,version,startedAt,/);
  const prices = s.cli(["prices", "show"]);
  assert.match(prices.stdout, /test rack/);
  const bad = s.cli(["prices", "set", "--duration-per-gb-second", "abc"]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--duration-per-gb-second must be a number/);
});

test("metered usage survives a restart", async () => {
  const before = (await get<Report>("/cost?since=1d&function=metered")).body.total;
  await s.stop();
  s = await startServer({ dataDir: s.dataDir });
  const after = (await get<Report>("/cost?since=1d&function=metered")).body.total;
  assert.ok(
    after.requests >= before.requests && before.requests >= 6,
    `${before.requests} -> ${after.requests}`,
  );
  assert.ok(after.cost.duration >= before.cost.duration - 1e-15);
});
