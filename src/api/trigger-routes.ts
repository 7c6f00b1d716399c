// Native event source mapping routes (API key auth; the CLI's `vajra trigger`): /triggers and
// /triggers/{uuid}. The same engine calls as the Lambda API's event-source-mappings; sources are shown
// with their password masked.

import type { FastifyInstance } from "fastify";
import { invalid } from "../core/errors.js";
import { maskDestination } from "../core/destination.js";
import type { Platform } from "../engine/platform.js";
import type { MappingInput, MappingView } from "../engine/triggers/mappings.js";

type IdParams = { Params: { uuid: string } };

/** The body of a create or update: only the fields present change (types checked here, ranges by the engine). */
export function triggerBody(body: unknown): MappingInput {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("request body must be a JSON object");
  const b = body as Record<string, unknown>;
  const m: MappingInput = {};
  const str = (k: string): string | undefined => {
    const v = b[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw invalid(`${k} must be a string`);
    return v;
  };
  const num = (k: string): number | undefined => {
    const v = b[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number") throw invalid(`${k} must be a number`);
    return v;
  };
  const fn = str("function");
  if (fn !== undefined) m.functionName = fn;
  const source = str("source");
  if (source !== undefined) m.source = source;
  if (b.enabled !== undefined) {
    if (typeof b.enabled !== "boolean") throw invalid("enabled must be true or false");
    m.enabled = b.enabled;
  }
  const bs = num("batchSize");
  if (bs !== undefined) m.batchSize = bs;
  const w = num("maximumBatchingWindowInSeconds");
  if (w !== undefined) m.maximumBatchingWindowInSeconds = w;
  const r = num("maximumRetryAttempts");
  if (r !== undefined) m.maximumRetryAttempts = r;
  if (b.reportBatchItemFailures !== undefined) {
    if (typeof b.reportBatchItemFailures !== "boolean")
      throw invalid("reportBatchItemFailures must be true or false");
    m.functionResponseTypes = b.reportBatchItemFailures ? ["ReportBatchItemFailures"] : [];
  }
  if (b.filters !== undefined) {
    if (!Array.isArray(b.filters)) throw invalid("filters must be a list of patterns");
    // A pattern may be given as JSON text or as the object itself.
    m.filters = (b.filters as unknown[]).map((f) => (typeof f === "string" ? f : JSON.stringify(f)));
  }
  const sp = str("startingPosition");
  if (sp !== undefined) m.startingPosition = sp as MappingInput["startingPosition"]; // checked by the engine
  // Failure handling: null (or "") removes the on-failure destination / the concurrency limit.
  if (b.onFailure !== undefined) m.onFailure = b.onFailure === null ? null : (str("onFailure") ?? null);
  if (b.bisectBatchOnFunctionError !== undefined)
    m.bisectBatchOnFunctionError = b.bisectBatchOnFunctionError as boolean; // type checked by the engine
  const age = num("maximumRecordAgeInSeconds");
  if (age !== undefined) m.maximumRecordAgeInSeconds = age;
  if (b.maximumConcurrency !== undefined) m.maximumConcurrency = num("maximumConcurrency") ?? null;
  return m;
}

export function triggerView(v: MappingView): Record<string, unknown> {
  return {
    uuid: v.uuid,
    kind: v.kind,
    source: v.source,
    function: v.functionName,
    qualifier: v.qualifier,
    state: v.state,
    batchSize: v.batchSize,
    maximumBatchingWindowInSeconds: v.maximumBatchingWindowInSeconds,
    maximumRetryAttempts: v.maximumRetryAttempts,
    reportBatchItemFailures: v.functionResponseTypes.includes("ReportBatchItemFailures"),
    startingPosition: v.startingPosition,
    stateTransitionReason: v.stateTransitionReason,
    lastProcessingResult: v.lastProcessingResult,
    processed: v.processed,
    discarded: v.discarded,
    filtered: v.filtered,
    filters: v.filters,
    onFailure: v.onFailure === undefined ? undefined : maskDestination(v.onFailure),
    bisectBatchOnFunctionError: v.bisectBatchOnFunctionError === true,
    maximumRecordAgeInSeconds: v.maximumRecordAgeInSeconds ?? -1,
    maximumConcurrency: v.maximumConcurrency,
    lastModified: new Date(v.lastModified).toISOString(),
  };
}

export function registerTriggerRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<{ Querystring: { function?: string } }>("/triggers", (req) => ({
    triggers: platform.mappings.list(req.query.function).map(triggerView),
  }));
  app.post("/triggers", async (req, reply) => {
    const b = triggerBody(req.body);
    if (b.functionName === undefined) throw invalid("function is required");
    if (b.source === undefined) throw invalid("source is required");
    return reply.code(201).send(triggerView(await platform.mappings.create(b)));
  });
  app.get<IdParams>("/triggers/:uuid", (req) => triggerView(platform.mappings.get(req.params.uuid)));
  app.patch<IdParams>("/triggers/:uuid", async (req) =>
    triggerView(await platform.mappings.update(req.params.uuid, triggerBody(req.body))),
  );
  app.delete<IdParams>("/triggers/:uuid", async (req, reply) => {
    await platform.mappings.delete(req.params.uuid);
    return reply.code(204).send();
  });
}
