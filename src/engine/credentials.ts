// Per-instance session credentials for a function's execution role, as Lambda puts them in
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN. Stateless: the session token is a
// signed (HMAC-SHA256, with a server secret kept 0600 in the data directory) encoding of who the
// session is, and the secret key derives from the access key id, so nothing is stored per instance.
// Revocation is checked per request against live state (the function's incarnation, its role), which
// the caller supplies.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InstanceCredentials } from "../executor/executor.js";
import { parseRoleArn, type RoleCatalog } from "./roles.js";

const SECRET_FILE = "session-secret";
const TOKEN_PREFIX = "VJS1";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const MAX_CACHED = 10_000;
/** Lambda's credentials last at most about 12 h; Vajra's at most 1 h. */
export const MAX_TTL_SECONDS = 3600;

/** Who a session is: everything a request signed with it needs, and what revokes it. */
export interface Session {
  accessKeyId: string;
  account: string;
  region: string;
  functionName: string;
  /** The version (or $LATEST) whose configuration named the role. */
  version: string;
  /** The function's createdAt: a function deleted and created again is another incarnation. */
  incarnation: string;
  roleArn: string;
  /** The role's id at mint time ("" for the built-in role): a role deleted and recreated is another. */
  roleId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface MintedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiresAt: number;
}

export type SessionCheck =
  { ok: true; session: Session; secretAccessKey: string } | { ok: false; reason: "expired" | "invalid" };

interface WireSession {
  k: string;
  a: string;
  r: string;
  f: string;
  v: string;
  i: string;
  ro: string;
  ri: string;
  e: number;
}

/** The TTL from VAJRA_CREDENTIALS_TTL_SECONDS (tests shorten it), capped at an hour. */
export function credentialsTtlSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = Number(env.VAJRA_CREDENTIALS_TTL_SECONDS ?? MAX_TTL_SECONDS);
  return Number.isFinite(raw) && raw >= 1 ? Math.min(Math.floor(raw), MAX_TTL_SECONDS) : MAX_TTL_SECONDS;
}

/** The server's signing secret: made once, 0600 in the data directory. */
export function loadSessionSecret(dataDir: string): Buffer {
  const file = join(dataDir, SECRET_FILE);
  if (existsSync(file)) {
    const hex = readFileSync(file, "utf8").trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, "hex");
  }
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString("hex") + "\n", { mode: 0o600 });
  return secret;
}

export class SessionCredentials {
  /** Verified tokens: the HMAC and JSON parse are paid once per token, revocation is re-checked. */
  private readonly verified = new Map<string, { session: Session; secretAccessKey: string }>();

  constructor(
    private readonly secret: Buffer,
    readonly ttlSeconds: number,
  ) {}

  private mac(label: string, data: string): Buffer {
    return createHmac("sha256", this.secret).update(`${label}\n${data}`).digest();
  }

  private secretKeyOf(accessKeyId: string): string {
    return this.mac("secret-key", accessKeyId).toString("base64").slice(0, 40);
  }

  mint(s: Omit<Session, "accessKeyId" | "expiresAt">, nowMs = Date.now()): MintedCredentials {
    const accessKeyId = "ASIA" + [...randomBytes(16)].map((b) => BASE32[b % 32]).join("");
    const expiresAt = Math.floor(nowMs / 1000) + this.ttlSeconds;
    const wire: WireSession = {
      k: accessKeyId,
      a: s.account,
      r: s.region,
      f: s.functionName,
      v: s.version,
      i: s.incarnation,
      ro: s.roleArn,
      ri: s.roleId,
      e: expiresAt,
    };
    const body = Buffer.from(JSON.stringify(wire)).toString("base64url");
    const sessionToken = `${TOKEN_PREFIX}.${body}.${this.mac("token", body).toString("base64url")}`;
    return { accessKeyId, secretAccessKey: this.secretKeyOf(accessKeyId), sessionToken, expiresAt };
  }

  /** Checks the token's signature, that it belongs to `accessKeyId`, and its expiry (not revocation). */
  verify(accessKeyId: string, token: string | undefined, nowMs = Date.now()): SessionCheck {
    if (token === undefined || token === "") return { ok: false, reason: "invalid" };
    let hit = this.verified.get(token);
    if (hit === undefined) {
      const decoded = this.decode(token);
      if (decoded === undefined) return { ok: false, reason: "invalid" };
      hit = { session: decoded, secretAccessKey: this.secretKeyOf(decoded.accessKeyId) };
      if (this.verified.size >= MAX_CACHED) {
        const oldest = this.verified.keys().next().value;
        if (oldest !== undefined) this.verified.delete(oldest);
      }
      this.verified.set(token, hit);
    }
    if (hit.session.accessKeyId !== accessKeyId) return { ok: false, reason: "invalid" };
    if (hit.session.expiresAt * 1000 <= nowMs) {
      this.verified.delete(token);
      return { ok: false, reason: "expired" };
    }
    return { ok: true, ...hit };
  }

  private decode(token: string): Session | undefined {
    const parts = token.split(".");
    if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return undefined;
    const [, body = "", sig = ""] = parts;
    const expected = this.mac("token", body);
    const given = Buffer.from(sig, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const w = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as WireSession;
      return {
        accessKeyId: w.k,
        account: w.a,
        region: w.r,
        functionName: w.f,
        version: w.v,
        incarnation: w.i,
        roleArn: w.ro,
        roleId: w.ri,
        expiresAt: w.e,
      };
    } catch {
      return undefined;
    }
  }
}

/**
 * What the executor calls at each instance start: fresh credentials for the session's role, as the
 * variables Lambda sets. The role's id is read at mint time, so a role recreated later revokes them.
 */
export function instanceCredentials(
  roles: RoleCatalog,
  credentials: SessionCredentials,
  s: Omit<Session, "accessKeyId" | "expiresAt" | "roleId">,
): () => InstanceCredentials {
  return () => {
    const ref = parseRoleArn(s.roleArn);
    const role = ref === undefined ? undefined : roles.get(ref.account, ref.name);
    const c = credentials.mint({ ...s, roleId: role?.record.roleId ?? "" });
    return {
      env: {
        AWS_ACCESS_KEY_ID: c.accessKeyId,
        AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
        AWS_SESSION_TOKEN: c.sessionToken,
      },
      expiresAt: c.expiresAt * 1000,
    };
  };
}
