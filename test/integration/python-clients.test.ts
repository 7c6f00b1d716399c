// The Python AWS clients (boto3 and the AWS CLI v2, as Debian ships them) against a real Vajra server:
// runs test/compat/boto3_compat.py and test/compat/awscli_compat.sh, which do the checking themselves.

import { after, before, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, createRoles, startServer, stopAndClean, type ServerHandle } from "./harness.js";

const PYTHON = "/usr/bin/python3";
const AWS = "/usr/bin/aws";
const COMPAT = join(ROOT, "test", "compat");

let s: ServerHandle;

before(async () => {
  s = await startServer();
  await createRoles(s, "compat");
});
after(async () => {
  await stopAndClean(s);
});

/** Skips the test when a client is missing, unless CI requires every client to be there. */
function skipUnless(t: TestContext, missing: string | undefined): boolean {
  if (missing === undefined) return false;
  if (process.env.VAJRA_REQUIRE_SERVICES === "1")
    assert.fail(`${missing}: install awscli python3-boto3 (apt-get install -y awscli python3-boto3)`);
  t.skip(`${missing} (apt-get install -y awscli python3-boto3)`);
  return true;
}

function run(cmd: string, args: string[], env: Record<string, string>): void {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    timeout: 240_000,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", ...env },
  });
  const output = `$ ${cmd} ${args.join(" ")}\n${r.stdout}${r.stderr}${r.error ? String(r.error) : ""}`;
  if (r.status !== 0) console.log(output);
  assert.equal(r.status, 0, `exited with ${r.status ?? r.signal}:\n${output}`);
}

test("boto3 manages, invokes and routes functions and sees AWS-shaped errors", (t) => {
  const probe = existsSync(PYTHON)
    ? spawnSync(PYTHON, ["-c", "import boto3"], { encoding: "utf8" })
    : undefined;
  if (skipUnless(t, probe?.status === 0 ? undefined : `${PYTHON} cannot import boto3`)) return;
  const credentials = join(s.dataDir, "credentials");
  run(PYTHON, [join(COMPAT, "boto3_compat.py"), s.url, credentials], {
    HOME: s.dataDir,
    VAJRA_ENDPOINT: s.url,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_PROFILE: "vajra",
  });
});

test("the AWS CLI v2 manages, invokes and throttles functions with waiters and aliases", (t) => {
  if (skipUnless(t, existsSync(AWS) ? undefined : `${AWS} is missing`)) return;
  run("bash", [join(COMPAT, "awscli_compat.sh"), s.url, s.dataDir], { AWS_CLI: AWS });
});
