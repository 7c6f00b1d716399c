// Native API for `vajra role`: execution roles of the server's account (IAM is global, so not per
// region). A role's policy is an IAM JSON document; the engine checks and stores it.

import type { FastifyInstance } from "fastify";
import { invalid } from "../core/errors.js";
import type { Platform } from "../engine/platform.js";

export function registerRoleRoutes(app: FastifyInstance, platform: Platform): void {
  app.get("/roles", () => ({ roles: platform.listRoles() }));
  app.get<{ Params: { name: string } }>("/roles/:name", (req) => platform.getRole(req.params.name));
  // PUT creates or replaces (the role keeps its id); POST creates from a body naming the role.
  app.put<{ Params: { name: string } }>("/roles/:name", async (req, reply) => {
    const body = (req.body ?? {}) as { policy?: unknown };
    if (body.policy === undefined)
      throw invalid("policy is required: an IAM policy document", { field: "policy" });
    const r = await platform.putRole(req.params.name, body.policy);
    return reply.code(r.created ? 201 : 200).send(r.role);
  });
  app.post("/roles", async (req, reply) => {
    const body = (req.body ?? {}) as { name?: unknown; policy?: unknown };
    if (typeof body.name !== "string") throw invalid("name is required", { field: "name" });
    if (body.policy === undefined)
      throw invalid("policy is required: an IAM policy document", { field: "policy" });
    const r = await platform.putRole(body.name, body.policy);
    return reply.code(r.created ? 201 : 200).send(r.role);
  });
  app.delete<{ Params: { name: string } }>("/roles/:name", async (req, reply) => {
    await platform.deleteRole(req.params.name);
    return reply.code(204).send();
  });
}
