// Native REST routes for a function's metadata settings that the Lambda API already had and the CLI and
// console lacked: its tags, its event invoke config (retries, maximum age and the on-success / on-failure
// destinations of Event invocations) and the layers it can use. Thin: each maps HTTP to one engine call;
// validation lives in the engine (FunctionSettings, LayerCatalog).

import type { FastifyInstance } from "fastify";
import { invalid } from "../core/errors.js";
import { maskDestination } from "../core/destination.js";
import { layerArn } from "../core/lambda-format.js";
import type { EventInvokeConfig, LayerVersion } from "../core/types.js";
import type { Platform } from "../engine/platform.js";

type NameParams = { Params: { name: string } };

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("request body must be a JSON object");
  return body as Record<string, unknown>;
}

function layerView(l: LayerVersion): Record<string, unknown> {
  return {
    name: l.name,
    arn: layerArn(l.name),
    version: l.version,
    versionArn: `${layerArn(l.name)}:${l.version}`,
    description: l.description,
    compatibleRuntimes: l.compatibleRuntimes,
    codeSize: l.codeSize,
    createdAt: l.createdAt,
  };
}

/** The config as the native API shows it; destinations with a password are masked, as everywhere. */
export function invokeConfigView(c: EventInvokeConfig | undefined): Record<string, unknown> {
  if (c === undefined) return { configured: false };
  return {
    configured: true,
    ...(c.maximumRetryAttempts === undefined ? {} : { maximumRetryAttempts: c.maximumRetryAttempts }),
    ...(c.maximumEventAgeInSeconds === undefined
      ? {}
      : { maximumEventAgeInSeconds: c.maximumEventAgeInSeconds }),
    ...(c.onSuccess === undefined ? {} : { onSuccess: maskDestination(c.onSuccess) }),
    ...(c.onFailure === undefined ? {} : { onFailure: maskDestination(c.onFailure) }),
    lastModified: c.lastModified,
  };
}

const INVOKE_CONFIG_FIELDS = new Set([
  "maximumRetryAttempts",
  "maximumEventAgeInSeconds",
  "onSuccess",
  "onFailure",
]);

/** A PUT body: the whole config (absent fields are cleared); a destination of "" means none. */
function invokeConfigBody(body: unknown): Omit<EventInvokeConfig, "lastModified"> {
  const b = objectBody(body);
  for (const k of Object.keys(b)) {
    if (!INVOKE_CONFIG_FIELDS.has(k))
      throw invalid(`unknown field '${k}'; allowed: ${[...INVOKE_CONFIG_FIELDS].join(", ")}`);
  }
  const out: Record<string, unknown> = {};
  for (const k of INVOKE_CONFIG_FIELDS) {
    const v = b[k];
    if (v === undefined || v === null || v === "") continue;
    out[k] = v;
  }
  return out; // types, ranges and destinations are checked by the engine
}

/** A PUT body of tags: `{ "tags": { key: value } }`, the function's whole set. */
function tagsBody(body: unknown): Record<string, string> {
  const tags = objectBody(body).tags;
  if (typeof tags !== "object" || tags === null || Array.isArray(tags))
    throw invalid("tags is required: an object of key/value strings", { field: "tags" });
  return tags as Record<string, string>; // keys and values checked by the engine
}

export function registerFunctionSettingsRoutes(app: FastifyInstance, platform: Platform): void {
  // Layers: the newest version of each, which a function names by its version ARN.
  app.get("/layers", () => ({ layers: platform.layers.list().map(layerView) }));
  app.get<NameParams>("/layers/:name/versions", (req) => ({
    versions: platform.layers.listVersions(req.params.name).map(layerView),
  }));

  app.get<NameParams>("/functions/:name/tags", (req) => ({
    tags: platform.getFunction(req.params.name).tags ?? {},
  }));
  // Replaces the whole set: keys not in the body are removed.
  app.put<NameParams>("/functions/:name/tags", async (req) => {
    const name = req.params.name;
    const tags = tagsBody(req.body);
    const gone = Object.keys(platform.getFunction(name).tags ?? {}).filter((k) => !(k in tags));
    return { tags: await platform.settings.changeTags(name, tags, gone) };
  });

  const eicPath = "/functions/:name/event-invoke-config";
  app.get<NameParams>(eicPath, (req) =>
    invokeConfigView(platform.getFunction(req.params.name).eventInvokeConfig),
  );
  app.put<NameParams>(eicPath, async (req) =>
    invokeConfigView(
      await platform.settings.setEventInvokeConfig(req.params.name, invokeConfigBody(req.body)),
    ),
  );
  app.delete<NameParams>(eicPath, async (req, reply) => {
    const name = req.params.name;
    // Removing a config that is not there is a no-op here (the Lambda API's 404 helps no one in a form).
    if (platform.getFunction(name).eventInvokeConfig !== undefined)
      await platform.settings.setEventInvokeConfig(name, null);
    return reply.code(204).send();
  });
}
