// The AWS SDK client the compatibility tests use: it signs with the credentials file the server wrote
// (profile `vajra`), exactly as a user's tooling would, and never retries so every error is seen.

import assert from "node:assert/strict";
import { join } from "node:path";
import { LambdaClient } from "@aws-sdk/client-lambda";
import type { ServerHandle } from "./harness.js";

export function lambdaClientFor(s: ServerHandle): LambdaClient {
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(s.dataDir, "credentials");
  process.env.AWS_PROFILE = "vajra";
  process.env.AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING = "1";
  return new LambdaClient({ endpoint: s.url, maxAttempts: 1 });
}

/** Asserts an AWS client call fails with this error type, HTTP status and (optionally) message. */
export async function rejectsAws(
  p: Promise<unknown>,
  name: string,
  status: number,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(
    p,
    (err: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, name, err.message);
      assert.equal(err.$metadata?.httpStatusCode, status);
      if (message !== undefined) assert.match(err.message, message);
      return true;
    },
  );
}
