import { test } from "node:test";
import assert from "node:assert/strict";
import { VajraMetrics, dropReason, type FunctionGauges } from "./metrics.js";

const lines = (text: string, prefix: string): string[] =>
  text.split("\n").filter((l) => l.startsWith(prefix));

test("finished invocations feed counters and histograms in the Prometheus text format", async () => {
  const m = new VajraMetrics(() => []);
  const h = m.handle("us-east-1", "f", "2", "live");
  m.finished(h, true, 3, 120);
  m.finished(h, false, 2000, undefined, "ValueError");
  h.throttled.value++;
  const text = await m.scrape();
  const labels = 'region="us-east-1",function="f",version="2",qualifier="live"';
  assert.ok(text.includes(`vajra_invocations_total{${labels},status="success"} 1`));
  assert.ok(text.includes(`vajra_invocations_total{${labels},status="error"} 1`));
  assert.ok(text.includes(`vajra_invocation_errors_total{${labels},error_type="ValueError"} 1`));
  assert.ok(text.includes(`vajra_throttles_total{${labels}} 1`));
  assert.ok(text.includes(`vajra_cold_starts_total{${labels}} 1`));
  assert.ok(text.includes(`vajra_invocation_duration_seconds_bucket{${labels},le="0.005"} 1`));
  assert.ok(text.includes(`vajra_invocation_duration_seconds_bucket{${labels},le="2.5"} 2`));
  assert.ok(text.includes(`vajra_invocation_duration_seconds_bucket{${labels},le="+Inf"} 2`));
  assert.ok(text.includes(`vajra_invocation_duration_seconds_count{${labels}} 2`));
  assert.ok(text.includes(`vajra_init_duration_seconds_sum{${labels}} 0.12`));
  assert.ok(text.includes("# TYPE vajra_invocation_duration_seconds histogram"));
  assert.ok(text.includes("# TYPE vajra_invocations_total counter"));
  assert.match(text, /^nodejs_eventloop_lag_seconds \d/m);
  // The same label set is the same handle: no new series per invocation.
  assert.equal(m.handle("us-east-1", "f", "2", "live"), h);
});

test("error types are capped per function, the rest counted as Other", async () => {
  const m = new VajraMetrics(() => []);
  const h = m.handle("us-east-1", "f", "$LATEST", "$LATEST");
  for (let i = 0; i < 30; i++) m.finished(h, false, 1, undefined, `Type${i}`);
  m.finished(h, false, 1, undefined, "Type0");
  const errors = lines(await m.scrape(), "vajra_invocation_errors_total{");
  assert.equal(errors.length, 21);
  assert.ok(errors.some((l) => l.includes('error_type="Other"} 10')));
  assert.ok(errors.some((l) => l.includes('error_type="Type0"} 2')));
});

test("gauges are read at scrape time, and a forgotten function's series disappear", async () => {
  let gauges: FunctionGauges[] = [
    {
      region: "us-east-1",
      functionName: "f",
      concurrent: 2,
      idle: 1,
      busy: 2,
      queueDepth: 3,
      queueOldestAgeMs: 1500,
      provisioned: [{ qualifier: "live", version: "2", requested: 4, allocated: 4 }],
    },
  ];
  const m = new VajraMetrics(() => gauges);
  const h = m.handle("us-east-1", "f", "2", "live");
  h.inFlight = 1;
  m.finished(h, true, 1);
  let text = await m.scrape();
  assert.ok(text.includes('vajra_concurrent_executions{region="us-east-1",function="f"} 2'));
  assert.ok(text.includes('vajra_instances{region="us-east-1",function="f",state="busy"} 2'));
  assert.ok(text.includes('vajra_async_queue_depth{region="us-east-1",function="f"} 3'));
  assert.ok(text.includes('vajra_async_queue_oldest_age_seconds{region="us-east-1",function="f"} 1.5'));
  assert.ok(
    text.includes(
      'vajra_provisioned_concurrency{region="us-east-1",function="f",qualifier="live",kind="allocated"} 4',
    ),
  );
  assert.ok(
    text.includes(
      'vajra_provisioned_concurrency_utilization{region="us-east-1",function="f",qualifier="live"} 0.25',
    ),
  );
  m.eventDropped("us-east-1", "f", dropReason("the event is older than its maximum age"));
  gauges = [];
  m.forget("us-east-1", "f");
  text = await m.scrape();
  assert.deepEqual(
    lines(text, "vajra_").filter((l) => l.includes('function="f"')),
    [],
  );
});

test("drop reasons map to a closed list", () => {
  assert.equal(dropReason("the event is older than its maximum age"), "max_age");
  assert.equal(dropReason("the function no longer exists"), "function_deleted");
  assert.equal(dropReason("the function failed 3 times"), "retries_exhausted");
});

test("event source batches feed a batch-size and a lag histogram per function and source kind", async () => {
  const m = new VajraMetrics(() => []);
  m.eventSourceBatch("us-east-1", "f", "nats", 10, 250);
  m.eventSourceBatch("us-east-1", "f", "nats", 1, 2);
  const text = await m.scrape();
  const labels = 'region="us-east-1",function="f",source="nats"';
  assert.ok(text.includes(`vajra_event_source_batch_size_bucket{le="1",${labels}} 1`), text);
  assert.ok(text.includes(`vajra_event_source_batch_size_bucket{le="10",${labels}} 2`));
  assert.ok(text.includes(`vajra_event_source_batch_size_sum{${labels}} 11`));
  assert.ok(text.includes(`vajra_event_source_lag_seconds_bucket{le="0.005",${labels}} 1`));
  assert.ok(text.includes(`vajra_event_source_lag_seconds_bucket{le="0.5",${labels}} 2`));
});
