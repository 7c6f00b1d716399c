// Runs the AWS CLI v2 (as Debian ships it) against a test server with only the credentials file the
// server wrote, as a user would: no config file, no environment credentials.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { ServerHandle } from "./harness.js";

export const AWS_CLI = "/usr/bin/aws";

export interface AwsCliResult {
  status: number;
  stdout: string;
  stderr: string;
  json<T = Record<string, unknown>>(): T;
}

/** True (and the test skipped) when the CLI is missing; under CI a missing CLI fails instead. */
export function skipWithoutAwsCli(t: TestContext): boolean {
  if (existsSync(AWS_CLI)) return false;
  if (process.env.CI === "true" || process.env.VAJRA_REQUIRE_SERVICES === "1")
    assert.fail(`${AWS_CLI} is missing (apt-get install -y awscli)`);
  t.skip(`${AWS_CLI} is missing (apt-get install -y awscli)`);
  return true;
}

/** `endpointPath` is appended to the server URL (the code bucket lives under /_s3). */
export function awsCli(s: ServerHandle, args: string[], endpointPath = ""): AwsCliResult {
  const r = spawnSync(AWS_CLI, [...args, "--endpoint-url", s.url + endpointPath, "--output", "json"], {
    encoding: "utf8",
    timeout: 120_000,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LANG: "C.UTF-8",
      HOME: s.dataDir,
      AWS_CONFIG_FILE: join(s.dataDir, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(s.dataDir, "credentials"),
      AWS_PROFILE: "vajra",
      AWS_PAGER: "",
      AWS_MAX_ATTEMPTS: "1",
    },
  });
  return {
    status: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr + (r.error === undefined ? "" : String(r.error)),
    json: <T>() => JSON.parse(r.stdout) as T,
  };
}

/** Asserts success and returns the parsed JSON output (empty for `aws s3`'s progress text). */
export function awsOk<T = Record<string, unknown>>(s: ServerHandle, args: string[], endpointPath = ""): T {
  const r = awsCli(s, args, endpointPath);
  assert.equal(r.status, 0, `aws ${args.join(" ")} failed:\n${r.stderr}`);
  return /^\s*[[{]/.test(r.stdout) ? r.json<T>() : ({} as T);
}
