// Signature Version 4 signing: the key derivation and canonical forms the API edge verifies with, and
// a signer for Vajra's own outgoing requests (fetching function code from an S3-compatible store).
// Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html

import { createHash, createHmac } from "node:crypto";
import { formatAmzDate, uriEncode } from "./sigv4-canonical.js";

export { formatAmzDate, uriEncode };

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";

export function hmacSha256(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** kDate → kRegion → kService → kSigning. */
export function signingKey(secret: string, scopeDate: string, region: string, service: string): Buffer {
  let key = hmacSha256("AWS4" + secret, scopeDate);
  for (const part of [region, service, "aws4_request"]) key = hmacSha256(key, part);
  return key;
}

/** Decodes %XX escapes to bytes and leaves anything else (including a stray '%' or '+') literal. */
export function percentDecode(s: string): Buffer {
  const parts = s.split(/(%[0-9A-Fa-f]{2})/);
  return Buffer.concat(
    parts.map((p, i) => (i % 2 === 1 ? Buffer.from([parseInt(p.slice(1), 16)]) : Buffer.from(p, "utf8"))),
  );
}

/** S3 signs the path as it is, encoded exactly once and never normalized. */
export function s3CanonicalUri(rawPath: string): string {
  return uriEncode(percentDecode(rawPath), true);
}

export interface S3SignInput {
  method: string;
  url: URL;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  now?: Date;
}

/**
 * The headers that sign a body-less S3 request (GET/HEAD): host, x-amz-date, x-amz-content-sha256 and
 * the Authorization header, as the AWS SDKs send them.
 */
export function signS3Request(input: S3SignInput): Record<string, string> {
  const amzDate = formatAmzDate(input.now ?? new Date());
  const scopeDate = amzDate.slice(0, 8);
  const payloadHash = sha256Hex("");
  const headers: Record<string, string> = {
    host: input.url.host,
    "x-amz-content-sha256": payloadHash,
    "x-amz-date": amzDate,
  };
  const names = Object.keys(headers).sort();
  const query = [...input.url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(Buffer.from(k), false), uriEncode(Buffer.from(v), false)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonical = [
    input.method,
    s3CanonicalUri(input.url.pathname),
    query,
    names.map((n) => `${n}:${headers[n] ?? ""}\n`).join(""),
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${scopeDate}/${input.region}/s3/aws4_request`;
  const toSign = `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  const key = signingKey(input.secretAccessKey, scopeDate, input.region, "s3");
  const signature = hmacSha256(key, toSign).toString("hex");
  return {
    ...headers,
    authorization: `${SIGV4_ALGORITHM} Credential=${input.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
}
