// The native API's function URL routes (`vajra url`): create, show and delete a function's URL. The
// address reported is where the URL is served: the public listener when one runs, else this server.

import type { FastifyInstance, FastifyRequest } from "fastify";
import { VajraError, invalid } from "../core/errors.js";
import type { FunctionUrlConfig } from "../core/types.js";
import type { Platform } from "../engine/platform.js";
import { functionUrlBase, type PublicAddress } from "./url-base.js";

type NameParams = { Params: { name: string } };

export function registerUrlConfigRoutes(app: FastifyInstance, platform: Platform, pub: PublicAddress): void {
  const urlView = (req: FastifyRequest, url: FunctionUrlConfig | undefined): Record<string, unknown> =>
    url === undefined
      ? {}
      : {
          url: `${functionUrlBase(req, pub)}/url/${url.urlId}/`,
          authType: url.authType,
          cors: url.cors ?? null,
          createdAt: url.createdAt,
        };
  app.post<NameParams>("/functions/:name/url", async (req, reply) => {
    const b = (req.body ?? {}) as { authType?: unknown };
    const authType = b.authType === undefined ? "NONE" : b.authType;
    if (typeof authType !== "string")
      throw invalid("authType must be NONE or AWS_IAM", { field: "authType" });
    const url = await platform.settings.setFunctionUrl(req.params.name, { authType }, true);
    return reply.code(201).send(urlView(req, url));
  });
  app.get<NameParams>("/functions/:name/url", (req) => {
    const url = platform.getFunction(req.params.name).url;
    if (url === undefined) throw new VajraError("FunctionNotFound", `function ${req.params.name} has no URL`);
    return urlView(req, url);
  });
  app.delete<NameParams>("/functions/:name/url", async (req, reply) => {
    await platform.settings.setFunctionUrl(req.params.name, null);
    return reply.code(204).send();
  });
}
