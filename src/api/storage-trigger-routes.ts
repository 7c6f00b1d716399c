// Native storage trigger routes (API key auth; the CLI's `vajra storage-trigger`): /storage-triggers and
// /storage-triggers/{name}. A webhook trigger's secret is in the answer to its creation only.

import type { FastifyInstance } from "fastify";
import { invalid } from "../core/errors.js";
import type { Platform } from "../engine/platform.js";
import type { StorageTriggerView } from "../engine/triggers/storage.js";

type NameParams = { Params: { name: string } };

export function storageTriggerView(v: StorageTriggerView): Record<string, unknown> {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    name: v.name,
    kind: v.kind,
    function: v.functionName,
    qualifier: v.qualifier,
    state: v.state,
    bucketArn: v.bucketArn,
    path: v.path,
    include: v.kind === "directory" ? v.include : undefined,
    exclude: v.kind === "directory" ? v.exclude : undefined,
    events: v.kind === "directory" ? v.events : undefined,
    webhookPath: v.kind === "webhook" ? `/events/s3/${v.name}` : undefined,
    secret: v.secret,
    delivered: v.delivered,
    lastError: v.lastError,
    createdAt: iso(v.createdAt),
    updatedAt: iso(v.updatedAt),
  };
}

export function registerStorageTriggerRoutes(app: FastifyInstance, platform: Platform): void {
  app.get("/storage-triggers", () => ({
    triggers: platform.storage.list().map(storageTriggerView),
  }));
  app.post("/storage-triggers", async (req, reply) => {
    if (typeof req.body !== "object" || req.body === null || Array.isArray(req.body))
      throw invalid("request body must be a JSON object");
    return reply.code(201).send(storageTriggerView(await platform.storage.create(req.body)));
  });
  app.get<NameParams>("/storage-triggers/:name", (req) =>
    storageTriggerView(platform.storage.get(req.params.name)),
  );
  for (const verb of ["enable", "disable"] as const)
    app.post<NameParams>(`/storage-triggers/:name/${verb}`, async (req) =>
      storageTriggerView(await platform.storage.setEnabled(req.params.name, verb === "enable")),
    );
  app.delete<NameParams>("/storage-triggers/:name", async (req, reply) => {
    await platform.storage.delete(req.params.name);
    return reply.code(204).send();
  });
}
