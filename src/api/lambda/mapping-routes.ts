// Lambda API routes for event source mappings (Create/Get/List/Update/DeleteEventSourceMapping). Vajra's
// sources are brokers named by URI, so `EventSourceArn` takes `amqp://…?queue=Q`, `nats://…?stream=S`, `mqtt://…?topic=T`, `redis://…?stream=S` or `postgres://…?channel=C`
// (validate.ts exempts it from the model's ARN pattern); the engine checks everything else.

import type { FastifyInstance } from "fastify";
import { functionArn } from "../../core/lambda-format.js";
import { arnScope } from "../../core/arn-scope.js";
import { formatSourceUri, parseSourceUri } from "../../core/event-source-mapping.js";
import type { Platform } from "../../engine/platform.js";
import type { MappingInput, MappingView } from "../../engine/triggers/mappings.js";
import { parseFunctionName } from "./function-name.js";
import { bodyJson, paginate, unsupported } from "./request.js";
import { invalid } from "../../core/errors.js";
import { maskDestination } from "../../core/destination.js";

/** Members Vajra does not implement yet: refused rather than silently ignored. */
const UNSUPPORTED = [
  "ParallelizationFactor",
  "TumblingWindowInSeconds",
  "Topics",
  "Queues",
  "SourceAccessConfigurations",
  "SelfManagedEventSource",
  "StartingPositionTimestamp",
];

export function mappingConfiguration(v: MappingView): Record<string, unknown> {
  const scope = arnScope();
  const out: Record<string, unknown> = {
    UUID: v.uuid,
    EventSourceArn: v.source,
    FunctionArn: functionArn(v.functionName, v.qualifier),
    BatchSize: v.batchSize,
    MaximumBatchingWindowInSeconds: v.maximumBatchingWindowInSeconds,
    MaximumRetryAttempts: v.maximumRetryAttempts,
    FunctionResponseTypes: v.functionResponseTypes,
    LastModified: v.lastModified / 1000,
    LastProcessingResult: v.lastProcessingResult,
    State: v.state,
    StateTransitionReason: v.stateTransitionReason,
    EventSourceMappingArn: `arn:aws:lambda:${scope.region}:${scope.account}:event-source-mapping:${v.uuid}`,
  };
  if (v.startingPosition !== undefined) out.StartingPosition = v.startingPosition;
  if (v.filters !== undefined) out.FilterCriteria = { Filters: v.filters.map((Pattern) => ({ Pattern })) };
  out.DestinationConfig = {
    OnFailure: v.onFailure === undefined ? {} : { Destination: maskDestination(v.onFailure) },
  };
  out.BisectBatchOnFunctionError = v.bisectBatchOnFunctionError === true;
  out.MaximumRecordAgeInSeconds = v.maximumRecordAgeInSeconds ?? -1;
  if (v.maximumConcurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: v.maximumConcurrency };
  return out;
}

function input(b: Record<string, unknown>): MappingInput {
  for (const k of UNSUPPORTED) if (b[k] !== undefined) throw unsupported(`${k} on an event source mapping`);
  const m: MappingInput = {};
  if (typeof b.FunctionName === "string") m.functionName = b.FunctionName;
  if (typeof b.EventSourceArn === "string") m.source = b.EventSourceArn;
  if (typeof b.Enabled === "boolean") m.enabled = b.Enabled;
  if (typeof b.BatchSize === "number") m.batchSize = b.BatchSize;
  if (typeof b.MaximumBatchingWindowInSeconds === "number")
    m.maximumBatchingWindowInSeconds = b.MaximumBatchingWindowInSeconds;
  if (typeof b.MaximumRetryAttempts === "number") m.maximumRetryAttempts = b.MaximumRetryAttempts;
  if (Array.isArray(b.FunctionResponseTypes)) m.functionResponseTypes = b.FunctionResponseTypes as string[];
  if (b.FilterCriteria !== undefined) {
    const filters = (b.FilterCriteria as { Filters?: { Pattern?: unknown }[] }).Filters ?? [];
    m.filters = filters.map((f, i) => {
      if (typeof f.Pattern !== "string")
        throw invalid(`FilterCriteria.Filters[${i}].Pattern must be a string`);
      return f.Pattern;
    });
  }
  const dest = b.DestinationConfig as {
    OnSuccess?: { Destination?: unknown };
    OnFailure?: { Destination?: unknown };
  };
  if (dest?.OnSuccess?.Destination !== undefined)
    throw invalid("DestinationConfig.OnSuccess: an event source mapping has only an OnFailure destination");
  // An empty OnFailure (or Destination) removes it, as UpdateEventSourceMapping does on AWS.
  if (dest !== undefined)
    m.onFailure = typeof dest.OnFailure?.Destination === "string" ? dest.OnFailure.Destination : null;
  if (b.BisectBatchOnFunctionError !== undefined)
    m.bisectBatchOnFunctionError = b.BisectBatchOnFunctionError as boolean; // the engine checks the type
  if (typeof b.MaximumRecordAgeInSeconds === "number")
    m.maximumRecordAgeInSeconds = b.MaximumRecordAgeInSeconds;
  const scaling = b.ScalingConfig as { MaximumConcurrency?: unknown } | undefined;
  if (scaling !== undefined)
    m.maximumConcurrency =
      scaling.MaximumConcurrency === undefined ? null : (scaling.MaximumConcurrency as number);
  if (b.StartingPosition === "TRIM_HORIZON" || b.StartingPosition === "LATEST")
    m.startingPosition = b.StartingPosition;
  else if (b.StartingPosition !== undefined)
    throw unsupported(`StartingPosition ${JSON.stringify(b.StartingPosition)}`);
  return m;
}

export function registerMappingRoutes(scope: FastifyInstance, platform: Platform): void {
  scope.post("/2015-03-31/event-source-mappings", async (req, reply) => {
    const b = bodyJson(req);
    const view = await platform.mappings.create(input(b));
    return reply.code(202).send(mappingConfiguration(view));
  });
  scope.get<{
    Querystring: { FunctionName?: string; EventSourceArn?: string; Marker?: string; MaxItems?: string };
  }>("/2015-03-31/event-source-mappings", (req) => {
    const q = req.query;
    const fn = q.FunctionName === undefined ? undefined : parseFunctionName(q.FunctionName).name;
    // Compared masked, so the URI with or without its password finds the mapping.
    const source =
      q.EventSourceArn === undefined ? undefined : formatSourceUri(parseSourceUri(q.EventSourceArn));
    const all = platform.mappings
      .list(fn)
      .filter((v) => source === undefined || v.source === source)
      .map(mappingConfiguration);
    return paginate(all, q.Marker, q.MaxItems, "EventSourceMappings");
  });
  scope.get<{ Params: { uuid: string } }>("/2015-03-31/event-source-mappings/:uuid", (req) =>
    mappingConfiguration(platform.mappings.get(req.params.uuid)),
  );
  scope.put<{ Params: { uuid: string } }>("/2015-03-31/event-source-mappings/:uuid", async (req, reply) => {
    const b = bodyJson(req);
    const view = await platform.mappings.update(req.params.uuid, input(b));
    return reply.code(202).send(mappingConfiguration(view));
  });
  scope.delete<{ Params: { uuid: string } }>(
    "/2015-03-31/event-source-mappings/:uuid",
    async (req, reply) => {
      const view = await platform.mappings.delete(req.params.uuid);
      return reply.code(202).send(mappingConfiguration(view));
    },
  );
}
