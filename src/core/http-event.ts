// Function URL translation, as pure functions: an HTTP request becomes the payload format 2.0 event
// (the shape API Gateway HTTP APIs and Lambda function URLs send), and the function's result becomes
// the HTTP response, with Lambda's rule that a result without `statusCode` is a 200 JSON body.

export interface HttpRequestLike {
  method: string;
  /** Path after the function URL's prefix, starting with "/". */
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp: string;
  urlId: string;
  domainName: string;
  requestId: string;
  now: Date;
}

export interface HttpResponseLike {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

const TEXT_TYPE = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

function isText(contentType: string | undefined, body: Buffer): boolean {
  if (body.length === 0) return true;
  if (contentType !== undefined) return TEXT_TYPE.test(contentType);
  // No content type: text when it decodes as UTF-8 without replacement characters.
  return !body.toString("utf8").includes("\uFFFD");
}

/** `10/Mar/2026:13:49:02 +0000`, the requestContext.time format. */
function clfTime(d: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()] ?? "Jan"}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function toHttpEvent(r: HttpRequestLike): Record<string, unknown> {
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [k, v] of Object.entries(r.headers)) {
    if (v === undefined) continue;
    const key = k.toLowerCase();
    if (key === "cookie") {
      cookies = (Array.isArray(v) ? v.join("; ") : v).split(/;\s*/).filter((c) => c !== "");
      continue;
    }
    headers[key] = Array.isArray(v) ? v.join(",") : v;
  }
  const query: Record<string, string> = {};
  for (const part of r.rawQueryString.split("&")) {
    if (part === "") continue;
    const [rawK = "", rawV = ""] = part.split(/=(.*)/s);
    const k = decodeURIComponent(rawK.replace(/\+/g, " "));
    const v = decodeURIComponent(rawV.replace(/\+/g, " "));
    // Repeated parameters are comma-joined, as in payload format 2.0.
    query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  }
  const text = isText(headers["content-type"], r.body);
  const event: Record<string, unknown> = {
    version: "2.0",
    routeKey: "$default",
    rawPath: r.rawPath,
    rawQueryString: r.rawQueryString,
    headers,
    requestContext: {
      accountId: "anonymous",
      apiId: r.urlId,
      domainName: r.domainName,
      domainPrefix: r.urlId,
      http: {
        method: r.method,
        path: r.rawPath,
        protocol: "HTTP/1.1",
        sourceIp: r.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: r.requestId,
      routeKey: "$default",
      stage: "$default",
      time: clfTime(r.now),
      timeEpoch: r.now.getTime(),
    },
    isBase64Encoded: !text,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (r.body.length > 0) event.body = text ? r.body.toString("utf8") : r.body.toString("base64");
  return event;
}

/** Maps a function's result to the HTTP response (Lambda's function URL response rules). */
export function fromFunctionResult(result: Buffer): HttpResponseLike {
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.toString("utf8"));
  } catch {
    return { statusCode: 200, headers: { "content-type": "application/json" }, cookies: [], body: result };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || !("statusCode" in parsed)) {
    // No statusCode: the whole result is the JSON body of a 200.
    return { statusCode: 200, headers: { "content-type": "application/json" }, cookies: [], body: result };
  }
  const r = parsed as {
    statusCode?: unknown;
    headers?: unknown;
    cookies?: unknown;
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  const headers: Record<string, string> = {};
  if (typeof r.headers === "object" && r.headers !== null) {
    for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = String(v);
  }
  const bodyText =
    r.body === undefined || r.body === null
      ? ""
      : typeof r.body === "string"
        ? r.body
        : JSON.stringify(r.body);
  const body = r.isBase64Encoded === true ? Buffer.from(bodyText, "base64") : Buffer.from(bodyText, "utf8");
  const statusCode =
    typeof r.statusCode === "number" && r.statusCode >= 100 && r.statusCode <= 599 ? r.statusCode : 500;
  headers["content-type"] ??= "application/json";
  const cookies = Array.isArray(r.cookies) ? r.cookies.map(String) : [];
  return { statusCode, headers, cookies, body };
}
