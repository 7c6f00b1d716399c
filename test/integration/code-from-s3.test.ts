// Code from S3, as SAM, CDK and Terraform deploy it: `aws s3 cp` a zip into Vajra's own code bucket
// (/_s3) or an external S3-compatible store (--code-s3-endpoint; here another Vajra's /_s3 plays
// MinIO), then CreateFunction/UpdateFunctionCode/PublishLayerVersion name it by bucket and key.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, createRoles, startServer, stopAndClean, zipBase64, type ServerHandle } from "./harness.js";
import { awsCli, awsOk, skipWithoutAwsCli } from "./aws-cli.js";

let s: ServerHandle;
let zipPath: string;

const ROLE = "arn:aws:iam::000000000000:role/test";
const createArgs = (name: string, code: string): string[] => [
  "lambda",
  "create-function",
  "--function-name",
  name,
  "--runtime",
  "nodejs20.x",
  "--handler",
  "index.handler",
  "--role",
  ROLE,
  "--code",
  code,
];

before(async () => {
  s = await startServer();
  await createRoles(s, "test");
  zipPath = join(s.dataDir, "fn.zip");
  writeFileSync(zipPath, Buffer.from(await zipBase64(join(FIXTURES, "nodejs/cjs")), "base64"));
});
after(async () => {
  await stopAndClean(s);
});

test("aws s3 cp a zip, then create-function from S3Bucket/S3Key makes a function that answers", (t) => {
  if (skipWithoutAwsCli(t)) return;
  awsOk(s, ["s3", "cp", zipPath, "s3://code/fn.zip"], "/_s3");
  const listed = awsCli(s, ["s3", "ls", "s3://code/"], "/_s3");
  assert.match(listed.stdout, /fn\.zip/);
  const created = awsOk<{ FunctionArn: string; CodeSize: number; CodeSha256: string }>(
    s,
    createArgs("from-s3", "S3Bucket=code,S3Key=fn.zip"),
  );
  assert.equal(created.CodeSize, readFileSync(zipPath).length);
  const out = join(s.dataDir, "out.json");
  const invoked = awsOk<{ StatusCode: number }>(s, ["lambda", "invoke", "--function-name", "from-s3", out]);
  assert.equal(invoked.StatusCode, 200);
  assert.equal((JSON.parse(readFileSync(out, "utf8")) as { functionName: string }).functionName, "from-s3");
});

test("a missing object answers Lambda's GetObject error and creates nothing", (t) => {
  if (skipWithoutAwsCli(t)) return;
  const r = awsCli(s, createArgs("no-object", "S3Bucket=code,S3Key=missing.zip"));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /InvalidParameterValueException/);
  assert.match(r.stderr, /Error occurred while GetObject\. S3 Error Code: NoSuchKey\./);
  const bucketless = awsCli(s, createArgs("no-bucket", "S3Bucket=nobucket,S3Key=fn.zip"));
  assert.match(bucketless.stderr, /S3 Error Code: NoSuchBucket/);
  for (const name of ["no-object", "no-bucket"]) {
    const got = awsCli(s, ["lambda", "get-function", "--function-name", name]);
    assert.match(got.stderr, /ResourceNotFoundException/);
  }
});

test("update-function-code and publish-layer-version take code from the bucket", async (t) => {
  if (skipWithoutAwsCli(t)) return;
  awsOk(s, ["s3", "cp", zipPath, "s3://code/v1.zip"], "/_s3");
  awsOk(s, createArgs("updated-from-s3", "S3Bucket=code,S3Key=v1.zip"));
  const v2 = join(s.dataDir, "v2.zip");
  writeFileSync(v2, Buffer.from(await zipBase64(join(FIXTURES, "nodejs/esm")), "base64"));
  awsOk(s, ["s3", "cp", v2, "s3://code/v2.zip"], "/_s3");
  const updated = awsOk<{ CodeSize: number }>(s, [
    "lambda",
    "update-function-code",
    "--function-name",
    "updated-from-s3",
    "--s3-bucket",
    "code",
    "--s3-key",
    "v2.zip",
  ]);
  assert.equal(updated.CodeSize, readFileSync(v2).length);
  const layer = awsOk<{ Version: number; Content: { CodeSize: number } }>(s, [
    "lambda",
    "publish-layer-version",
    "--layer-name",
    "from-s3",
    "--content",
    "S3Bucket=code,S3Key=v1.zip",
  ]);
  assert.equal(layer.Version, 1);
  assert.equal(layer.Content.CodeSize, readFileSync(zipPath).length);
  const missingVersion = awsCli(s, [
    "lambda",
    "update-function-code",
    "--function-name",
    "updated-from-s3",
    "--s3-bucket",
    "code",
    "--s3-key",
    "v2.zip",
    "--s3-object-version",
    "3",
  ]);
  assert.match(missingVersion.stderr, /S3 Error Code: NoSuchVersion/);
});

test("the code bucket answers S3's errors and keeps objects across a restart", async (t) => {
  if (skipWithoutAwsCli(t)) return;
  awsOk(s, ["s3", "mb", "s3://kept"], "/_s3");
  const again = awsCli(s, ["s3", "mb", "s3://kept"], "/_s3");
  assert.match(again.stderr, /BucketAlreadyOwnedByYou/);
  const bad = awsCli(s, ["s3api", "create-bucket", "--bucket", "Bad_Name"], "/_s3");
  assert.match(bad.stderr, /InvalidBucketName/);
  awsOk(s, ["s3", "cp", zipPath, "s3://kept/dir/a b+c.zip"], "/_s3");
  const head = awsOk<{ ContentLength: number; ETag: string }>(
    s,
    ["s3api", "head-object", "--bucket", "kept", "--key", "dir/a b+c.zip"],
    "/_s3",
  );
  assert.equal(head.ContentLength, readFileSync(zipPath).length);
  const notEmpty = awsCli(s, ["s3", "rb", "s3://kept"], "/_s3");
  assert.match(notEmpty.stderr, /BucketNotEmpty/);
  const missing = awsCli(
    s,
    ["s3api", "get-object", "--bucket", "kept", "--key", "nope", "/dev/null"],
    "/_s3",
  );
  assert.match(missing.stderr, /NoSuchKey/);

  await s.stop();
  const restarted = await startServer({ dataDir: s.dataDir });
  s = restarted;
  const back = join(s.dataDir, "back.zip");
  awsOk(s, ["s3", "cp", "s3://kept/dir/a b+c.zip", back], "/_s3");
  assert.deepEqual(readFileSync(back), readFileSync(zipPath));
  awsOk(s, ["s3", "rm", "s3://kept/dir/a b+c.zip"], "/_s3");
  awsOk(s, ["s3", "rb", "s3://kept"], "/_s3");
});

test("with --code-s3-endpoint, code is fetched from that S3-compatible store with a signed GET", async (t) => {
  if (skipWithoutAwsCli(t)) return;
  awsOk(s, ["s3", "cp", zipPath, "s3://external/fn.zip"], "/_s3");
  // The first server's credentials are the external store's credentials.
  const creds = readFileSync(join(s.dataDir, "credentials"), "utf8");
  const field = (k: string): string => new RegExp(`^${k} = (.*)$`, "m").exec(creds)?.[1] ?? "";
  const b = await startServer({
    args: ["--code-s3-endpoint", `${s.url}/_s3`],
    env: {
      VAJRA_CODE_S3_ACCESS_KEY_ID: field("aws_access_key_id"),
      VAJRA_CODE_S3_SECRET_ACCESS_KEY: field("aws_secret_access_key"),
    },
  });
  await createRoles(b, "test");
  try {
    const created = awsOk<{ CodeSize: number }>(b, createArgs("external", "S3Bucket=external,S3Key=fn.zip"));
    assert.equal(created.CodeSize, readFileSync(zipPath).length);
    const missing = awsCli(b, createArgs("external-missing", "S3Bucket=external,S3Key=nope.zip"));
    assert.match(missing.stderr, /Error occurred while GetObject\. S3 Error Code: NoSuchKey\./);
    // The second server's own bucket is not where code comes from any more.
    awsOk(b, ["s3", "cp", zipPath, "s3://local-only/fn.zip"], "/_s3");
    const local = awsCli(b, createArgs("local-only", "S3Bucket=local-only,S3Key=fn.zip"));
    assert.match(local.stderr, /NoSuchBucket/);
  } finally {
    await stopAndClean(b);
  }
});

test("--code-s3-endpoint without credentials in the environment is refused at start", () => {
  const r = s.cli(["server", "--port", "0", "--code-s3-endpoint", "http://127.0.0.1:1"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /VAJRA_CODE_S3_ACCESS_KEY_ID/);
});
