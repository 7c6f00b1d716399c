// Native API keys (`Authorization: Bearer vjk_...`) over HTTP, for the console's Server page and
// scripts: list (never the secrets), create (the secret is answered once and only its SHA-256 is
// kept), revoke (refused from the next request on). The admin key whose secret is in the data
// directory cannot be revoked here: the CLI on this host depends on it.

import type { FastifyInstance } from "fastify";
import { VajraError, invalid } from "../core/errors.js";
import type { ApiKeyRecord } from "../core/types.js";
import type { Store } from "../store/store.js";
import { newApiKey, type Authenticator } from "./auth.js";

const MAX_DAYS = 3650;

export function apiKeyView(k: ApiKeyRecord): Record<string, unknown> {
  return {
    id: k.id,
    name: k.name,
    createdAt: k.createdAt,
    ...(k.expiresAt === undefined ? {} : { expiresAt: k.expiresAt }),
    ...(k.accessKeyId === undefined ? {} : { accessKeyId: k.accessKeyId }),
  };
}

function parseCreate(body: unknown): { name: string; expiresInDays?: number } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== "object" || Array.isArray(b)) throw invalid("request body must be a JSON object");
  for (const k of Object.keys(b))
    if (k !== "name" && k !== "expiresInDays")
      throw invalid(`unknown field '${k}'; allowed: name, expiresInDays`, { field: k });
  const name = b.name ?? "unnamed";
  if (typeof name !== "string" || name.length === 0 || name.length > 64)
    throw invalid("name must be a string of 1 to 64 characters", { field: "name" });
  if (name === "admin") throw invalid("the name 'admin' is the server's own key", { field: "name" });
  if (b.expiresInDays === undefined) return { name };
  const days = b.expiresInDays;
  if (typeof days !== "number" || !Number.isInteger(days) || days < 1 || days > MAX_DAYS)
    throw invalid(`expiresInDays must be an integer from 1 to ${MAX_DAYS}`, { field: "expiresInDays" });
  return { name, expiresInDays: days };
}

export function registerApiKeyRoutes(app: FastifyInstance, store: Store, auth: Authenticator): void {
  app.get("/api-keys", async () => ({ apiKeys: (await store.listApiKeys()).map(apiKeyView) }));

  app.post("/api-keys", async (req, reply) => {
    const input = parseCreate(req.body);
    const { record: key, secret } = newApiKey(
      input.name,
      input.expiresInDays === undefined
        ? {}
        : { expiresAt: new Date(Date.now() + input.expiresInDays * 86_400_000).toISOString() },
    );
    await store.putApiKey(key);
    return reply.code(201).send({ ...apiKeyView(key), secret });
  });

  app.delete<{ Params: { id: string } }>("/api-keys/:id", async (req, reply) => {
    const key = (await store.listApiKeys()).find((k) => k.id === req.params.id);
    if (key === undefined) throw new VajraError("NotFound", `no API key ${req.params.id}`);
    if (key.name === "admin")
      throw new VajraError(
        "UnsupportedOperation",
        "the admin key cannot be revoked over the API: the CLI on the server's host uses it",
      );
    await store.deleteApiKey(key.id);
    auth.forget(key.id);
    return reply.code(204).send();
  });
}
