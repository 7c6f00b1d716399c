// Metrics over HTTP: `GET /metrics` (Prometheus text format, for scrapers) and
// `GET /functions/{name}/metrics` (Vajra's own 1-minute series). The scrape route accepts the
// server's metrics token as well as an API key, so a Prometheus config need not hold the admin key.

import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { VajraError } from "../core/errors.js";
import type { Platform } from "../engine/platform.js";

export const METRICS_PATH = "/metrics";

/** True when the request is a scrape carrying the metrics token (checked in constant time). */
export function isMetricsScrape(
  url: string,
  authorization: string | undefined,
  token: string | undefined,
): boolean {
  if (token === undefined || authorization === undefined) return false;
  if (url !== METRICS_PATH && !url.startsWith(`${METRICS_PATH}?`)) return false;
  const given = Buffer.from(authorization);
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type SeriesRequest = {
  Params: { name: string };
  Querystring: { since?: string; until?: string; period?: string };
};

export function registerMetricsRoutes(app: FastifyInstance, platform: Platform): void {
  app.get(METRICS_PATH, async (_req, reply) => {
    const metrics = platform.metrics;
    if (metrics === undefined)
      throw new VajraError("UnsupportedOperation", "metrics are off on this server (VAJRA_METRICS=off)");
    const text = await metrics.scrape();
    return reply.header("content-type", metrics.contentType).send(text);
  });

  app.get<SeriesRequest>("/functions/:name/metrics", async (req) => {
    const q: { since?: string; until?: string; period?: string } = {};
    if (req.query.since !== undefined) q.since = req.query.since;
    if (req.query.until !== undefined) q.until = req.query.until;
    if (req.query.period !== undefined) q.period = req.query.period;
    return { function: req.params.name, ...(await platform.functionMetrics(req.params.name, q)) };
  });
}
