import { test } from "node:test";
import assert from "node:assert/strict";
import { signingKey } from "../core/sigv4-sign.js";
import { decodeAwsChunked } from "./aws-chunked.js";

// The example of AWS's "Signature Calculations for the Authorization Header: Transferring Payload in
// Multiple Chunks" page: 66560 bytes of 'a' in chunks of 64 KB and 1 KB, with its published signatures.
const SIGNING = {
  seedSignature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
  signingKey: signingKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3"),
  scope: "20130524/us-east-1/s3/aws4_request",
  amzDate: "20130524T000000Z",
};
const SIGNATURES = [
  "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
  "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
  "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];

function chunked(sizes: number[], signatures?: string[]): Buffer {
  const parts = sizes.map((size, i) => {
    const ext = signatures === undefined ? "" : `;chunk-signature=${signatures[i] ?? ""}`;
    return Buffer.concat([
      Buffer.from(`${size.toString(16)}${ext}\r\n`),
      Buffer.alloc(size, "a"),
      Buffer.from("\r\n"),
    ]);
  });
  return Buffer.concat(parts);
}

test("decodes AWS's signed streaming example and checks every chunk signature", () => {
  const decoded = decodeAwsChunked(chunked([65536, 1024, 0], SIGNATURES), SIGNING);
  assert.ok(Buffer.isBuffer(decoded), String(decoded));
  assert.equal(decoded.length, 66560);
});

test("a changed chunk fails its signature", () => {
  const body = chunked([65536, 1024, 0], SIGNATURES);
  body[100] = "b".charCodeAt(0);
  assert.match(String(decodeAwsChunked(body, SIGNING)), /chunk signature/);
});

test("unsigned chunks with a checksum trailer decode to the data", () => {
  const body = Buffer.concat([chunked([5, 0]), Buffer.from("x-amz-checksum-crc32:AAAAAA==\r\n\r\n")]);
  const decoded = decodeAwsChunked(body);
  assert.ok(Buffer.isBuffer(decoded));
  assert.equal(decoded.toString(), "aaaaa");
});

test("a truncated or malformed body is refused", () => {
  assert.match(String(decodeAwsChunked(Buffer.from("zz\r\n"))), /not hex/);
  assert.match(String(decodeAwsChunked(Buffer.from("10\r\nabc"))), /longer than the body/);
  assert.match(String(decodeAwsChunked(Buffer.from("3\r\nabc"))), /not followed by CRLF/);
});
