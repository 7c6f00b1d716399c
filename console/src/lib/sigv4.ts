// Signature Version 4 in the browser, for the one request that trades an access key pair for a console
// session (POST /sessions): WebCrypto's HMAC-SHA256 and SHA-256, no library. It signs exactly what the
// server's verifier (src/api/sigv4.ts) checks: method, normalised path, sorted query, the signed headers
// and the body's hash. The browser sets Host itself, so `host` is signed with the URL's host.
// Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html

export interface SigV4SignInput {
  method: string;
  /** Absolute URL of the request (its host is signed as `host`). */
  url: string;
  /** Extra headers to sign and send (names in any case). */
  headers?: Record<string, string>;
  body: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  now: Date;
}

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(data: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(data)));
}

async function hmac(key: Uint8Array<ArrayBuffer>, data: string): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(data)));
}

/** `20260102T030405Z`: the ISO 8601 basic form SigV4 signs. */
export function amzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

/** Every byte but RFC 3986's unreserved characters (and '/' when asked) as %XX. */
function uriEncode(s: string, keepSlash: boolean): string {
  let out = "";
  for (const b of encoder.encode(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** Non-S3 services: dot segments and empty segments removed, the wire path encoded once more. */
export function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const s of rawPath.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") segments.pop();
    else segments.push(s);
  }
  const trailing = segments.length > 0 && rawPath.endsWith("/") ? "/" : "";
  return uriEncode("/" + segments.join("/") + trailing, true);
}

function canonicalQuery(rawQuery: string): string {
  return rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const eq = p.indexOf("=");
      const dec = (s: string): string => decodeURIComponent(s);
      return [
        uriEncode(dec(eq < 0 ? p : p.slice(0, eq)), false),
        uriEncode(dec(eq < 0 ? "" : p.slice(eq + 1)), false),
      ] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/**
 * The headers that sign the request: `x-amz-date` and `authorization`, plus the caller's own. Send them
 * all (`host` is left out: the browser sets it to the same value). The body's hash is signed but not
 * sent, as botocore does: the server hashes the body it received.
 */
export async function signRequest(input: SigV4SignInput): Promise<Record<string, string>> {
  const url = new URL(input.url);
  const date = amzDate(input.now);
  const scopeDate = date.slice(0, 8);
  const payloadHash = await sha256Hex(input.body);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
  headers.host = url.host;
  headers["x-amz-date"] = date;
  const names = Object.keys(headers).sort();
  const canonical = [
    input.method.toUpperCase(),
    canonicalPath(url.pathname),
    canonicalQuery(url.search.replace(/^\?/, "")),
    names.map((n) => `${n}:${(headers[n] ?? "").replace(/\s+/g, " ").trim()}\n`).join(""),
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${scopeDate}/${input.region}/${input.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", date, scope, await sha256Hex(canonical)].join("\n");
  let key = await hmac(encoder.encode("AWS4" + input.secretAccessKey), scopeDate);
  for (const part of [input.region, input.service, "aws4_request"]) key = await hmac(key, part);
  const signature = hex((await hmac(key, toSign)).buffer);
  // The browser sets Host itself (it is a forbidden header name for fetch).
  const send = Object.fromEntries(Object.entries(headers).filter(([n]) => n !== "host"));
  return {
    ...send,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
}
