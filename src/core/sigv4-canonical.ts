// Signature Version 4's canonical forms that need no crypto: URI encoding, the canonical path of
// non-S3 services and the date format. Pure and free of Node's modules, so the API edge's verifier, the
// S3 signer (sigv4-sign.ts) and the console's browser signer share them.
// Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html

/** SigV4 URI encoding: every byte except RFC 3986 unreserved characters (and '/' in paths) as %XX. */
export function uriEncode(bytes: Uint8Array, keepSlash: boolean): string {
  let out = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/**
 * Non-S3 services sign the path as sent, with dot and empty segments removed, URI-encoded once more
 * (so `%3A` on the wire becomes `%253A`). This mirrors @smithy/signature-v4 `getCanonicalPath` and
 * botocore `SigV4Auth._normalize_url_path`. S3 signs the path encoded once instead (s3CanonicalUri).
 */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const s of rawPath.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") segments.pop();
    else segments.push(s);
  }
  const trailing = segments.length > 0 && rawPath.endsWith("/") ? "/" : "";
  return uriEncode(new TextEncoder().encode("/" + segments.join("/") + trailing), true);
}

/** `20260102T030405Z`: the ISO 8601 basic form SigV4 signs. */
export function formatAmzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}
