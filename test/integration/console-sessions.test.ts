// Console sign-in with an access key pair: POST /sessions signed with SigV4 by the console's own
// signer answers a short-lived API key named for the access key; bad signatures, unknown, temporary
// or other accounts' keys, a late clock and a missing field are refused and create nothing; signing
// out (DELETE of the key) and revoking the access key both end the session.

import { test } from "node:test";
import assert from "node:assert/strict";
import { signRequest } from "../../console/src/lib/sigv4.js";
import { credentialsOf, type KeyPair as Pair } from "./console-browser.js";
import { startServer, stopAndClean, type ServerHandle } from "./harness.js";

interface Issued {
  id: string;
  name: string;
  secret: string;
  expiresAt: string;
  accessKeyId: string;
}

async function signIn(
  s: ServerHandle,
  pair: Pair,
  opts: { body?: unknown; now?: Date; service?: string } = {},
): Promise<Response> {
  const url = `${s.url}/sessions`;
  const body = JSON.stringify(opts.body ?? { accessKeyId: pair.accessKeyId });
  const headers = await signRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    body,
    ...pair,
    region: "us-east-1",
    service: opts.service ?? "vajra",
    now: opts.now ?? new Date(),
  });
  return fetch(url, { method: "POST", headers, body });
}

async function errorOf(
  r: Response,
): Promise<{ code: string; message: string; details?: { field?: string } }> {
  return ((await r.json()) as { error: { code: string; message: string } }).error;
}

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
const apiKeyNames = async (s: ServerHandle): Promise<string[]> =>
  ((await (await s.api("/api-keys")).json()) as { apiKeys: Array<{ name: string }> }).apiKeys
    .map((k) => k.name)
    .sort();

test("an access key pair signs in for a 12-hour API key that works until it is deleted", async () => {
  const s = await startServer();
  try {
    const pair = credentialsOf(s.dataDir);
    assert.match(pair.accessKeyId, /^AKIA/);
    const r = await signIn(s, pair);
    assert.equal(r.status, 201);
    const issued = (await r.json()) as Issued;
    assert.match(issued.secret, /^vjk_/);
    assert.equal(issued.name, `console session for ${pair.accessKeyId}`);
    assert.equal(issued.accessKeyId, pair.accessKeyId);
    const hours = (Date.parse(issued.expiresAt) - Date.now()) / 3_600_000;
    assert.ok(hours > 11.9 && hours <= 12, `expires in ${hours} h`);

    const fns = await fetch(`${s.url}/functions`, { headers: bearer(issued.secret) });
    assert.equal(fns.status, 200);
    assert.deepEqual(await apiKeyNames(s), ["admin", issued.name]);

    // Signing out: the console deletes its own key with that key.
    const out = await fetch(`${s.url}/api-keys/${issued.id}`, {
      method: "DELETE",
      headers: bearer(issued.secret),
    });
    assert.equal(out.status, 204);
    assert.equal((await fetch(`${s.url}/functions`, { headers: bearer(issued.secret) })).status, 401);

    // A shorter session when asked.
    const short = (await (
      await signIn(s, pair, { body: { accessKeyId: pair.accessKeyId, durationSeconds: 900 } })
    ).json()) as Issued;
    assert.ok(Date.parse(short.expiresAt) - Date.now() <= 900_000);
  } finally {
    await stopAndClean(s);
  }
});

test("bad signatures, unknown, temporary or late keys and a missing field are refused and create nothing", async () => {
  const s = await startServer();
  try {
    const pair = credentialsOf(s.dataDir);
    const before = await apiKeyNames(s);

    const wrongSecret = await signIn(s, { ...pair, secretAccessKey: "x".repeat(40) });
    assert.equal(wrongSecret.status, 403);
    const e1 = await errorOf(wrongSecret);
    assert.equal(e1.code, "InvalidSignatureException");
    assert.match(e1.message, /signature we calculated does not match/);

    const unknown = await signIn(s, { ...pair, accessKeyId: "AKIAAAAAAAAAAAAAAAAA" });
    assert.equal(unknown.status, 403);
    const e2 = await errorOf(unknown);
    assert.equal(e2.code, "UnrecognizedClientException");
    assert.match(e2.message, /revoked, or never existed/);

    const temporary = await signIn(s, { ...pair, accessKeyId: "ASIAAAAAAAAAAAAAAAAA" });
    assert.equal(temporary.status, 403);
    assert.match((await errorOf(temporary)).message, /temporary session credential.*AKIA/);

    const late = await signIn(s, pair, { now: new Date(Date.now() - 20 * 60_000) });
    assert.equal(late.status, 403);
    assert.match((await errorOf(late)).message, /^Signature expired/);

    const otherService = await signIn(s, pair, { service: "lambda" });
    assert.equal(otherService.status, 403);
    assert.match((await errorOf(otherService)).message, /scoped to correct service: 'vajra'/);

    const noField = await signIn(s, pair, { body: {} });
    assert.equal(noField.status, 400);
    const e3 = await errorOf(noField);
    assert.equal(e3.code, "InvalidParameter");
    assert.equal(e3.details?.field, "accessKeyId");
    assert.match(e3.message, /accessKeyId is required/);

    const badDuration = await signIn(s, pair, {
      body: { accessKeyId: pair.accessKeyId, durationSeconds: 60 },
    });
    assert.equal(badDuration.status, 400);
    assert.match((await errorOf(badDuration)).message, /durationSeconds must be an integer from 900/);

    const unsigned = await fetch(`${s.url}/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accessKeyId: pair.accessKeyId }),
    });
    assert.equal(unsigned.status, 401);
    assert.equal((await errorOf(unsigned)).code, "MissingAuthenticationTokenException");

    // An access key of another account is not the operator's: no native API key for it.
    const other = (await (
      await s.api("/keys", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "tenant", accountId: "111111111111" }),
      })
    ).json()) as Pair;
    const foreign = await signIn(s, other);
    assert.equal(foreign.status, 403);
    assert.match((await errorOf(foreign)).message, /belongs to account 111111111111/);

    assert.deepEqual(await apiKeyNames(s), before);
  } finally {
    await stopAndClean(s);
  }
});

test("revoking the access key ends the console sessions it signed in", async () => {
  const s = await startServer();
  try {
    const created = await s.api("/keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "operator" }),
    });
    const pair = (await created.json()) as Pair;
    const first = (await (await signIn(s, pair)).json()) as Issued;
    const second = (await (await signIn(s, pair)).json()) as Issued;
    // Used once each, so the server has them cached.
    for (const k of [first, second])
      assert.equal((await fetch(`${s.url}/functions`, { headers: bearer(k.secret) })).status, 200);

    assert.equal((await s.api(`/keys/${pair.accessKeyId}`, { method: "DELETE" })).status, 204);
    for (const k of [first, second]) {
      const r = await fetch(`${s.url}/functions`, { headers: bearer(k.secret) });
      assert.equal(r.status, 401);
    }
    assert.deepEqual(await apiKeyNames(s), ["admin"]);
    const again = await signIn(s, pair);
    assert.equal(again.status, 403);
    assert.equal((await errorOf(again)).code, "UnrecognizedClientException");
  } finally {
    await stopAndClean(s);
  }
});
