// Cost recommendations over HTTP: `GET /recommendations` (every function) and
// `GET /recommendations?function=NAME` (one; FunctionNotFound, 404, when it does not exist).

import type { FastifyInstance } from "fastify";
import { invalid } from "../core/errors.js";
import type { Platform } from "../engine/platform.js";

type RecommendationsRequest = { Querystring: { function?: string | string[] } };

export function registerRecommendationRoutes(app: FastifyInstance, platform: Platform): void {
  app.get<RecommendationsRequest>("/recommendations", async (req) => {
    const name = req.query.function;
    if (Array.isArray(name))
      throw invalid("give the query parameter function at most once", { field: "function" });
    if (name === "")
      throw invalid("the query parameter function must name a function", { field: "function" });
    return platform.recommendations(name);
  });
}
