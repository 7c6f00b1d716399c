// Where spans go: the endpoint option and environment, and the OTLP base-URL rule.

import assert from "node:assert/strict";
import { test } from "node:test";
import { otlpEndpoint, tracesUrl } from "./tracing.js";

test("traces go to <endpoint>/v1/traces unless the endpoint already names it", () => {
  assert.equal(tracesUrl("http://127.0.0.1:4318"), "http://127.0.0.1:4318/v1/traces");
  assert.equal(tracesUrl("http://127.0.0.1:4318/"), "http://127.0.0.1:4318/v1/traces");
  assert.equal(tracesUrl("http://c:4318/v1/traces"), "http://c:4318/v1/traces");
});

test("the option wins over the environment; empty means off", () => {
  const saved = { ...process.env };
  try {
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = "http://env:4318";
    assert.equal(otlpEndpoint("http://opt:4318"), "http://opt:4318");
    assert.equal(otlpEndpoint(undefined), "http://env:4318");
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = " ";
    assert.equal(otlpEndpoint(undefined), undefined);
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    assert.equal(otlpEndpoint(undefined), undefined);
  } finally {
    process.env = saved;
  }
});
