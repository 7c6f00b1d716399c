// Long requests (a deploy that builds, a runtime install) can stream their progress: a client that
// sends `Accept: application/x-ndjson` gets one JSON object per line — `{"type":"log","text":…}` as
// the work runs, then exactly one `{"type":"result","status":…,"body":…}` with what the plain request
// would have answered (status and body, errors included). The HTTP status itself is then always 200.

import type { FastifyReply, FastifyRequest } from "fastify";
import { HTTP_STATUS, errorBody, toVajraError } from "./http-errors.js";

export const NDJSON = "application/x-ndjson";

export function wantsStream(req: FastifyRequest): boolean {
  return (req.headers.accept ?? "").includes(NDJSON);
}

export interface StreamResult {
  status: number;
  body: unknown;
}

/** Runs `work`, streaming its log lines, and ends with its result (or its error) as the last line. */
export async function streamWork(
  reply: FastifyReply,
  work: (log: (text: string) => void) => Promise<StreamResult>,
): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { "content-type": NDJSON, "cache-control": "no-store" });
  const line = (obj: unknown): void => {
    if (!raw.destroyed) raw.write(JSON.stringify(obj) + "\n");
  };
  let result: StreamResult;
  try {
    result = await work((text) => line({ type: "log", text }));
  } catch (err) {
    const e = toVajraError(err);
    result = { status: HTTP_STATUS[e.code], body: errorBody(e) };
  }
  line({ type: "result", ...result });
  raw.end();
}
