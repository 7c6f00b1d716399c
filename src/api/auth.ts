// API keys: the first start creates an admin key and writes it (mode 0600) into the data directory,
// where the CLI finds it. Only a SHA-256 of each secret is stored; requests carry the secret as
// `Authorization: Bearer <key>`, compared by hash.

import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiKeyRecord } from "../core/types.js";
import type { Store } from "../store/store.js";

export const ADMIN_KEY_FILE = "admin-key";

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A new API key: its record (only the secret's hash) and the secret, to answer once. */
export function newApiKey(
  name: string,
  extra: Pick<ApiKeyRecord, "expiresAt" | "accessKeyId"> = {},
): { record: ApiKeyRecord; secret: string } {
  const secret = `vjk_${randomBytes(24).toString("base64url")}`;
  const record: ApiKeyRecord = {
    id: randomUUID(),
    secretHash: hashSecret(secret),
    name,
    createdAt: new Date().toISOString(),
    ...extra,
  };
  return { record, secret };
}

/** Makes sure an admin key exists and its secret is in `<dataDir>/admin-key`; returns the secret. */
export async function ensureAdminKey(store: Store, dataDir: string): Promise<string> {
  const file = join(dataDir, ADMIN_KEY_FILE);
  if (existsSync(file)) {
    const secret = readFileSync(file, "utf8").trim();
    if ((await store.findApiKeyByHash(hashSecret(secret))) !== undefined) return secret;
  }
  const { record, secret } = newApiKey("admin");
  await store.putApiKey(record);
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}

/** Checks a request's credentials; a small cache keeps the hot path off the store. */
export class Authenticator {
  private readonly known = new Map<string, ApiKeyRecord>();
  /** Ids revoked while this server runs: a lookup that raced the revocation cannot bring one back. */
  private readonly revoked = new Set<string>();

  constructor(
    private readonly store: Store,
    /** Whether an access key still exists: a console session's key dies with the key that issued it. */
    private readonly accessKeyExists: (accessKeyId: string) => boolean = () => false,
  ) {}

  /** Keyed by the exact header value, so a known key costs one map lookup (no hashing). */
  async check(authorization: string | undefined): Promise<ApiKeyRecord | undefined> {
    if (authorization === undefined) return undefined;
    const cached = this.known.get(authorization);
    if (cached !== undefined) return this.live(cached);
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (m === null) return undefined;
    const key = await this.store.findApiKeyByHash(hashSecret(m[1] as string));
    if (key === undefined || this.revoked.has(key.id)) return undefined;
    if (this.known.size < 1000) this.known.set(authorization, key);
    return this.live(key);
  }

  /**
   * An expired key is refused like an unknown one, and so is a console session's key whose access key
   * was revoked (checked on every request, cached or not: one map lookup).
   */
  private live(key: ApiKeyRecord): ApiKeyRecord | undefined {
    if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= Date.now()) return undefined;
    if (key.accessKeyId !== undefined && !this.accessKeyExists(key.accessKeyId)) return undefined;
    return key;
  }

  /** Drops a revoked key from the cache: the next request with it is refused. */
  forget(id: string): void {
    this.revoked.add(id);
    for (const [header, key] of this.known) if (key.id === id) this.known.delete(header);
  }
}
