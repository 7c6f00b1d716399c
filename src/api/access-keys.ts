// AWS-style access keys for SigV4. The first start creates one and writes an AWS credentials file
// (profile `vajra`, mode 0600) into the data directory, so AWS tooling works with nothing else set:
// AWS_SHARED_CREDENTIALS_FILE=~/.vajra/credentials AWS_PROFILE=vajra aws lambda list-functions --endpoint-url ...

import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_REGION } from "../core/lambda-format.js";
import type { AccessKeyRecord } from "../core/types.js";
import type { Store } from "../store/store.js";
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

function credentialsText(key: AccessKeyRecord): string {
  return `[${AWS_PROFILE}]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\nregion = ${DEFAULT_REGION}\n`;
}

/** Keeps every access key in memory for synchronous SigV4 lookups; the store is the source of truth. */
export class AccessKeys {
  private readonly keys = new Map<string, AccessKeyRecord>();

  private constructor(private readonly store: Store) {}

  static async load(store: Store, dataDir: string): Promise<AccessKeys> {
    const ak = new AccessKeys(store);
    for (const k of await store.listAccessKeys()) ak.keys.set(k.accessKeyId, k);
    const file = join(dataDir, CREDENTIALS_FILE);
    if (ak.keys.size === 0 || !existsSync(file)) {
      const key = ak.keys.values().next().value ?? (await ak.create("default"));
      writeFileSync(file, credentialsText(key), { mode: 0o600 });
    }
    return ak;
  }

  lookup = (accessKeyId: string): SigV4Credentials | undefined => {
    const k = this.keys.get(accessKeyId);
    return k === undefined ? undefined : { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey };
  };

  async create(name: string): Promise<AccessKeyRecord> {
    const key = newAccessKey(name);
    await this.store.putAccessKey(key);
    this.keys.set(key.accessKeyId, key);
    return key;
  }
}
