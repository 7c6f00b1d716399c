// Validates a Lambda API request against the AWS model's input shape for its operation before any
// handler runs, the way Lambda's front end does: a value of the wrong JSON type is a
// SerializationException (the body could not be read as the shape), and a value that reads but breaks
// a constraint (required, length, range, pattern, enum) is a ValidationException listing every
// violation as "Value 'v' at 'member' failed to satisfy constraint: ...". One table, every operation.

import { VajraError } from "../../core/errors.js";
import type { MemberDef, ModelTable, ShapeDef } from "./model-table.js";
import { LAMBDA_MODEL } from "./model-table.generated.js";

/** The parts of an HTTP request that carry an operation's input members. */
export interface RequestParts {
  /** URI labels, already percent-decoded by the router. */
  params: Record<string, string | undefined>;
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Enums Lambda checks itself rather than in the model validator: `Runtime` answers
 * InvalidParameterValueException from the service (the engine's runtime catalog does that here, and it
 * also knows Vajra's own ids such as `go1.21` that the AWS enum lacks).
 */
const SERVICE_CHECKED_ENUMS = new Set(["Runtime"]);

const regexCache = new Map<string, RegExp>();

/**
 * Members whose pattern Vajra widens (the engine checks them): an event source mapping's source, and
 * destinations (async and mapping DestinationConfig, DeadLetterConfig), which may be broker or webhook URIs.
 */
const PATTERN_EXEMPT = new Set([
  "eventSourceArn",
  "destinationConfig.onSuccess.destination",
  "destinationConfig.onFailure.destination",
  "deadLetterConfig.targetArn",
]);

/** The model's patterns are Java regular expressions that must match the whole value. */
function fullMatch(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`, "u");
    regexCache.set(pattern, re);
  }
  return re;
}

/** Coral's member paths are lowerCamelCase (`memorySize`, `environment.variables`). */
function camel(member: string): string {
  return member.length === 0 ? member : (member[0] as string).toLowerCase() + member.slice(1);
}

function serialization(path: string, expected: string, got: unknown): VajraError {
  const kind = got === null ? "null" : Array.isArray(got) ? "array" : typeof got;
  return new VajraError(
    "SerializationFailed",
    `Could not read the request: ${path} must be ${expected}, got a JSON ${kind}`,
    { details: { field: path } },
  );
}

class Walker {
  readonly violations: string[] = [];

  constructor(private readonly table: ModelTable) {}

  shape(name: string): ShapeDef {
    const s = this.table.shapes[name];
    // The generator includes every shape an input reaches, so a miss is a broken table.
    if (s === undefined) throw new VajraError("Internal", `model table has no shape ${name}`);
    return s;
  }

  private violate(shape: ShapeDef, path: string, value: unknown, constraint: string): void {
    const shown =
      shape.sensitive === true
        ? "Value"
        : `Value '${typeof value === "string" ? value : JSON.stringify(value)}'`;
    this.violations.push(`${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /** Type-checks (throwing SerializationFailed) and collects constraint violations. */
  value(shapeName: string, value: unknown, path: string, jsonPath: string): void {
    const s = this.shape(shapeName);
    switch (s.type) {
      case "structure":
        if (typeof value !== "object" || value === null || Array.isArray(value))
          throw serialization(jsonPath, "a JSON object (structure)", value);
        this.structure(s, value as Record<string, unknown>, path, jsonPath, false);
        return;
      case "list":
        if (!Array.isArray(value)) throw serialization(jsonPath, "a JSON array (list)", value);
        this.size(s, path, value, value.length, "length");
        value.forEach((v, i) => {
          if (v !== null) this.value(s.member ?? "", v, `${path}.${i + 1}.member`, `${jsonPath}[${i}]`);
        });
        return;
      case "map": {
        if (typeof value !== "object" || value === null || Array.isArray(value))
          throw serialization(jsonPath, "a JSON object (map)", value);
        const entries = Object.entries(value as Record<string, unknown>);
        this.size(s, path, value, entries.length, "length");
        for (const [k, v] of entries) {
          this.value(s.key ?? "", k, `${path}.key`, `${jsonPath}.${k}`);
          if (v !== null) this.value(s.value ?? "", v, `${path}.${k}`, `${jsonPath}.${k}`);
        }
        return;
      }
      case "string":
        if (typeof value !== "string") throw serialization(jsonPath, "a string", value);
        this.string(shapeName, s, value, path);
        return;
      case "blob":
        // rest-json carries a blob member as base64 text.
        if (typeof value !== "string") throw serialization(jsonPath, "a base64 string (blob)", value);
        this.size(s, path, value, Math.floor((value.replace(/=+$/, "").length * 3) / 4), "length");
        return;
      case "boolean":
        if (typeof value !== "boolean") throw serialization(jsonPath, "true or false", value);
        return;
      case "integer":
      case "long":
        if (typeof value !== "number" || !Number.isInteger(value))
          throw serialization(jsonPath, "an integer", value);
        this.range(s, path, value);
        return;
      case "double":
      case "float":
        if (typeof value !== "number") throw serialization(jsonPath, "a number", value);
        this.range(s, path, value);
        return;
      case "timestamp":
        if (typeof value !== "number" && typeof value !== "string")
          throw serialization(jsonPath, "a timestamp (epoch seconds or ISO 8601 text)", value);
        return;
    }
  }

  structure(
    s: ShapeDef,
    obj: Record<string, unknown>,
    path: string,
    jsonPath: string,
    bodyOnly: boolean,
  ): void {
    for (const [name, m] of Object.entries(s.members ?? {})) {
      if (bodyOnly && (m.location !== undefined || name === s.payload)) continue;
      const v = obj[name];
      // JSON null is an absent member, as in AWS's deserializer.
      if (v === undefined || v === null) continue;
      const child = path === "" ? camel(name) : `${path}.${camel(name)}`;
      const jsonChild = jsonPath === "" ? name : `${jsonPath}.${name}`;
      this.value(m.shape, v, child, jsonChild);
    }
    this.required(s, obj, path, bodyOnly);
  }

  required(s: ShapeDef, obj: Record<string, unknown>, path: string, bodyOnly: boolean): void {
    for (const name of s.required ?? []) {
      const m = s.members?.[name];
      if (m === undefined || (bodyOnly && m.location !== undefined)) continue;
      if (obj[name] === undefined || obj[name] === null) {
        const at = path === "" ? camel(name) : `${path}.${camel(name)}`;
        this.violations.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      }
    }
  }

  string(shapeName: string, s: ShapeDef, v: string, path: string): void {
    this.size(s, path, v, [...v].length, "length");
    if (s.pattern !== undefined && !PATTERN_EXEMPT.has(path) && !fullMatch(s.pattern).test(v))
      this.violate(s, path, v, `Member must satisfy regular expression pattern: ${s.pattern}`);
    if (s.enum !== undefined && !SERVICE_CHECKED_ENUMS.has(shapeName) && !s.enum.includes(v))
      this.violate(s, path, v, `Member must satisfy enum value set: [${s.enum.join(", ")}]`);
  }

  size(s: ShapeDef, path: string, value: unknown, n: number, what: string): void {
    if (s.min !== undefined && n < s.min)
      this.violate(s, path, value, `Member must have ${what} greater than or equal to ${s.min}`);
    if (s.max !== undefined && n > s.max)
      this.violate(s, path, value, `Member must have ${what} less than or equal to ${s.max}`);
  }

  range(s: ShapeDef, path: string, n: number): void {
    // Java prints a double bound as `1.0`, an integer one as `1`.
    const show = (b: number): string =>
      (s.type === "double" || s.type === "float") && Number.isInteger(b) ? b.toFixed(1) : String(b);
    if (s.min !== undefined && n < s.min)
      this.violate(s, path, n, `Member must have value greater than or equal to ${show(s.min)}`);
    if (s.max !== undefined && n > s.max)
      this.violate(s, path, n, `Member must have value less than or equal to ${show(s.max)}`);
  }

  /** A URI, query or header member: text on the wire, read as its shape's type. */
  scalar(m: MemberDef, name: string, text: string): void {
    const s = this.shape(m.shape);
    const path = camel(name);
    if (s.type === "integer" || s.type === "long") {
      if (!/^-?\d+$/.test(text)) {
        this.violations.push(
          `Value '${text}' at '${path}' failed to satisfy constraint: Member must be an integer`,
        );
        return;
      }
      this.range(s, path, Number(text));
    } else if (s.type === "boolean") {
      if (text !== "true" && text !== "false")
        this.violations.push(
          `Value '${text}' at '${path}' failed to satisfy constraint: Member must be true or false`,
        );
    } else if (s.type === "string") {
      this.string(m.shape, s, text, path);
    }
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The JSON body of an operation whose input has body members, refused as Lambda refuses it. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let v: unknown;
  let why = "the body must be a JSON object";
  try {
    v = JSON.parse(body.toString("utf8"));
  } catch (err) {
    why = (err as Error).message;
  }
  if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new VajraError("InvalidParameter", `Could not parse request body into json: ${why}`, {
    details: { awsType: "InvalidRequestContentException" },
  });
}

/**
 * Checks every input member of `operation` that the request carries, and the required ones it does
 * not. Throws SerializationFailed for a wrongly typed body member, ValidationFailed listing every
 * constraint violation; returns the parsed JSON body (empty when the operation has none).
 */
export function validateRequest(
  operation: string,
  req: RequestParts,
  table: ModelTable = LAMBDA_MODEL,
): Record<string, unknown> {
  const op = table.operations[operation];
  if (op?.input === undefined) return {};
  const walker = new Walker(table);
  const input = walker.shape(op.input);
  const members = Object.entries(input.members ?? {});
  const hasBody = members.some(([n, m]) => m.location === undefined && n !== input.payload);
  const body = hasBody ? parseJsonBody(req.body) : {};
  const wire: Record<string, unknown> = { ...body };
  for (const [name, m] of members) {
    if (m.location === undefined) continue;
    const key = m.locationName ?? name;
    const text =
      m.location === "uri"
        ? req.params[key]
        : m.location === "querystring"
          ? first(req.query[key])
          : first(req.headers[key.toLowerCase()]);
    if (text === undefined) continue;
    wire[name] = text;
    walker.scalar(m, name, text);
  }
  if (input.payload !== undefined && req.body.length > 0) wire[input.payload] = true;
  walker.structure(input, body, "", "", true);
  // Required URI/query/header members: the router guarantees labels, so only query and headers matter.
  walker.required(
    { ...input, required: (input.required ?? []).filter((n) => input.members?.[n]?.location !== undefined) },
    wire,
    "",
    false,
  );
  const v = walker.violations;
  if (v.length > 0) {
    throw new VajraError(
      "ValidationFailed",
      `${v.length} validation error${v.length === 1 ? "" : "s"} detected: ${v.join("; ")}`,
    );
  }
  return body;
}
