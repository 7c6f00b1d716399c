// AWS-style access keys for SigV4. The first start creates one and writes an AWS credentials file
// (profile `vajra`, mode 0600) into the data directory, so AWS tooling works with nothing else set:
// AWS_SHARED_CREDENTIALS_FILE=~/.vajra/credentials AWS_PROFILE=vajra aws lambda list-functions --endpoint-url ...

import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ArnScope } from "../core/arn-scope.js";
import type { AccessKeyRecord } from "../core/types.js";
import type { Store } from "../store/store.js";
import type { FastifyInstance } from "fastify";
import { VajraError } from "../core/errors.js";
import type { SigV4Credentials } from "./sigv4.js";

export const CREDENTIALS_FILE = "credentials";
export const AWS_PROFILE = "vajra";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function newAccessKey(name: string): AccessKeyRecord {
  const id = [...randomBytes(16)].map((b) => BASE32[b % 32]).join("");
  return {
    accessKeyId: `AKIA${id}`,
    secretAccessKey: randomBytes(30).toString("base64").replace(/[+/]/g, "A"),
    name,
    createdAt: new Date().toISOString(),
  };
}

function credentialsText(key: AccessKeyRecord, region: string): string {
  return `[${AWS_PROFILE}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\nregion = ${region}\n`;
}

/** Keeps every access key in memory for synchronous SigV4 lookups; the store is the source of truth. */
export class AccessKeys {
  private readonly keys = new Map<string, AccessKeyRecord>();

  private constructor(
    private readonly store: Store,
    /** The server's account: a key made without an account belongs to it. */
    readonly ownerAccount: string,
  ) {}

  /** `scope` is the server's: the owner account, and the region the credentials file names. */
  static async load(store: Store, dataDir: string, scope: ArnScope): Promise<AccessKeys> {
    const ak = new AccessKeys(store, scope.account);
    for (const k of await store.listAccessKeys()) ak.keys.set(k.accessKeyId, k);
    const file = join(dataDir, CREDENTIALS_FILE);
    if (ak.keys.size === 0 || !existsSync(file)) {
      const key = ak.keys.values().next().value ?? (await ak.create("default"));
      writeFileSync(file, credentialsText(key, scope.region), { mode: 0o600 });
    } else {
      // A restart with another --region: the profile follows it, so AWS tools sign for the server's region.
      const text = readFileSync(file, "utf8");
      const updated = text.replace(/^region = .*$/m, `region = ${scope.region}`);
      if (updated !== text) writeFileSync(file, updated, { mode: 0o600 });
    }
    return ak;
  }

  accountOf = (accessKeyId: string): string => this.keys.get(accessKeyId)?.accountId ?? this.ownerAccount;

  lookup = (accessKeyId: string): SigV4Credentials | undefined => {
    const k = this.keys.get(accessKeyId);
    return k === undefined ? undefined : { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey };
  };

  list(): AccessKeyRecord[] {
    return [...this.keys.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Revokes a key; requests signed with it fail from the next one on, and so do the console sessions it
   * signed in (the Authenticator checks their access key on every use; their API keys are deleted too,
   * so they leave the list).
   */
  async revoke(accessKeyId: string): Promise<boolean> {
    if (!this.keys.has(accessKeyId)) return false;
    this.keys.delete(accessKeyId);
    await this.store.deleteAccessKey(accessKeyId);
    for (const k of await this.store.listApiKeys())
      if (k.accessKeyId === accessKeyId) await this.store.deleteApiKey(k.id);
    return true;
  }

  exists = (accessKeyId: string): boolean => this.keys.has(accessKeyId);

  async create(name: string, accountId?: string): Promise<AccessKeyRecord> {
    const key = newAccessKey(name);
    if (accountId !== undefined && accountId !== this.ownerAccount) key.accountId = accountId;
    await this.store.putAccessKey(key);
    this.keys.set(key.accessKeyId, key);
    return key;
  }
}

/** Native API for `vajra keys`: list without secrets, create (the secret is returned once), revoke. */
export function registerKeyRoutes(app: FastifyInstance, keys: AccessKeys): void {
  const view = (k: AccessKeyRecord) => ({
    accessKeyId: k.accessKeyId,
    name: k.name,
    accountId: k.accountId ?? keys.ownerAccount,
    createdAt: k.createdAt,
  });
  app.get("/keys", () => ({ keys: keys.list().map(view) }));
  app.post("/keys", async (req, reply) => {
    const body = (req.body ?? {}) as { name?: unknown; accountId?: unknown };
    const { name, accountId } = body;
    if (accountId !== undefined && (typeof accountId !== "string" || !/^\d{12}$/.test(accountId))) {
      throw new VajraError("InvalidParameter", "accountId must be a 12-digit account id", {
        details: { field: "accountId" },
      });
    }
    if (name !== undefined && (typeof name !== "string" || name.length > 64)) {
      throw new VajraError("InvalidParameter", "name must be a string of at most 64 characters", {
        details: { field: "name" },
      });
    }
    const key = await keys.create(name ?? "unnamed", accountId);
    return reply.code(201).send({ ...view(key), secretAccessKey: key.secretAccessKey });
  });
  app.delete<{ Params: { id: string } }>("/keys/:id", async (req, reply) => {
    if (!(await keys.revoke(req.params.id)))
      throw new VajraError("NotFound", `no access key ${req.params.id}`);
    return reply.code(204).send();
  });
}
