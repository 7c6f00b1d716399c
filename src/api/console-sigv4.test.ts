// The console's browser signer (console/src/lib/sigv4.ts, WebCrypto) against this server's verifier: a
// sign-in request it signs is accepted, and any change to what was signed is refused.

import { createHash } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { signRequest } from "../../console/src/lib/sigv4.js";
import { verifySigV4, type SignedRequest } from "./sigv4.js";

const KEY = { accessKeyId: "AKIAVAJRATESTKEY0001", secretAccessKey: "s".repeat(20) + "E".repeat(20) };
const NOW = new Date(Date.UTC(2026, 2, 4, 5, 6, 7));
const lookup = (id: string) => (id === KEY.accessKeyId ? KEY : undefined);

async function signed(body: string, url = "http://127.0.0.1:8700/sessions"): Promise<SignedRequest> {
  const headers = await signRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    body,
    ...KEY,
    region: "us-east-1",
    service: "vajra",
    now: NOW,
  });
  const u = new URL(url);
  return {
    method: "POST",
    rawPath: u.pathname,
    rawQuery: u.search.slice(1),
    // What the server receives: the browser adds Host from the URL.
    headers: { ...headers, host: u.host },
    bodySha256: createHash("sha256").update(body).digest("hex"),
  };
}

test("the server's verifier accepts a request the console signed", async () => {
  const req = await signed('{"accessKeyId":"AKIAVAJRATESTKEY0001"}');
  assert.deepEqual(verifySigV4(req, lookup, NOW), {
    ok: true,
    accessKeyId: KEY.accessKeyId,
    region: "us-east-1",
    service: "vajra",
  });
});

test("paths and query strings that need encoding verify too", async () => {
  const req = await signed("{}", "http://localhost:9/a%3Ab/./c/?z=1&a=%20x&a=b");
  assert.equal(verifySigV4(req, lookup, NOW).ok, true);
});

test("a changed body, another host, a wrong secret or a late clock are refused", async () => {
  const req = await signed('{"accessKeyId":"AKIAVAJRATESTKEY0001"}');
  const otherBody = { ...req, bodySha256: createHash("sha256").update("{}").digest("hex") };
  assert.equal(verifySigV4(otherBody, lookup, NOW).ok, false);
  const otherHost = { ...req, headers: { ...req.headers, host: "127.0.0.1:8701" } };
  assert.equal(verifySigV4(otherHost, lookup, NOW).ok, false);
  const wrongSecret = verifySigV4(req, () => ({ ...KEY, secretAccessKey: "x".repeat(40) }), NOW);
  assert.equal(wrongSecret.ok === false && wrongSecret.errorType, "InvalidSignatureException");
  const late = verifySigV4(req, lookup, new Date(NOW.getTime() + 20 * 60_000));
  assert.ok(late.ok === false && /Signature expired/.test(late.message));
});
