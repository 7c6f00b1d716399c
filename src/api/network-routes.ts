// The native REST routes of named networks (admin key, like every native route): create, list, show,
// update and delete. Thin: each maps HTTP to one Platform call; validation lives in the engine.

import type { FastifyInstance } from "fastify";
import { invalid } from "../core/errors.js";
import type { NetworkInput, NetworkView } from "../engine/networks.js";
import type { Platform } from "../engine/platform.js";
import { formatAllow } from "../core/networks.js";

type NameParams = { Params: { name: string } };

/** A network as the API returns it: `allow` as the strings `--allow` takes. */
function networkView(n: NetworkView): Record<string, unknown> {
  return {
    name: n.name,
    allow: n.allow.map(formatAllow),
    egress: n.egress,
    resolved: n.resolved,
    createdAt: n.createdAt,
    lastModified: n.lastModified,
  };
}

function networkBody(body: unknown): NetworkInput {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid("request body must be a JSON object");
  const b = body as Record<string, unknown>;
  const input: NetworkInput = {};
  if (b.name !== undefined) input.name = b.name;
  if (b.allow !== undefined) input.allow = b.allow;
  if (b.egress !== undefined) input.egress = b.egress;
  return input;
}

export function registerNetworkRoutes(app: FastifyInstance, platform: Platform): void {
  app.get("/networks", () => ({ networks: platform.listNetworks().map(networkView) }));
  app.post("/networks", async (req, reply) => {
    const n = await platform.createNetwork(networkBody(req.body));
    return reply.code(201).send(networkView(n));
  });
  app.get<NameParams>("/networks/:name", (req) => networkView(platform.getNetwork(req.params.name)));
  app.put<NameParams>("/networks/:name", async (req) => {
    const input = networkBody(req.body ?? {});
    if (input.name !== undefined && input.name !== req.params.name)
      throw invalid("a network cannot be renamed; create another", { field: "name" });
    return networkView(await platform.updateNetwork(req.params.name, input));
  });
  app.delete<NameParams>("/networks/:name", async (req, reply) => {
    await platform.deleteNetwork(req.params.name);
    return reply.code(204).send();
  });
}
