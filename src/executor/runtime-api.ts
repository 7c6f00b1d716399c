// One instance's Lambda Runtime API (2018-06-01 paths and headers) served over HTTP on a UNIX socket
// that only that instance's sandbox can see. The instance decides what each call means; this file
// only maps HTTP to those decisions.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { chmod } from "node:fs/promises";
import { LIMITS } from "../core/limits.js";

export interface RuntimeApiHandlers {
  /** The runtime asks for the next event; the handler answers now or parks `res` until one arrives. */
  next(res: ServerResponse): void;
  response(requestId: string, body: Buffer): void;
  responseTooLarge(requestId: string): void;
  error(requestId: string, errorType: string | undefined, body: Buffer): void;
  initError(errorType: string | undefined, body: Buffer): void;
}

const PREFIX = "/2018-06-01/runtime/";
const ACCEPTED = JSON.stringify({ status: "OK" });

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Reads a request body up to `limit` bytes; undefined when it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(over ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * A runtime may pipeline requests on one connection (its result, then the next /next, in one write).
 * node:http emits the second request as soon as it is parsed, before the first one's body has been
 * read; each connection's requests are therefore handled one after the other, so that /next is seen
 * only once the result before it is recorded. (Answers go out in request order anyway.)
 */
export function createRuntimeApi(h: RuntimeApiHandlers): Server {
  const queues = new WeakMap<Socket, Promise<void>>();
  const server = createServer((req, res) => {
    const before = queues.get(req.socket);
    const done = before === undefined ? handle(h, req, res) : before.then(() => handle(h, req, res));
    queues.set(req.socket, done);
  });
  // Long polls on /next may wait for minutes between invocations: no server-side timeouts.
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  return server;
}

/** Handles one request; resolves once the handler has been told about it (never rejects). */
async function handle(h: RuntimeApiHandlers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "";
  if (!url.startsWith(PREFIX))
    return reply(res, 404, JSON.stringify({ errorMessage: "unknown path", errorType: "InvalidPath" }));
  const rest = url.slice(PREFIX.length);
  if (req.method === "GET" && rest === "invocation/next") return h.next(res);
  if (req.method !== "POST")
    return reply(
      res,
      405,
      JSON.stringify({ errorMessage: "method not allowed", errorType: "InvalidMethod" }),
    );
  const errorType = req.headers["lambda-runtime-function-error-type"];
  const type = typeof errorType === "string" ? errorType : undefined;
  let body: Buffer | undefined;
  try {
    body = await readBody(req, LIMITS.syncResponseBytes);
  } catch {
    res.destroy();
    return;
  }
  if (rest === "init/error") {
    h.initError(type, body ?? Buffer.alloc(0));
    return reply(res, 202, ACCEPTED);
  }
  const m = /^invocation\/([^/]+)\/(response|error)$/.exec(rest);
  let requestId: string | undefined;
  try {
    if (m !== null) requestId = decodeURIComponent(m[1] ?? "");
  } catch {
    requestId = undefined;
  }
  if (m === null || requestId === undefined)
    return reply(res, 404, JSON.stringify({ errorMessage: "unknown path", errorType: "InvalidPath" }));
  if (body === undefined) {
    h.responseTooLarge(requestId);
    return reply(
      res,
      413,
      JSON.stringify({
        errorMessage: `Exceeded maximum allowed payload size (${LIMITS.syncResponseBytes} bytes).`,
        errorType: "RequestEntityTooLarge",
      }),
    );
  }
  if (m[2] === "response") h.response(requestId, body);
  else h.error(requestId, type, body);
  reply(res, 202, ACCEPTED);
}

export async function listenOnSocket(server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // The runtime runs as an unprivileged uid; only its own sandbox can see this socket.
  await chmod(path, 0o666);
}
