// The Lambda API's request gate, run before every route handler: find the AWS operation the request
// is, validate it against the operation's input shape in the model table, and resolve the function it
// names, so handlers see a plain function name and one effective qualifier whatever form the client
// used (name, `name:qualifier`, partial or full ARN).

import type { FastifyRequest } from "fastify";
import type { ModelTable } from "./model-table.js";
import { LAMBDA_MODEL } from "./model-table.generated.js";
import { FUNCTION_REF_RULES, resolveFunctionRef } from "./function-ref.js";
import { validateRequest } from "./validate.js";

export interface MatchedOperation {
  name: string;
  /** URI labels by their model names, percent-decoded. */
  labels: Record<string, string>;
}

function splitPath(p: string): string[] {
  // Clients differ on trailing slashes (botocore sends `/event-source-mappings/`).
  return p.replace(/\/+$/, "").split("/");
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The operation a request is: by method and path template, and for the two pairs that share a path
 * (GetProvisionedConcurrencyConfig / ListProvisionedConcurrencyConfigs, ListLayers /
 * GetLayerVersionByArn) by the literal query parameter the model's request URI fixes.
 */
export function matchOperation(
  method: string,
  url: string,
  table: ModelTable = LAMBDA_MODEL,
): MatchedOperation | undefined {
  const q = url.indexOf("?");
  const segments = splitPath(q < 0 ? url : url.slice(0, q));
  const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
  let fallback: MatchedOperation | undefined;
  for (const [name, op] of Object.entries(table.operations)) {
    if (op.method !== method) continue;
    const t = splitPath(op.path);
    if (t.length !== segments.length) continue;
    const labels: Record<string, string> = {};
    const same = t.every((part, i) => {
      const seg = segments[i] ?? "";
      if (part.startsWith("{") && part.endsWith("}")) {
        labels[part.slice(1, -1).replace(/\+$/, "")] = decode(seg);
        return seg.length > 0;
      }
      return part === seg;
    });
    if (!same) continue;
    if (op.literalQuery === undefined) fallback ??= { name, labels };
    else if (query.get(op.literalQuery[0]) === op.literalQuery[1]) return { name, labels };
  }
  return fallback;
}

/**
 * Validates the request and rewrites its function reference in place (`params.fn` becomes the plain
 * name, `query.Qualifier` the effective qualifier). Returns the operation, or undefined for a path that
 * is no Lambda operation (the route, if any, answers it).
 */
export function checkLambdaRequest(req: FastifyRequest): string | undefined {
  const matched = matchOperation(req.method, req.url);
  if (matched === undefined) return undefined;
  const query = (req.query ?? {}) as Record<string, string | string[] | undefined>;
  validateRequest(matched.name, {
    params: matched.labels,
    query,
    headers: req.headers,
    body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
  });
  const rule = FUNCTION_REF_RULES[matched.name];
  const raw = matched.labels.FunctionName;
  if (rule === undefined || rule.location !== "uri" || raw === undefined) return matched.name;
  const given: { qualifier?: string; alias?: string } = {};
  const q = rule.qualifierKey === undefined ? undefined : query[rule.qualifierKey];
  if (typeof q === "string") given.qualifier = q;
  if (matched.labels.Name !== undefined) given.alias = matched.labels.Name;
  const ref = resolveFunctionRef(matched.name, raw, given);
  const params = req.params as Record<string, string>;
  if (typeof params.fn === "string") params.fn = ref.name;
  if (rule.qualifierKey !== undefined) {
    if (ref.qualifier === undefined) delete query[rule.qualifierKey];
    else query[rule.qualifierKey] = ref.qualifier;
  }
  return matched.name;
}
