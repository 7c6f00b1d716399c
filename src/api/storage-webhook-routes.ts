// The S3-compatible notification endpoint, POST /events/s3/{trigger}: MinIO, Ceph RGW and Garage post
// S3 event notifications here. It authenticates with the trigger's own secret (a Bearer token, as
// MinIO's notify_webhook auth_token sends it), not the admin API key, so server.ts lets it past the
// API-key check (isStorageWebhookPath) and a public listener can mount the same registration.

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Platform } from "../engine/platform.js";
import { acceptRawBodies } from "./raw-body.js";

export const STORAGE_WEBHOOK_PREFIX = "/events/s3/";
/** One delivery carries one record (or a few): far below the API's 1 MiB. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;

/**
 * The secret a delivery carries: `Authorization: Bearer` (MinIO's auth_token), the password of HTTP Basic
 * auth (an endpoint URL with user:secret@, for stores that cannot set headers) or `?token=`.
 */
function secretOf(req: FastifyRequest<{ Querystring: { token?: string } }>): string {
  const auth = req.headers.authorization ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
  if (bearer !== null) return bearer[1] ?? "";
  const basic = /^Basic\s+(\S+)$/i.exec(auth);
  if (basic !== null) {
    const decoded = Buffer.from(basic[1] ?? "", "base64").toString("utf8");
    return decoded.slice(decoded.indexOf(":") + 1);
  }
  return typeof req.query.token === "string" ? req.query.token : "";
}

export function isStorageWebhookPath(url: string): boolean {
  return url.startsWith(STORAGE_WEBHOOK_PREFIX);
}

/** Registers the route in its own scope (its own body parser); fastify loads it before listening. */
export function registerStorageWebhookRoutes(app: FastifyInstance, platform: Platform): void {
  void app.register((scope, _opts, done) => {
    // Stores differ in the content type they send (or send none): the body is parsed here, as JSON.
    acceptRawBodies(scope, WEBHOOK_BODY_LIMIT);
    // A store may probe the endpoint before it enables the target.
    scope.head<{ Params: { trigger: string } }>(`${STORAGE_WEBHOOK_PREFIX}:trigger`, (_req, reply) =>
      reply.code(200).send(),
    );
    scope.post<{ Params: { trigger: string }; Querystring: { token?: string } }>(
      `${STORAGE_WEBHOOK_PREFIX}:trigger`,
      { bodyLimit: WEBHOOK_BODY_LIMIT },
      async (req) => {
        let body: unknown;
        if (Buffer.isBuffer(req.body) && req.body.length > 0) {
          try {
            body = JSON.parse(req.body.toString("utf8"));
          } catch {
            body = undefined;
          }
        }
        // The secret is checked before the body is judged: a stranger learns nothing about the trigger.
        const queued = await platform.storage.deliver(req.params.trigger, secretOf(req), body);
        return { queued };
      },
    );
    done();
  });
}
