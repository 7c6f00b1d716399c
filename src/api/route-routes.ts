// Native HTTP route management (API key auth; the CLI's `vajra route`): /routes and /routes/{ref},
// where ref is a route id or a URL-encoded route key. The routes themselves answer on the public
// listener (http-route-handler.ts).

import type { FastifyInstance } from "fastify";
import { invalid } from "../core/errors.js";
import type { HttpRouteRecord } from "../core/route-key.js";
import type { Platform } from "../engine/platform.js";

type RefParams = { Params: { ref: string } };

/** The native view: the record, with its creation time as an ISO string. */
export function routeView(r: HttpRouteRecord): Record<string, unknown> {
  return {
    id: r.id,
    routeKey: r.routeKey,
    function: r.functionName,
    qualifier: r.qualifier,
    payloadFormat: r.payloadFormat,
    authType: r.authType,
    createdAt: new Date(r.createdAt).toISOString(),
  };
}

export function registerRouteRoutes(app: FastifyInstance, platform: Platform): void {
  app.get("/routes", () => ({ routes: platform.routes.list().map(routeView) }));

  app.post("/routes", async (req, reply) => {
    const b = req.body;
    if (typeof b !== "object" || b === null || Array.isArray(b))
      throw invalid("request body must be a JSON object");
    const r = await platform.routes.add(b);
    return reply.code(201).send(routeView(r));
  });

  app.get<RefParams>("/routes/:ref", (req) => routeView(platform.routes.get(req.params.ref)));

  app.delete<RefParams>("/routes/:ref", async (req) =>
    routeView(await platform.routes.delete(req.params.ref)),
  );
}
