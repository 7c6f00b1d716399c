// Sign-in with an AWS-style access key pair: the form's checks, and the one SigV4-signed request
// (POST /sessions) that trades the pair for a short-lived API key. The pair itself never leaves this
// function: only its signature is sent, and only the issued key is kept (in sessionStorage, by the
// caller), so everything after sign-in is the same Bearer-key API the CLI uses.

import { ApiError, errorOf } from "./api.ts";
import { signRequest } from "./sigv4.ts";

/** The SigV4 service name the server expects for a console sign-in. */
export const SESSION_SERVICE = "vajra";
/** Any region name will do (the issued key is not tied to one); the server's default is signed. */
export const SESSION_REGION = "us-east-1";

export interface KeyPairProblem {
  field: "accessKeyId" | "secretAccessKey";
  message: string;
}

/** What is wrong with a typed access key pair before anything is signed, or undefined. */
export function checkKeyPairInput(accessKeyId: string, secret: string): KeyPairProblem | undefined {
  const id = accessKeyId.trim();
  if (id === "")
    return {
      field: "accessKeyId",
      message:
        "Enter an access key id (AKIA…; the server's first key is in its data directory, file credentials).",
    };
  if (id.startsWith("ASIA"))
    return {
      field: "accessKeyId",
      message:
        "ASIA… keys are a function's temporary session credentials and cannot sign in: use an account access key (AKIA…).",
    };
  if (!id.startsWith("AKIA")) return { field: "accessKeyId", message: "An access key id starts with AKIA." };
  if (!/^AKIA[A-Z0-9]{16}$/.test(id))
    return {
      field: "accessKeyId",
      message: `An access key id is 20 characters, AKIA and 16 capital letters or digits (this one has ${id.length}).`,
    };
  if (secret === "") return { field: "secretAccessKey", message: "Enter the secret access key." };
  if (/\s/.test(secret.trim()) || secret.trim().length !== 40)
    return {
      field: "secretAccessKey",
      message: `A secret access key is 40 characters without spaces (this one has ${secret.trim().length}).`,
    };
  return undefined;
}

/** The answer of POST /sessions: an API key (its secret shown this once) and when it expires. */
export interface ConsoleSession {
  id: string;
  name: string;
  secret: string;
  createdAt: string;
  expiresAt: string;
  accessKeyId: string;
}

/** Signs POST /sessions with the pair and returns the issued key; refusals become ApiErrors. */
export async function signInWithKeyPair(
  origin: string,
  accessKeyId: string,
  secretAccessKey: string,
  now: Date = new Date(),
): Promise<ConsoleSession> {
  // Browsers offer WebCrypto only in a secure context (HTTPS, or localhost/127.0.0.1).
  if (globalThis.crypto?.subtle === undefined)
    throw new ApiError(
      0,
      "InsecureContext",
      "signing with an access key pair needs a secure page: open the console over HTTPS or at localhost (browsers offer WebCrypto only there), or sign in with an API key",
    );
  const id = accessKeyId.trim();
  const url = `${origin}/sessions`;
  const body = JSON.stringify({ accessKeyId: id });
  const headers = await signRequest({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    body,
    accessKeyId: id,
    secretAccessKey: secretAccessKey.trim(),
    region: SESSION_REGION,
    service: SESSION_SERVICE,
    now,
  });
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers, body, cache: "no-store" });
  } catch {
    throw new ApiError(
      0,
      "ServerUnreachable",
      "cannot reach the Vajra server: it may have stopped, or the network is down",
    );
  }
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as ConsoleSession;
}
