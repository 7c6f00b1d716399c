// The Lambda endpoint functions call from inside their sandboxes: the server's own request handling,
// reached through a UNIX socket that every instance sees (its runtime relays 127.0.0.1:9002 to it, the
// address AWS_ENDPOINT_URL_LAMBDA names), so it works in every network mode — `none` included — and
// the sandbox never needs a route to the host. Requests arriving this way may only be Lambda API calls
// signed with a function's session credentials: never the native API, never an admin or account key.

import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { dirname } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isLambdaPath } from "./lambda/routes.js";
import { sendAwsError } from "./lambda/aws-errors.js";

const FROM_FUNCTION = Symbol("vajra.fromFunction");

type MarkedRequest = IncomingMessage & { [FROM_FUNCTION]?: true };

/** Whether the request came in through the functions' endpoint. */
export function fromFunction(req: FastifyRequest): boolean {
  return (req.raw as MarkedRequest)[FROM_FUNCTION] === true;
}

/** Whether the request carries a session token (SigV4 header or presigned query), as role credentials do. */
function hasSessionToken(req: FastifyRequest): boolean {
  if (typeof req.headers["x-amz-security-token"] === "string") return true;
  const q = req.url.indexOf("?");
  return q >= 0 && new URLSearchParams(req.url.slice(q + 1)).has("X-Amz-Security-Token");
}

/**
 * The gate for requests from functions, run first in onRequest: what is not a Lambda API call with
 * session credentials is refused here; the rest goes through the Lambda API's own SigV4 check and the
 * role's policy like any other request.
 */
export function gateFunctionRequest(req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  if (!fromFunction(req)) return undefined;
  if (!isLambdaPath(req.url))
    return sendAwsError(
      reply,
      "AccessDeniedException",
      403,
      "The functions' endpoint serves the Lambda API only; use the server's address for anything else",
    );
  if (!hasSessionToken(req))
    return sendAwsError(
      reply,
      "AccessDeniedException",
      403,
      "The functions' endpoint accepts only a function's own credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN of its instance)",
    );
  return undefined;
}

export interface FunctionEndpoint {
  readonly socketPath: string;
  close(): Promise<void>;
}

/**
 * Listens on `socketPath` (replacing a socket a previous run left) and hands every request to the
 * fastify app's router, marked as coming from a function. The socket is world-writable: sandboxed
 * functions run as an unprivileged uid; only sandboxes, which bind its folder, can reach it besides
 * the host's own users.
 */
export async function startFunctionEndpoint(
  app: FastifyInstance,
  socketPath: string,
): Promise<FunctionEndpoint> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });
  rmSync(socketPath, { force: true });
  const server: Server = createServer((req, res) => {
    (req as MarkedRequest)[FROM_FUNCTION] = true;
    app.routing(req, res);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o666);
  return {
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        rmSync(socketPath, { force: true });
      }),
  };
}
