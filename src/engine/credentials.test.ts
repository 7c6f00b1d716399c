import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SessionCredentials, credentialsTtlSeconds, loadSessionSecret } from "./credentials.js";

const SESSION = {
  account: "000000000000",
  region: "us-east-1",
  functionName: "caller",
  version: "$LATEST",
  incarnation: "2026-01-01T00:00:00.000Z",
  roleArn: "arn:aws:iam::000000000000:role/app",
  roleId: "AROAAAAAAAAAAAAAAAAAA",
};

test("minted credentials verify, with the secret key the holder was given", () => {
  const creds = new SessionCredentials(Buffer.alloc(32, 1), 3600);
  const m = creds.mint(SESSION);
  assert.match(m.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
  const v = creds.verify(m.accessKeyId, m.sessionToken);
  assert.ok(v.ok);
  assert.equal(v.secretAccessKey, m.secretAccessKey);
  assert.equal(v.session.functionName, "caller");
  // A second check is answered from the cache with the same result.
  assert.deepEqual(creds.verify(m.accessKeyId, m.sessionToken), v);
});

test("expired credentials are refused as expired", () => {
  const creds = new SessionCredentials(Buffer.alloc(32, 1), 60);
  const now = Date.parse("2026-01-01T00:00:00Z");
  const m = creds.mint(SESSION, now);
  assert.equal(m.expiresAt, now / 1000 + 60);
  assert.ok(creds.verify(m.accessKeyId, m.sessionToken, now + 59_000).ok);
  assert.deepEqual(creds.verify(m.accessKeyId, m.sessionToken, now + 60_000), {
    ok: false,
    reason: "expired",
  });
});

test("a tampered token, another key's token or another server's token is invalid", () => {
  const creds = new SessionCredentials(Buffer.alloc(32, 1), 3600);
  const m = creds.mint(SESSION);
  const [prefix, body = "", sig] = m.sessionToken.split(".");
  const payload = JSON.parse(Buffer.from(body, "base64url").toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...payload, f: "other" })).toString("base64url");
  const invalidResult = { ok: false, reason: "invalid" };
  assert.deepEqual(creds.verify(m.accessKeyId, `${prefix}.${forged}.${sig}`), invalidResult);
  assert.deepEqual(creds.verify(creds.mint(SESSION).accessKeyId, m.sessionToken), invalidResult);
  assert.deepEqual(creds.verify(m.accessKeyId, undefined), invalidResult);
  const other = new SessionCredentials(Buffer.alloc(32, 2), 3600);
  assert.deepEqual(other.verify(m.accessKeyId, m.sessionToken), invalidResult);
});

test("the TTL is at most an hour and the server secret is kept 0600", () => {
  assert.equal(credentialsTtlSeconds({}), 3600);
  assert.equal(credentialsTtlSeconds({ VAJRA_CREDENTIALS_TTL_SECONDS: "5" }), 5);
  assert.equal(credentialsTtlSeconds({ VAJRA_CREDENTIALS_TTL_SECONDS: "99999" }), 3600);
  const dir = mkdtempSync(join(tmpdir(), "vajra-secret-"));
  try {
    const a = loadSessionSecret(dir);
    assert.deepEqual(loadSessionSecret(dir), a);
    assert.equal(statSync(join(dir, "session-secret")).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
