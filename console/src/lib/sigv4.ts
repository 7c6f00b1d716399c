// Signature Version 4 in the browser, for the one request that trades an access key pair for a console
// session (POST /sessions): WebCrypto's HMAC-SHA256 and SHA-256, no library. It signs exactly what the
// server's verifier (src/api/sigv4.ts) checks: method, normalised path, sorted query, the signed headers
// and the body's hash. The browser sets Host itself, so `host` is signed with the URL's host.
// Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html

import { canonicalUri, formatAmzDate, uriEncode } from "../../../src/core/sigv4-canonical.js";

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

export { formatAmzDate as amzDate, canonicalUri as canonicalPath };

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

function canonicalQuery(rawQuery: string): string {
  return rawQuery
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const eq = p.indexOf("=");
      const dec = (s: string): string => decodeURIComponent(s);
      return [
        uriEncode(encoder.encode(dec(eq < 0 ? p : p.slice(0, eq))), false),
        uriEncode(encoder.encode(dec(eq < 0 ? "" : p.slice(eq + 1))), false),
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
  const date = formatAmzDate(input.now);
  const scopeDate = date.slice(0, 8);
  const payloadHash = await sha256Hex(input.body);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
  headers.host = url.host;
  headers["x-amz-date"] = date;
  const names = Object.keys(headers).sort();
  const canonical = [
    input.method.toUpperCase(),
    canonicalUri(url.pathname),
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
