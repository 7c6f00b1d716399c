// Decoding of S3's aws-chunked bodies (`Content-Encoding: aws-chunked`), which AWS SDKs send for
// streaming uploads: `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` ... a zero-size chunk, then
// optional trailers. Signed chunks chain from the request's signature and are all checked.
// Spec: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html

import { hmacSha256, sha256Hex } from "../core/sigv4-sign.js";
import type { ChunkSigning } from "./sigv4.js";

const EMPTY_SHA256 = sha256Hex("");

/** The decoded payload, or what is wrong with the encoding or a signature. */
export function decodeAwsChunked(body: Buffer, signing?: ChunkSigning): Buffer | string {
  const out: Buffer[] = [];
  let pos = 0;
  let previous = signing?.seedSignature ?? "";
  for (let chunks = 0; chunks <= body.length; chunks++) {
    const eol = body.indexOf("\r\n", pos, "latin1");
    if (eol < 0) return "an aws-chunked chunk header is not terminated by CRLF";
    const header = body.subarray(pos, eol).toString("latin1");
    const [sizeHex = "", ...exts] = header.split(";");
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeHex)) return `an aws-chunked chunk size is not hex: '${sizeHex}'`;
    const size = parseInt(sizeHex, 16);
    const start = eol + 2;
    if (start + size > body.length) return "an aws-chunked chunk is longer than the body";
    const data = body.subarray(start, start + size);
    if (signing !== undefined) {
      const claimed = exts.find((e) => e.startsWith("chunk-signature="))?.slice("chunk-signature=".length);
      const toSign = [
        "AWS4-HMAC-SHA256-PAYLOAD",
        signing.amzDate,
        signing.scope,
        previous,
        EMPTY_SHA256,
        sha256Hex(data),
      ].join("\n");
      const expected = hmacSha256(signing.signingKey, toSign).toString("hex");
      if (claimed !== expected)
        return "The chunk signature we calculated does not match the one you provided.";
      previous = expected;
    }
    if (size === 0) return Buffer.concat(out); // trailers (checksums) may follow; the data is complete
    out.push(data);
    pos = start + size;
    if (body.subarray(pos, pos + 2).toString("latin1") !== "\r\n")
      return "an aws-chunked chunk is not followed by CRLF";
    pos += 2;
  }
  return "the aws-chunked body has no final chunk";
}
