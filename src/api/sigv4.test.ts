// Signs requests with real SigV4 signers (@smithy/signature-v4 as the JS SDK uses it, and botocore when
// the system Python has it) and checks verifySigV4 accepts exactly those and rejects tampered ones.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { test } from "node:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { verifySigV4, type SigV4Result, type SignedRequest } from "./sigv4.js";

const NOW = new Date("2026-01-01T00:00:00Z");
const CREDS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const lookup = (id: string) => (id === CREDS.accessKeyId ? CREDS : undefined);
const ARN_PATH = "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Amy-fn";
const MISMATCH = /^The request signature we calculated does not match/;
type Query = Record<string, string | string[]>;
type Signed = SignedRequest & { headers: Record<string, string> };

interface SignOptions {
  method?: string;
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** false = botocore style: no x-amz-content-sha256 header. */
  contentSha?: boolean;
  sessionToken?: string;
  uriEscapePath?: boolean;
  unsignable?: string[];
  presignSeconds?: number;
  region?: string;
}

const sha256Hex = (b: string | Uint8Array) => createHash("sha256").update(b).digest("hex");
// The JS SDK's escapeUri and buildQueryString (what goes on the wire), from @smithy/core/protocols.
const escapeUri = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const wireQuery = (q: Query) =>
  Object.keys(q)
    .sort()
    .flatMap((k) => [q[k] ?? []].flat().map((v) => `${escapeUri(k)}=${escapeUri(v)}`))
    .join("&");

/** Signs with @smithy/signature-v4 and returns what the server would see. */
async function sign(o: SignOptions): Promise<Signed> {
  const signer = new SignatureV4({
    service: "lambda",
    region: o.region ?? "us-east-1",
    credentials: { ...CREDS, sessionToken: o.sessionToken },
    sha256: Hash.bind(null, "sha256"),
    applyChecksum: o.contentSha ?? true,
    uriEscapePath: o.uriEscapePath ?? true,
  });
  const request = {
    method: o.method ?? "GET",
    protocol: "http:",
    hostname: "localhost",
    port: 9000,
    path: o.path,
    query: o.query ?? {},
    headers: { host: "localhost:9000", ...o.headers },
    body: o.body,
  };
  const opts = { signingDate: NOW, unsignableHeaders: new Set(o.unsignable ?? []) };
  const signed =
    o.presignSeconds === undefined
      ? await signer.sign(request, opts)
      : await signer.presign(request, { ...opts, expiresIn: o.presignSeconds });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  return {
    method: signed.method,
    rawPath: signed.path,
    rawQuery: wireQuery(signed.query as Query),
    headers,
    bodySha256: sha256Hex(o.body ?? ""),
  };
}

function assertOk(r: SigV4Result, region = "us-east-1"): void {
  assert.deepEqual(r, { ok: true, accessKeyId: CREDS.accessKeyId, region, service: "lambda" });
}
function assertFail(r: SigV4Result, errorType: string, message: RegExp | string): void {
  assert.equal(r.ok, false, JSON.stringify(r));
  if (r.ok) return;
  assert.equal(r.errorType, errorType);
  if (typeof message === "string") assert.equal(r.message, message);
  else assert.match(r.message, message);
}
const assertMismatch = (r: SigV4Result) => assertFail(r, "InvalidSignatureException", MISMATCH);
const assertIncomplete = (r: SigV4Result, m: RegExp) => assertFail(r, "IncompleteSignatureException", m);
const verify = (r: SignedRequest, now = NOW) => verifySigV4(r, lookup, now);
const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

const F = "/2015-03-31/functions";
const CASES: Array<[string, SignOptions]> = [
  ["GET a function", { path: `${F}/my-fn` }],
  [
    "POST an invocation with a JSON body",
    { method: "POST", path: `${F}/my-fn/invocations`, body: '{"a":1}' },
  ],
  [
    "POST with ?Qualifier=prod",
    { method: "POST", path: `${F}/my-fn/invocations`, query: { Qualifier: "prod" } },
  ],
  [
    "POST an invocation with a binary body",
    { method: "POST", path: `${F}/my-fn/invocations`, body: allBytes },
  ],
  ["GET the configuration of a function given by ARN", { path: `${F}/${ARN_PATH}/configuration` }],
  ["PUT a configuration with a body", { method: "PUT", path: `${F}/${ARN_PATH}/configuration`, body: "{}" }],
  [
    "DELETE tags with a repeated key",
    { method: "DELETE", path: `/2017-03-31/tags/${ARN_PATH}`, query: { k: ["b", "a c", "a"] } },
  ],
  ["GET a path with spaces and unicode", { path: `${F}/${escapeUri("my fn ✓ é")}/configuration` }],
  [
    "GET with empty and reserved query values",
    { path: F, query: { Marker: "", q: "a+b/é~*", MaxItems: "5" } },
  ],
  [
    "POST with runs of spaces in a header",
    { method: "POST", path: F, headers: { "x-amz-log-type": "  Tail   now  " } },
  ],
  ["GET with a session token", { path: `${F}/f`, sessionToken: "FQoGZXIvYXdzE//token==" }],
];

for (const [name, o] of CASES) {
  test(`accepts a JS-SDK-signed request: ${name}`, async () => {
    const req = await sign(o);
    assert.ok(req.headers["x-amz-content-sha256"]);
    assertOk(verify(req));
  });
  test(`accepts a request signed without x-amz-content-sha256 (as botocore does): ${name}`, async () => {
    const req = await sign({ ...o, contentSha: false });
    assert.equal(req.headers["x-amz-content-sha256"], undefined);
    assertOk(verify(req));
  });
}

test("accepts the JS SDK's signature with Node's trimming of header values", async () => {
  const req = await sign({ path: "/f", headers: { "x-amz-log-type": "  Tail   now  " } });
  assertOk(verify({ ...req, headers: { ...req.headers, "x-amz-log-type": "Tail   now" } }));
});

test("the canonical URI encodes the received path once more (single-encoded signatures fail)", async () => {
  const path = `/2015-03-31/functions/${ARN_PATH}/invocations`;
  assertOk(verify(await sign({ path, uriEscapePath: true })));
  assertMismatch(verify(await sign({ path, uriEscapePath: false })));
});

test("accepts presigned URLs, with a session token, until X-Amz-Expires", async () => {
  const req = await sign({
    path: "/2015-03-31/functions/f",
    query: { a: "1" },
    presignSeconds: 900,
    sessionToken: "tok",
  });
  assert.equal(req.headers.authorization, undefined);
  assert.match(req.rawQuery, /X-Amz-Signature=/);
  assertOk(verify(req));
  assertOk(verify(req, new Date(NOW.getTime() + 900_000)));
  assertFail(
    verify(req, new Date(NOW.getTime() + 901_000)),
    "InvalidSignatureException",
    "Signature expired: 20260101T001500Z is now earlier than 20260101T001501Z (20260101T000000Z + 900 sec.)",
  );
  assertMismatch(verify({ ...req, rawQuery: req.rawQuery.replace("a=1", "a=2") }));
});

test("presigned URLs cover the body hash unless signed with UNSIGNED-PAYLOAD", async () => {
  const signedBody = await sign({ method: "POST", path: "/f", body: "abc", presignSeconds: 60 });
  assertOk(verify(signedBody));
  assertMismatch(verify({ ...signedBody, bodySha256: sha256Hex("abd") }));
  const unsigned = await sign({
    method: "POST",
    path: "/f",
    body: "abc",
    headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    presignSeconds: 60,
  });
  assertOk(verify({ ...unsigned, bodySha256: sha256Hex("anything") }));
});

test("rejects a presigned URL without X-Amz-Expires or with one over a week", async () => {
  const req = await sign({ path: "/f", presignSeconds: 60 });
  const without = req.rawQuery.replace(/&?X-Amz-Expires=60/, "");
  assertIncomplete(verify({ ...req, rawQuery: without }), /must include 'X-Amz-Expires'/);
  const tooLong = req.rawQuery.replace("X-Amz-Expires=60", "X-Amz-Expires=604801");
  assertIncomplete(verify({ ...req, rawQuery: tooLong }), /X-Amz-Expires/);
});

test("accepts a Date header in place of X-Amz-Date", async () => {
  const req = await sign({ path: "/f", unsignable: ["x-amz-date"] });
  const headers: Record<string, string> = { ...req.headers, date: NOW.toUTCString() };
  delete headers["x-amz-date"];
  assertOk(verify({ ...req, headers }));
});

test("accepts UNSIGNED-PAYLOAD declared in x-amz-content-sha256 whatever the body", async () => {
  const req = await sign({
    method: "POST",
    path: "/f",
    headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  });
  assertOk(verify({ ...req, bodySha256: sha256Hex("whatever") }));
});

test("accepts any region in the scope and reports it, but the signature must still match", async () => {
  assertOk(verify(await sign({ path: "/f", region: "eu-west-3" })), "eu-west-3");
  const req = await sign({ path: "/f" });
  const auth = (req.headers.authorization ?? "").replace("/us-east-1/", "/eu-west-3/");
  assertMismatch(verify({ ...req, headers: { ...req.headers, authorization: auth } }));
});

test("rejects a request with no authentication at all", () => {
  const req = { method: "GET", rawPath: "/f", rawQuery: "", headers: { host: "h" }, bodySha256: "" };
  assertFail(verify(req), "MissingAuthenticationTokenException", "Missing Authentication Token");
});

test("rejects malformed Authorization headers naming what is missing", async () => {
  const req = await sign({ path: "/f" });
  const withAuth = (authorization: string, extra: Record<string, string | undefined> = {}) =>
    verify({ ...req, headers: { ...req.headers, authorization, ...extra } });
  assertIncomplete(withAuth("Bearer abc"), /AWS4-HMAC-SHA256/);
  const partial = withAuth("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/lambda/aws4_request");
  assertIncomplete(partial, /'Signature' parameter.*'SignedHeaders' parameter/);
  const auth = req.headers.authorization ?? "";
  assertIncomplete(withAuth(auth, { "x-amz-date": undefined }), /'X-Amz-Date' or a 'Date'/);
  assertIncomplete(withAuth(auth.replace("/lambda/", "/")), /Credential must have the form/);
  assertIncomplete(withAuth(auth.replace("aws4_request", "aws5_request")), /terminator/);
  assertIncomplete(withAuth(auth, { "x-amz-date": "2026-01-01T00:00:00Z" }), /ISO-8601/);
});

test("rejects a signature that does not cover the host header", async () => {
  const req = await sign({ path: "/f", unsignable: ["host"] });
  assertIncomplete(verify(req), /'Host' or ':authority' must be a 'SignedHeader'/);
});

test("rejects an unknown access key", async () => {
  const req = await sign({ path: "/f" });
  assertFail(
    verifySigV4(req, () => undefined, NOW),
    "UnrecognizedClientException",
    "The security token included in the request is invalid.",
  );
});

test("rejects a wrong secret and tampered bodies, paths, queries and signed headers", async () => {
  const req = await sign({ method: "POST", path: "/f/invocations", query: { Qualifier: "1" }, body: "abc" });
  const botocoreStyle = await sign({
    method: "POST",
    path: "/f/invocations",
    body: "abc",
    contentSha: false,
  });
  const wrongSecret = verifySigV4(req, () => ({ ...CREDS, secretAccessKey: "nope" }), NOW);
  assertMismatch(wrongSecret);
  assertFail(
    verify({ ...req, bodySha256: sha256Hex("abd") }),
    "InvalidSignatureException",
    /x-amz-content-sha256/,
  );
  assertMismatch(verify({ ...botocoreStyle, bodySha256: sha256Hex("abd") }));
  assertMismatch(verify({ ...req, rawPath: "/g/invocations" }));
  assertMismatch(verify({ ...req, rawQuery: "Qualifier=2" }));
  assertMismatch(verify({ ...req, method: "PUT" }));
  assertMismatch(verify({ ...req, headers: { ...req.headers, host: "evil:9000" } }));
  assertOk(verify({ ...req, headers: { ...req.headers, "user-agent": "changed" } }));
  const badSig = {
    ...req,
    headers: { ...req.headers, authorization: `${req.headers.authorization ?? ""}00` },
  };
  assertMismatch(verify(badSig));
  assertMismatch(verify({ ...req, rawPath: "/f/%E0%A4%A/\uD800" }));
});

test("rejects requests more than 5 minutes from now, in AWS's words", async () => {
  const req = await sign({ path: "/f" });
  assertOk(verify(req, new Date(NOW.getTime() + 300_000)));
  assertOk(verify(req, new Date(NOW.getTime() - 300_000)));
  assertFail(
    verify(req, new Date(NOW.getTime() + 301_000)),
    "InvalidSignatureException",
    "Signature expired: 20260101T000000Z is now earlier than 20260101T000001Z (20260101T000501Z - 5 min.)",
  );
  assertFail(
    verify(req, new Date(NOW.getTime() - 301_000)),
    "InvalidSignatureException",
    "Signature not yet current: 20260101T000000Z is still later than 20251231T235959Z (20251231T235459Z + 5 min.)",
  );
});

test("rejects a credential scope dated differently from X-Amz-Date", async () => {
  const req = await sign({ path: "/f" });
  const auth = (req.headers.authorization ?? "").replace("/20260101/", "/20260102/");
  assertFail(
    verify({ ...req, headers: { ...req.headers, authorization: auth } }),
    "InvalidSignatureException",
    /'20260102' != '20260101'/,
  );
});

test("rejects both an Authorization header and presigned query parameters", async () => {
  const presigned = await sign({ path: "/f", presignSeconds: 60 });
  const headed = await sign({ path: "/f" });
  assertIncomplete(verify({ ...presigned, headers: headed.headers }), /Only one auth mechanism/);
});

// botocore's SigV4Auth (as the AWS CLI, boto3 and Terraform's python tooling use it), both through a
// real Lambda client (captured before sending) and on a bare AWSRequest.
const BOTOCORE_SCRIPT = String.raw`
import json, botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.credentials import Credentials
out = []
def capture(request, **_):
    body = request.body or b""
    body = body.encode() if isinstance(body, str) else body
    out.append({"method": request.method, "url": request.url, "body": body.hex(),
                "headers": {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}})
    return AWSResponse(request.url, 200, {}, None)
c = botocore.session.get_session().create_client("lambda", region_name="eu-west-3", endpoint_url="http://localhost:9000",
    aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", aws_session_token="tok")
c.meta.events.register("before-send", capture)
arn = "arn:aws:lambda:us-east-1:000000000000:function:my-fn"
for call in [lambda: c.invoke(FunctionName=arn, Qualifier="prod", Payload=bytes(range(256))),
             lambda: c.get_function_configuration(FunctionName=arn + ":prod"),
             lambda: c.list_functions(Marker="a b/é~*", MaxItems=5)]:
    try: call()
    except Exception: pass
r = AWSRequest(method="POST", url="http://localhost:9000/2017-03-31/tags/" + arn.replace(":", "%3A") + "?b=2&a=&a=1",
               data=b'{"Tags":{}}', headers={"X-Custom": "  a   b  "})
SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "lambda", "us-east-1").add_auth(r)
capture(r.prepare())
print(json.dumps(out))
`;

test("accepts requests signed by botocore", (t) => {
  const run = spawnSync("/usr/bin/python3", ["-c", BOTOCORE_SCRIPT], { encoding: "utf8" });
  if (run.error !== undefined || /No module named 'botocore'/.test(run.stderr)) {
    t.skip(`botocore is not importable by /usr/bin/python3 (${run.error?.message ?? run.stderr.trim()})`);
    return;
  }
  assert.equal(run.status, 0, run.stderr);
  const sent = JSON.parse(run.stdout) as Array<{
    method: string;
    url: string;
    body: string;
    headers: Record<string, string>;
  }>;
  assert.equal(sent.length, 4);
  for (const s of sent) {
    const m = /^https?:\/\/([^/]+)([^?]*)(?:\?(.*))?$/.exec(s.url);
    assert.ok(m, s.url);
    // urllib3 adds Host when sending; botocore signed it from the URL.
    const req = {
      method: s.method,
      rawPath: m[2] ?? "",
      rawQuery: m[3] ?? "",
      headers: { ...s.headers, host: m[1] ?? "" },
      bodySha256: sha256Hex(Buffer.from(s.body, "hex")),
    };
    const region = s.url.includes("/tags/") ? "us-east-1" : "eu-west-3";
    assertOk(verifySigV4(req, lookup, new Date()), region);
    assertMismatch(verifySigV4({ ...req, bodySha256: sha256Hex("x") }, lookup, new Date()));
  }
});
