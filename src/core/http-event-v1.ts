// Payload format 1.0 (API Gateway REST API proxy integration), as pure functions: the request event
// with its single- and multi-value headers and query parameters, and the strict mapping of the
// function's result (a malformed result is the integration's failure: 502).

export interface V1Request {
  method: string;
  /** The request path, without the query string. */
  path: string;
  rawQueryString: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The route's path (`/users/{id}`), or `$default`. */
  resource: string;
  pathParameters: Record<string, string>;
  sourceIp: string;
  accountId: string;
  apiId: string;
  domainName: string;
  requestId: string;
  now: Date;
}

export interface V1Response {
  statusCode: number;
  /** Header name to its values (multiValueHeaders merged with headers). */
  headers: Record<string, string[]>;
  body: Buffer;
}

const TEXT_TYPE = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** `04/Dec/2026:12:00:00 +0000`, the requestContext.requestTime format. */
function clfTime(d: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()] ?? "Jan"}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function toV1Event(r: V1Request): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(r.headers)) {
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [v];
    multiValueHeaders[k] = values;
    // The single-value map holds the last value, as REST APIs do.
    headers[k] = values[values.length - 1] ?? "";
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const part of r.rawQueryString.split("&")) {
    if (part === "") continue;
    const [rawK = "", rawV = ""] = part.split(/=(.*)/s);
    const k = decode(rawK);
    const v = decode(rawV);
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const contentType = headers["content-type"] ?? headers["Content-Type"];
  const text =
    r.body.length === 0 ||
    (contentType !== undefined ? TEXT_TYPE.test(contentType) : !r.body.toString("utf8").includes("\uFFFD"));
  const hasQuery = Object.keys(query).length > 0;
  const hasParams = Object.keys(r.pathParameters).length > 0;
  const userAgent = headers["user-agent"] ?? null;
  return {
    version: "1.0",
    resource: r.resource,
    path: r.path,
    httpMethod: r.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: hasParams ? r.pathParameters : null,
    stageVariables: null,
    requestContext: {
      accountId: r.accountId,
      apiId: r.apiId,
      domainName: r.domainName,
      domainPrefix: r.domainName.split(".")[0] ?? r.domainName,
      extendedRequestId: r.requestId,
      httpMethod: r.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: r.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
      path: r.path,
      protocol: "HTTP/1.1",
      requestId: r.requestId,
      requestTime: clfTime(r.now),
      requestTimeEpoch: r.now.getTime(),
      resourceId: r.resource,
      resourcePath: r.resource,
      stage: "$default",
    },
    body: r.body.length === 0 ? null : text ? r.body.toString("utf8") : r.body.toString("base64"),
    isBase64Encoded: !text,
  };
}

/**
 * Maps a format 1.0 result: an object with a numeric `statusCode`, optional string-valued `headers`,
 * `multiValueHeaders` of string arrays, a string `body` and a boolean `isBase64Encoded`. Anything else
 * is undefined: the caller answers 502.
 */
export function fromV1Result(result: Buffer): V1Response | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const r = parsed as Record<string, unknown>;
  const status = r.statusCode;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599)
    return undefined;
  const headers: Record<string, string[]> = {};
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== "object" || Array.isArray(r.headers)) return undefined;
    for (const [k, v] of Object.entries(r.headers)) {
      if (typeof v === "object" && v !== null) return undefined;
      headers[k.toLowerCase()] = [String(v)];
    }
  }
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    if (typeof r.multiValueHeaders !== "object" || Array.isArray(r.multiValueHeaders)) return undefined;
    for (const [k, v] of Object.entries(r.multiValueHeaders)) {
      if (!Array.isArray(v)) return undefined;
      // multiValueHeaders win over headers of the same name, as in API Gateway.
      headers[k.toLowerCase()] = v.map(String);
    }
  }
  if (r.body !== undefined && r.body !== null && typeof r.body !== "string") return undefined;
  if (r.isBase64Encoded !== undefined && typeof r.isBase64Encoded !== "boolean") return undefined;
  const text = typeof r.body === "string" ? r.body : "";
  const body = r.isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text, "utf8");
  headers["content-type"] ??= ["application/json"];
  return { statusCode: status, headers, body };
}
