// Metrics end to end: a real Prometheus scrapes a running Vajra with the metrics token and the series
// are read back through its query API; GET /metrics refuses requests without a key or token; the
// native 1-minute series API and `vajra metrics` report what ran, and refuse bad ranges naming them.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  deploy,
  freePort,
  invoke,
  startServer,
  stopAndClean,
  waitFor,
  type ServerHandle,
} from "./harness.js";

const PROMETHEUS = "/usr/bin/prometheus";
const TOKEN = "scrape-token-for-tests";
let s: ServerHandle;

before(async () => {
  s = await startServer({ env: { VAJRA_METRICS_TOKEN: TOKEN } });
  const fixture = "python/toolkit";
  assert.equal(
    (await deploy(s, { name: "hello", runtime: "python3.11", handler: "app.counter" }, fixture)).status,
    201,
  );
  assert.equal(
    (await deploy(s, { name: "broken", runtime: "python3.11", handler: "app.fail" }, fixture)).status,
    201,
  );
  const blocked = await deploy(
    s,
    { name: "blocked", runtime: "python3.11", handler: "app.counter", reservedConcurrency: 0 },
    fixture,
  );
  assert.equal(blocked.status, 201, JSON.stringify(blocked.json));
  for (let i = 0; i < 3; i++) assert.equal((await invoke(s, "hello", { i })).status, 200);
  for (let i = 0; i < 2; i++) await invoke(s, "broken", { why: "test" });
  assert.equal((await invoke(s, "blocked")).status, 429);
});
after(async () => {
  await stopAndClean(s);
});

const scrape = (authorization?: string): Promise<Response> =>
  fetch(`${s.url}/metrics`, authorization === undefined ? {} : { headers: { authorization } });

/** The value of the sample whose line starts with `name{` and holds every `labels` pair. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

test("GET /metrics serves Prometheus text to the metrics token or an API key, and nobody else", async () => {
  assert.equal((await scrape()).status, 401);
  assert.equal((await scrape("Bearer wrong-token")).status, 401);
  const byKey = await s.api("/metrics");
  assert.equal(byKey.status, 200);
  const r = await scrape(`Bearer ${TOKEN}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type") ?? "", /text\/plain/);
  const text = await r.text();
  const hello = { function: "hello", version: "$LATEST", qualifier: "$LATEST" };
  assert.equal(sample(text, "vajra_invocations_total", { ...hello, status: "success" }), 3);
  assert.equal(sample(text, "vajra_cold_starts_total", hello), 1);
  assert.equal(sample(text, "vajra_invocation_duration_seconds_count", hello), 3);
  assert.equal(sample(text, "vajra_init_duration_seconds_count", hello), 1);
  assert.equal(
    sample(text, "vajra_invocation_errors_total", { function: "broken", error_type: "ValueError" }),
    2,
  );
  assert.equal(sample(text, "vajra_throttles_total", { function: "blocked" }), 1);
  assert.equal(sample(text, "vajra_instances", { function: "hello", state: "idle" }), 1);
  assert.equal(sample(text, "vajra_concurrent_executions", { function: "hello" }), 0);
  assert.equal(sample(text, "vajra_async_queue_depth", { function: "hello" }), 0);
  assert.match(text, /^process_cpu_user_seconds_total /m);
  assert.match(text, /^nodejs_heap_size_used_bytes /m);
  // No request ids in any label.
  assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
});

test("the native series API reports the minute's invocations, errors, throttles and cold starts", async () => {
  const r = await s.api("/functions/hello/metrics?since=10m&period=60");
  assert.equal(r.status, 200);
  const body = (await r.json()) as {
    periodSeconds: number;
    points: Array<{ invocations: number; coldStarts: number; durationP99Ms: number | null }>;
  };
  assert.equal(body.periodSeconds, 60);
  assert.ok(body.points.length >= 10 && body.points.length <= 11);
  assert.equal(
    body.points.reduce((n, p) => n + p.invocations, 0),
    3,
  );
  assert.equal(
    body.points.reduce((n, p) => n + p.coldStarts, 0),
    1,
  );
  assert.ok(body.points.some((p) => p.durationP99Ms !== null && p.durationP99Ms > 0));
  const sum = async (name: string, field: "errors" | "throttles"): Promise<number> => {
    const b = (await (await s.api(`/functions/${name}/metrics?since=10m&period=10m`)).json()) as {
      points: Array<Record<string, number>>;
    };
    return b.points.reduce((n, p) => n + (p[field] ?? 0), 0);
  };
  assert.equal(await sum("broken", "errors"), 2);
  assert.equal(await sum("blocked", "throttles"), 1);
});

test("bad series queries are refused with an error naming the problem", async () => {
  const cases: Array<[string, number, RegExp]> = [
    ["/functions/nope/metrics", 404, /nope/],
    ["/functions/hello/metrics?period=90s", 400, /period/],
    ["/functions/hello/metrics?since=1h&until=2h", 400, /since .* must be before until/],
    ["/functions/hello/metrics?since=30d&period=1h", 400, /14 days/],
    ["/functions/hello/metrics?since=soon", 400, /since 'soon'/],
    ["/functions/hello/metrics?since=7d&period=1m", 400, /at most 1440/],
  ];
  for (const [path, status, pattern] of cases) {
    const r = await s.api(path);
    const text = await r.text();
    assert.equal(r.status, status, `${path}: ${text}`);
    assert.match(text, pattern, path);
  }
});

test("vajra metrics prints a table of the function's periods; bad flags are named", () => {
  const r = s.cli(["metrics", "hello", "--since", "5m", "--period", "5m"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /TIME \(UTC\)\s+INVOCATIONS\s+ERRORS\s+THROTTLES\s+COLD/);
  assert.match(r.stderr, /3 invocations of hello/);
  const json = s.cli(["metrics", "broken", "--json"]);
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { points: Array<{ errors: number }> };
  assert.equal(
    parsed.points.reduce((n, p) => n + p.errors, 0),
    2,
  );
  const bad = s.cli(["metrics", "hello", "--period", "10s"]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /period/);
});

/** Starts Prometheus on a free port, scraping `s` every second with the metrics token. */
async function startPrometheus(dir: string): Promise<{ proc: ChildProcess; url: string; log: () => string }> {
  const port = await freePort();
  const target = new URL(s.url).host;
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: vajra",
      "    authorization:",
      "      type: Bearer",
      `      credentials: ${TOKEN}`,
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"),
  );
  const proc = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  proc.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  return { proc, url: `http://127.0.0.1:${port}`, log: () => out };
}

async function stopPrometheus(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), 10_000)));
  if ((await Promise.race([exited, late])) === "late") {
    proc.kill("SIGKILL");
    await exited;
  }
  clearTimeout(timer);
}

test("a real Prometheus scrapes Vajra with the token and its query API returns the series", async (t) => {
  if (!existsSync(PROMETHEUS)) {
    if (process.env.CI === "true") assert.fail("prometheus is missing (apt-get install -y prometheus)");
    t.skip("prometheus is missing (apt-get install -y prometheus)");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "vajra-prometheus-"));
  const prom = await startPrometheus(dir);
  try {
    const query = async (q: string): Promise<number | undefined> => {
      try {
        const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`);
        if (!r.ok) return undefined;
        const body = (await r.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
        const v = body.data?.result?.[0]?.value[1];
        return v === undefined ? undefined : Number(v);
      } catch {
        return undefined; // not listening yet
      }
    };
    const seen = await waitFor(
      async () => (await query('sum(vajra_invocations_total{job="vajra",function="hello"})')) === 3,
      60_000,
    );
    assert.ok(seen, `Prometheus never saw the invocations:\n${prom.log().slice(-3000)}`);
    assert.equal(await query('up{job="vajra"}'), 1);
    assert.equal(
      await query('sum(vajra_invocation_errors_total{function="broken",error_type="ValueError"})'),
      2,
    );
    assert.equal(await query('sum(vajra_throttles_total{function="blocked"})'), 1);
    assert.equal(await query('vajra_instances{function="hello",state="idle"}'), 1);
    // The scrape after another invocation moves the counter: Prometheus keeps scraping.
    assert.equal((await invoke(s, "hello")).status, 200);
    assert.ok(
      await waitFor(
        async () => (await query('sum(vajra_invocations_total{function="hello"})')) === 4,
        30_000,
      ),
    );
  } finally {
    await stopPrometheus(prom.proc);
    rmSync(dir, { recursive: true, force: true });
  }
});
