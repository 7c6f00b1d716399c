// Request helpers shared by the Lambda API's routes: the JSON body, function names and qualifiers,
// pagination, and the error for options Vajra does not implement.

import type { FastifyRequest } from "fastify";
import { VajraError, invalid } from "../../core/errors.js";
import { parseFunctionName } from "./function-name.js";
import { decodeMarker, encodeMarker } from "./shapes.js";

export type FnParams = { Params: { fn: string }; Querystring: { Qualifier?: string } };

export function bodyJson(req: FastifyRequest): Record<string, unknown> {
  const raw = req.body as Buffer | undefined;
  if (raw === undefined || raw.length === 0) return {};
  try {
    const v: unknown = JSON.parse(raw.toString("utf8"));
    if (typeof v === "object" && v !== null && !Array.isArray(v))
      return withoutNulls(v as Record<string, unknown>);
  } catch {
    // fall through
  }
  throw new VajraError(
    "InvalidParameter",
    "Could not parse request body into json: the body must be a JSON object",
    {
      details: { awsType: "InvalidRequestContentException" },
    },
  );
}

/** JSON null is an absent member in AWS's deserializer (validate.ts reads it so too), at any depth. */
function withoutNulls(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null) continue;
    out[k] = typeof v === "object" && !Array.isArray(v) ? withoutNulls(v as Record<string, unknown>) : v;
  }
  return out;
}

export function unsupported(what: string): VajraError {
  return new VajraError("UnsupportedOperation", `${what} is not supported by Vajra yet`);
}

/** Maps the CreateFunction/UpdateFunctionConfiguration members Vajra implements onto a DeployInput. */

/** The function name, refusing a qualifier where the operation only applies to $LATEST. */
export function latestOnly(fn: string): string {
  const parsed = parseFunctionName(fn);
  if (parsed.qualifier !== undefined && parsed.qualifier !== "$LATEST") {
    throw invalid(`this operation applies to $LATEST only; remove the qualifier ':${parsed.qualifier}'`);
  }
  return parsed.name;
}

/** The function name and the qualifier from `Qualifier` or the `NAME:Q` form. */
export function qualified(fn: string, qualifier: string | undefined): { name: string; qualifier?: string } {
  const parsed = parseFunctionName(fn);
  const q = qualifier ?? parsed.qualifier;
  return q === undefined ? { name: parsed.name } : { name: parsed.name, qualifier: q };
}

/** Lambda's Marker/MaxItems pagination over an already ordered list (the marker is an offset). */
export function paginate(
  items: unknown[],
  marker: string | undefined,
  maxItems: string | undefined,
  key: string,
): Record<string, unknown> {
  const max = maxItems === undefined ? 50 : Number(maxItems);
  if (!Number.isInteger(max) || max < 1 || max > 10000)
    throw invalid("MaxItems must be an integer from 1 to 10000");
  const start = marker === undefined ? 0 : Number(decodeMarker(marker));
  if (!Number.isInteger(start) || start < 0) throw invalid("invalid Marker");
  const page = items.slice(start, start + max);
  const out: Record<string, unknown> = { [key]: page };
  if (start + max < items.length) out.NextMarker = encodeMarker(String(start + max));
  return out;
}
