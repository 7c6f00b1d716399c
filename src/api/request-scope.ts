// The ARN scope of a SigV4-signed request: the region the client signed for (as on AWS, where the
// endpoint and the credential scope name the region) and the server's account. Shared by every
// route family that verifies SigV4 (Lambda, STS, the code bucket).

import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { isRegionName, withArnScope, type ArnScope } from "../core/arn-scope.js";
import type { SignedRequest } from "./sigv4.js";

/** The scope for a request signed for `region`, or why the region cannot name ARNs. */
export function signedScope(server: ArnScope, region: string): ArnScope | string {
  if (!isRegionName(region)) {
    return `The region '${region}' in the credential scope is not a region name such as us-east-1 or eu-west-1.`;
  }
  return { region, account: server.account };
}

/**
 * Runs every request of `app` in the server's scope (native API, CLI, function URLs); SigV4 routes
 * narrow it to their signed region. Set once the body is read: body parsing leaves the request's
 * async context, the hooks after it do not.
 */
export function useServerScope(app: FastifyInstance, server: ArnScope): void {
  app.addHook("preValidation", (_req, _reply, done) => withArnScope(server, done));
}

/** The parts of a request SigV4 signs, with the body's SHA-256. */
export function signedRequestOf(req: FastifyRequest, body: Buffer): SignedRequest {
  const q = req.url.indexOf("?");
  return {
    method: req.method,
    rawPath: q < 0 ? req.url : req.url.slice(0, q),
    rawQuery: q < 0 ? "" : req.url.slice(q + 1),
    headers: req.headers,
    bodySha256: createHash("sha256").update(body).digest("hex"),
  };
}
