// The public listener (`vajra server --public-port`): a second HTTP server that serves only what
// the internet may reach (HTTP routes, function URLs, storage notification webhooks). The admin, native and Lambda APIs are not
// registered on it, so every other path is a 404.

import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { invalid } from "../core/errors.js";
import type { Platform } from "../engine/platform.js";
import { registerFunctionUrlRoutes } from "./function-url-routes.js";
import { registerHttpRouteHandler } from "./http-route-handler.js";
import { sendError, toVajraError } from "./http-errors.js";
import { registerStorageWebhookRoutes } from "./storage-webhook-routes.js";
import type { SigV4Credentials } from "./sigv4.js";

export interface PublicDeps {
  platform: Platform;
  lookupKey: (id: string) => SigV4Credentials | undefined;
}

/**
 * Everything the public listener serves, in one place: later public endpoints (webhooks) register
 * here. Function URLs (`/url/{id}/...`) are more specific than the route table's catch-all.
 */
export function registerPublicRoutes(app: FastifyInstance, deps: PublicDeps): void {
  registerFunctionUrlRoutes(app, deps.platform, deps.lookupKey);
  registerHttpRouteHandler(app, deps.platform);
  // S3-compatible stores post their notifications here, authenticated by the trigger's own secret.
  registerStorageWebhookRoutes(app, deps.platform);
}

export interface PublicListener {
  app: FastifyInstance;
  url: string;
}

/** Opens the public listener when a port is asked for (option, else VAJRA_PUBLIC_PORT); else undefined. */
export async function startPublicListener(
  deps: PublicDeps,
  opts: { publicPort?: number; publicHost?: string },
  adminHost: string,
  logger: FastifyBaseLogger,
): Promise<PublicListener | undefined> {
  const envPort = process.env.VAJRA_PUBLIC_PORT;
  const port = opts.publicPort ?? (envPort === undefined || envPort === "" ? undefined : Number(envPort));
  if (port === undefined) return undefined;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw invalid(`public port must be a whole number from 0 to 65535; got '${String(port)}'`);
  const host = opts.publicHost ?? process.env.VAJRA_PUBLIC_HOST ?? adminHost;
  const app = Fastify({
    loggerInstance: logger.child({ listener: "public" }),
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: "idle",
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).header("content-type", "application/json").send({ message: "Not Found" }),
  );
  // Errors a public route throws (a webhook's bad secret) in the native API's JSON shape.
  app.setErrorHandler((err, _req, reply) => sendError(reply, toVajraError(err)));
  registerPublicRoutes(app, deps);
  const url = await app.listen({ host, port });
  return { app, url };
}
