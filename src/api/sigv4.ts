// AWS SDKs, the AWS CLI and Terraform authenticate to the Lambda API with Signature Version 4; this
// checks a request's signature exactly as AWS does (header or presigned-query form) with no I/O, so
// the API edge can map the result onto AWS's error types.
// Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html

import { createHash, timingSafeEqual } from "node:crypto";
import {
  formatAmzDate,
  hmacSha256,
  percentDecode,
  s3CanonicalUri,
  signingKey,
  uriEncode,
} from "../core/sigv4-sign.js";
import { canonicalUri } from "../core/sigv4-canonical.js";

export interface SignedRequest {
  method: string;
  /** The path exactly as received on the wire (still percent-encoded), without the query string. */
  rawPath: string;
  /** The raw query string (after '?'), as received, possibly empty. */
  rawQuery: string;
  /** Header names lower-cased; repeated headers joined with "," as Node does. */
  headers: Record<string, string | string[] | undefined>;
  /** SHA-256 hex of the raw body bytes. */
  bodySha256: string;
}
export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}
export type SigV4ErrorType =
  | "MissingAuthenticationTokenException"
  | "IncompleteSignatureException"
  | "InvalidSignatureException"
  | "UnrecognizedClientException";
/** What a signed aws-chunked body's chunk signatures chain from (S3 STREAMING-AWS4-HMAC-SHA256-PAYLOAD). */
export interface ChunkSigning {
  seedSignature: string;
  signingKey: Buffer;
  /** `<date>/<region>/<service>/aws4_request` */
  scope: string;
  amzDate: string;
}
export type SigV4Result =
  | {
      ok: true;
      accessKeyId: string;
      region: string;
      service: string;
      /** S3 only: the body is aws-chunked; for signed chunks, how to check them. */
      streaming?: { signed: false } | { signed: true; chunks: ChunkSigning };
    }
  | { ok: false; errorType: SigV4ErrorType; message: string };

const ALGORITHM = "AWS4-HMAC-SHA256";
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const STREAMING_PAYLOADS = [
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
];
const MAX_SKEW_MS = 5 * 60 * 1000;
const MAX_PRESIGN_EXPIRES_S = 7 * 24 * 60 * 60;
// In the order claimFrom takes them after the algorithm.
const PRESIGN_PARAMS = "Algorithm Credential SignedHeaders Signature Date Expires"
  .split(" ")
  .map((p) => `X-Amz-${p}`);
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** What the Authorization header or the X-Amz-* query parameters claim. */
interface Claim {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  /** Presigned URLs only: validity in seconds from amzDate. */
  expiresS?: number;
}
interface QueryParam {
  key: string;
  value: string;
  encodedKey: string;
  encodedValue: string;
}

function fail(errorType: SigV4ErrorType, message: string): SigV4Result {
  return { ok: false, errorType, message };
}
const incomplete = (message: string) => fail("IncompleteSignatureException", message);
const invalid = (message: string) => fail("InvalidSignatureException", message);

function headerValue(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

function parseQuery(rawQuery: string): QueryParam[] {
  return rawQuery
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const k = percentDecode(eq < 0 ? pair : pair.slice(0, eq));
      const v = percentDecode(eq < 0 ? "" : pair.slice(eq + 1));
      return {
        key: k.toString("utf8"),
        value: v.toString("utf8"),
        encodedKey: uriEncode(k, false),
        encodedValue: uriEncode(v, false),
      };
    });
}

/** Sorted by encoded key then value; the signature itself is never part of what it signs. */
function canonicalQuery(params: QueryParam[]): string {
  return params
    .filter((p) => p.key.toLowerCase() !== "x-amz-signature")
    .map((p) => [p.encodedKey, p.encodedValue] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function parseAmzDate(s: string): Date | undefined {
  const m = AMZ_DATE.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  return formatAmzDate(date) === s ? date : undefined; // rejects 20261340T...
}

type Scope = Pick<Claim, "accessKeyId" | "scopeDate" | "region" | "service">;

/** Returns the scope, or what is wrong with it. */
function parseCredential(credential: string): Scope | string {
  const parts = credential.split("/");
  const [accessKeyId, scopeDate, region, service, terminator] = parts;
  if (parts.length !== 5 || !accessKeyId || !scopeDate || !region || !service || terminator === undefined) {
    return `Credential must have the form <AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request, got '${credential}'.`;
  }
  if (terminator !== "aws4_request") {
    return `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`;
  }
  if (!/^\d{8}$/.test(scopeDate))
    return `Credential should be scoped to a valid date (YYYYMMDD), not '${scopeDate}'.`;
  return { accessKeyId, scopeDate, region, service };
}

function claimFromHeader(req: SignedRequest, authorization: string): Claim | SigV4Result {
  const m = /^(\S+)\s*(.*)$/s.exec(authorization.trim());
  if (m?.[1] !== ALGORITHM) {
    return incomplete(`Unsupported authorization type; expected '${ALGORITHM}'.`);
  }
  const fields = new Map<string, string>();
  for (const part of (m[2] ?? "").split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  // AWS lists every missing piece at once, e.g. "Authorization header requires 'Signature' parameter."
  const missing = ["Credential", "Signature", "SignedHeaders"]
    .filter((f) => !fields.get(f))
    .map((f) => `Authorization header requires '${f}' parameter.`);
  const amzDate = headerValue(req, "x-amz-date") ?? dateHeaderAsAmzDate(req);
  if (amzDate === undefined) {
    missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (missing.length > 0) return incomplete(missing.join(" "));
  return claimFrom(fields.get("Credential"), fields.get("SignedHeaders"), fields.get("Signature"), amzDate);
}

/** A plain `Date` header (RFC 7231) may stand in for X-Amz-Date; it signs in the basic ISO form. */
function dateHeaderAsAmzDate(req: SignedRequest): string | undefined {
  const date = headerValue(req, "date");
  if (date === undefined) return undefined;
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? date : formatAmzDate(new Date(ms));
}

function claimFromQuery(params: QueryParam[]): Claim | SigV4Result {
  const get = (k: string): string | undefined => params.find((p) => p.key === k)?.value;
  const missing = PRESIGN_PARAMS.filter((k) => !get(k));
  if (missing.length > 0) {
    const msg = missing.map((k) => `AWS query-string parameters must include '${k}'.`).join(" ");
    return incomplete(`${msg} Re-examine the query-string parameters.`);
  }
  if (get("X-Amz-Algorithm") !== ALGORITHM)
    return incomplete(`X-Amz-Algorithm only supports '${ALGORITHM}'.`);
  const expires = get("X-Amz-Expires") ?? "";
  if (!/^\d{1,7}$/.test(expires) || Number(expires) > MAX_PRESIGN_EXPIRES_S) {
    return incomplete(`X-Amz-Expires must be a whole number of seconds, at most ${MAX_PRESIGN_EXPIRES_S}.`);
  }
  const [credential, signedHeaders, signature, amzDate] = PRESIGN_PARAMS.slice(1).map(get);
  const claim = claimFrom(credential, signedHeaders, signature, amzDate);
  return "ok" in claim ? claim : { ...claim, expiresS: Number(expires) };
}

function claimFrom(credential = "", signedHeaders = "", signature = "", amzDate = ""): Claim | SigV4Result {
  const scope = parseCredential(credential);
  if (typeof scope === "string") return incomplete(scope);
  const headers = signedHeaders.split(";");
  if (!headers.includes("host")) {
    return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  return { ...scope, signedHeaders: headers, signature, amzDate };
}

/** Returns undefined when the request time is acceptable, else AWS's "Signature expired" wording. */
function checkTime(claim: Claim, now: Date): SigV4Result | undefined {
  const { amzDate, scopeDate, expiresS } = claim;
  const at = parseAmzDate(amzDate)?.getTime();
  const iso = "See http://en.wikipedia.org/wiki/ISO_8601";
  if (at === undefined)
    return incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'. ${iso}`);
  if (scopeDate !== amzDate.slice(0, 8)) {
    const why = `'${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`;
    return invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ${why}`,
    );
  }
  const t = now.getTime();
  const fmt = (ms: number) => formatAmzDate(new Date(ms));
  if (at - t > MAX_SKEW_MS) {
    const limit = `${fmt(t + MAX_SKEW_MS)} (${fmt(t)} + 5 min.)`;
    return invalid(`Signature not yet current: ${amzDate} is still later than ${limit}`);
  }
  if (expiresS !== undefined && at + expiresS * 1000 < t) {
    const expiry = fmt(at + expiresS * 1000);
    return invalid(
      `Signature expired: ${expiry} is now earlier than ${fmt(t)} (${amzDate} + ${expiresS} sec.)`,
    );
  }
  if (expiresS === undefined && t - at > MAX_SKEW_MS) {
    const limit = `${fmt(t - MAX_SKEW_MS)} (${fmt(t)} - 5 min.)`;
    return invalid(`Signature expired: ${amzDate} is now earlier than ${limit}`);
  }
  return undefined;
}

function canonicalRequest(
  req: SignedRequest,
  params: QueryParam[],
  claim: Claim,
  payloadHash: string,
  s3: boolean,
): string {
  const headers = claim.signedHeaders.map(
    (h) => `${h}:${(headerValue(req, h) ?? "").replace(/[ \t\r\n]+/g, " ").trim()}\n`,
  );
  const path = s3 ? s3CanonicalUri(req.rawPath) : canonicalUri(req.rawPath);
  const signed = claim.signedHeaders.join(";");
  return [req.method, path, canonicalQuery(params), headers.join(""), signed, payloadHash].join("\n");
}

/** HMAC of the string to sign with the derived key, as hex. */
function signatureOf(claim: Claim, secret: string, canonical: string): string {
  const scope = `${claim.scopeDate}/${claim.region}/${claim.service}/aws4_request`;
  const hashed = createHash("sha256").update(canonical, "utf8").digest("hex");
  const key = signingKey(secret, claim.scopeDate, claim.region, claim.service);
  return hmacSha256(key, `${ALGORITHM}\n${claim.amzDate}\n${scope}\n${hashed}`).toString("hex");
}

function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(provided, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Verifies a SigV4-signed request. Any region is accepted; the caller checks `service` if it cares.
 * `lookup` returns the secret for an access key id, or undefined when the key is unknown.
 */
export function verifySigV4(
  req: SignedRequest,
  lookup: (accessKeyId: string) => SigV4Credentials | undefined,
  now: Date = new Date(),
  /** S3's rules: the path encoded once, and aws-chunked (STREAMING-*) payloads. */
  opts: { s3?: boolean } = {},
): SigV4Result {
  const s3 = opts.s3 === true;
  const params = parseQuery(req.rawQuery);
  const authorization = headerValue(req, "authorization");
  const presigned = params.some((p) => PRESIGN_PARAMS.slice(0, 4).includes(p.key));
  if (!authorization && !presigned) {
    return fail("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  if (authorization && presigned) {
    const both = "only the X-Amz-Algorithm query parameter or the Authorization header should be specified.";
    return incomplete(`Only one auth mechanism allowed; ${both}`);
  }
  const claim = authorization ? claimFromHeader(req, authorization) : claimFromQuery(params);
  if ("ok" in claim) return claim;
  const timeError = checkTime(claim, now);
  if (timeError !== undefined) return timeError;
  const credentials = lookup(claim.accessKeyId);
  if (credentials === undefined) {
    return fail("UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  // The payload hash is whatever the client declared (and then it must be the real one, unless it is
  // UNSIGNED-PAYLOAD); botocore declares nothing and signs the real hash. A presigned URL declares
  // nothing either and was signed with the body hash or, S3-style, with UNSIGNED-PAYLOAD.
  const declared =
    headerValue(req, "x-amz-content-sha256") ??
    (presigned ? params.find((p) => p.key.toLowerCase() === "x-amz-content-sha256")?.value : undefined);
  const real = req.bodySha256.toLowerCase();
  // An aws-chunked body is signed as the literal STREAMING-* string; its chunks are checked as read.
  const streaming = s3 && declared?.startsWith("STREAMING-") === true;
  if (streaming && !STREAMING_PAYLOADS.includes(declared ?? "")) {
    return invalid(`x-amz-content-sha256 '${declared ?? ""}' is not a payload signing mode Vajra supports.`);
  }
  if (
    !streaming &&
    declared !== undefined &&
    declared !== UNSIGNED_PAYLOAD &&
    declared.toLowerCase() !== real
  ) {
    return invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const candidates =
    declared !== undefined ? [declared] : presigned ? [req.bodySha256, UNSIGNED_PAYLOAD] : [req.bodySha256];
  const matched = candidates.some((hash) =>
    sameSignature(
      signatureOf(claim, credentials.secretAccessKey, canonicalRequest(req, params, claim, hash, s3)),
      claim.signature,
    ),
  );
  if (!matched) return invalid(MISMATCH);
  const ok = {
    ok: true as const,
    accessKeyId: claim.accessKeyId,
    region: claim.region,
    service: claim.service,
  };
  if (!streaming) return ok;
  if (declared?.startsWith("STREAMING-UNSIGNED") === true) return { ...ok, streaming: { signed: false } };
  const chunks: ChunkSigning = {
    seedSignature: claim.signature,
    signingKey: signingKey(credentials.secretAccessKey, claim.scopeDate, claim.region, claim.service),
    scope: `${claim.scopeDate}/${claim.region}/${claim.service}/aws4_request`,
    amzDate: claim.amzDate,
  };
  return { ...ok, streaming: { signed: true, chunks } };
}
