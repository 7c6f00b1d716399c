// Console sign-in with an access key pair: `POST /sessions`, signed with SigV4 (service `vajra`) by the
// browser, verified here with the same verifier and key store as the Lambda API, answers a short-lived
// native API key (its secret once). The console then calls the native API with that key as a Bearer
// key, exactly like a typed one, and deletes it (DELETE /api-keys/{id}) when the user signs out.
// Only account access keys (AKIA…) of the server's own account sign in: the native API is the
// operator's, so a function's session credentials (ASIA…) and keys of other accounts are refused.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { invalid } from "../core/errors.js";
import type { Store } from "../store/store.js";
import type { AccessKeys } from "./access-keys.js";
import { apiKeyView } from "./api-key-routes.js";
import { newApiKey } from "./auth.js";
import { acceptRawBodies } from "./raw-body.js";
import { signedRequestOf } from "./request-scope.js";
import { verifySigV4, type SigV4ErrorType } from "./sigv4.js";

export const SESSIONS_PATH = "/sessions";
/** The SigV4 service a console sign-in is signed for (so no other service's signature is replayed here). */
export const SESSION_SERVICE = "vajra";
/** STS GetSessionToken's bounds: 15 minutes to 12 hours here (the console's default is the longest). */
const MIN_SECONDS = 900;
const MAX_SECONDS = 12 * 3600;

/** The sign-in request carries SigV4 instead of an API key: the auth hook lets it through to this route. */
export function isSessionSignIn(method: string, url: string): boolean {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  return method === "POST" && (path === SESSIONS_PATH || path === `${SESSIONS_PATH}/`);
}

// AWS's HTTP statuses for these error types (the JSON services answer them so).
const STATUS: Record<SigV4ErrorType, number> = {
  MissingAuthenticationTokenException: 401,
  IncompleteSignatureException: 400,
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
};

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

function parseBody(body: Buffer, signer: string): { durationSeconds: number } {
  let b: unknown;
  try {
    b = JSON.parse(body.toString("utf8"));
  } catch {
    throw invalid('request body must be JSON: {"accessKeyId": "AKIA…"}');
  }
  if (typeof b !== "object" || b === null || Array.isArray(b))
    throw invalid('request body must be a JSON object: {"accessKeyId": "AKIA…"}');
  const o = b as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== "accessKeyId" && k !== "durationSeconds")
      throw invalid(`unknown field '${k}'; allowed: accessKeyId, durationSeconds`, { field: k });
  if (o.accessKeyId === undefined)
    throw invalid("accessKeyId is required: the access key id that signed this request", {
      field: "accessKeyId",
    });
  if (o.accessKeyId !== signer)
    throw invalid(`accessKeyId must be the access key id that signed this request (${signer})`, {
      field: "accessKeyId",
    });
  const d = o.durationSeconds ?? MAX_SECONDS;
  if (typeof d !== "number" || !Number.isInteger(d) || d < MIN_SECONDS || d > MAX_SECONDS)
    throw invalid(`durationSeconds must be an integer from ${MIN_SECONDS} to ${MAX_SECONDS}`, {
      field: "durationSeconds",
    });
  return { durationSeconds: d };
}

export function registerSessionRoutes(app: FastifyInstance, store: Store, keys: AccessKeys): void {
  void app.register((scope, _o, done) => {
    // SigV4 signs the exact bytes: the body is read raw and parsed here.
    acceptRawBodies(scope, 16 * 1024);
    scope.post(SESSIONS_PATH, async (req: FastifyRequest, reply: FastifyReply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let asia: string | undefined;
      const result = verifySigV4(signedRequestOf(req, body), (id) => {
        if (id.startsWith("ASIA")) asia = id;
        return keys.lookup(id);
      });
      if (asia !== undefined)
        return refuse(
          reply,
          403,
          "AccessDeniedException",
          `${asia} is a temporary session credential (a function's role credentials): they cannot sign in to the console. Use an account access key (AKIA…) or an API key.`,
        );
      if (!result.ok) {
        const message =
          result.errorType === "MissingAuthenticationTokenException"
            ? `${result.message}: sign POST ${SESSIONS_PATH} with SigV4 (service '${SESSION_SERVICE}') using an access key pair`
            : result.errorType === "UnrecognizedClientException"
              ? `${result.message} No such access key on this server: it was revoked, or never existed.`
              : result.message;
        return refuse(reply, STATUS[result.errorType], result.errorType, message);
      }
      if (result.service !== SESSION_SERVICE)
        return refuse(
          reply,
          403,
          "InvalidSignatureException",
          `Credential should be scoped to correct service: '${SESSION_SERVICE}'.`,
        );
      const account = keys.accountOf(result.accessKeyId);
      if (account !== keys.ownerAccount)
        return refuse(
          reply,
          403,
          "AccessDeniedException",
          `${result.accessKeyId} belongs to account ${account}; the console and the native API are the server owner's (account ${keys.ownerAccount}).`,
        );
      const input = parseBody(body, result.accessKeyId);
      const { record, secret } = newApiKey(`console session for ${result.accessKeyId}`, {
        expiresAt: new Date(Date.now() + input.durationSeconds * 1000).toISOString(),
        accessKeyId: result.accessKeyId,
      });
      await store.putApiKey(record);
      // Revoked while this request ran: the key dies with it (the Authenticator would refuse it anyway).
      if (!keys.exists(result.accessKeyId)) {
        await store.deleteApiKey(record.id);
        return refuse(
          reply,
          403,
          "UnrecognizedClientException",
          "The security token included in the request is invalid. The access key was revoked.",
        );
      }
      return reply.code(201).send({ ...apiKeyView(record), secret });
    });
    done();
  });
}
