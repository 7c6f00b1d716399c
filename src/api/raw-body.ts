// Routes that must see the exact bytes a client sent (SigV4 signs them; payloads are forwarded, not
// parsed) take every content type as a raw Buffer, bounded by their own limit.

import type { FastifyInstance } from "fastify";

/** Makes `scope` hand every request body to its routes as a Buffer of at most `bodyLimit` bytes. */
export function acceptRawBodies(scope: FastifyInstance, bodyLimit: number): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit }, (_req, body, next) => next(null, body));
}
