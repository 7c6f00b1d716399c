// Access control for AWS clients: access keys created and revoked with `vajra keys`, and resource
// policies (AddPermission) that let a key of another account invoke a function — and nothing else.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  RemovePermissionCommand,
} from "@aws-sdk/client-lambda";
import { FIXTURES, createRoles, startServer, stopAndClean, zipBase64, type ServerHandle } from "./harness.js";
import { lambdaClientFor, rejectsAws } from "./aws-client.js";

let s: ServerHandle;
let lambda: LambdaClient;

before(async () => {
  s = await startServer();
  await createRoles(s, "test");
  lambda = lambdaClientFor(s);
  const zip = Buffer.from(await zipBase64(join(FIXTURES, "nodejs/cjs")), "base64");
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "sdk-fail",
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::000000000000:role/test",
      Handler: "index.fail",
      Code: { ZipFile: zip },
    }),
  );
});
after(async () => {
  lambda.destroy();
  await stopAndClean(s);
});

test("vajra keys creates, lists and revokes access keys that AWS clients sign with", async () => {
  const created = s.cli(["keys", "create", "--name", "ci", "--json"]);
  assert.equal(created.status, 0, created.stderr);
  const key = JSON.parse(created.stdout) as { accessKeyId: string; secretAccessKey: string };
  assert.match(key.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
  const listed = JSON.parse(s.cli(["keys", "list", "--json"]).stdout) as {
    keys: Array<{ accessKeyId: string; secretAccessKey?: string }>;
  };
  assert.ok(listed.keys.some((k) => k.accessKeyId === key.accessKeyId));
  assert.ok(
    listed.keys.every((k) => k.secretAccessKey === undefined),
    "secrets are never listed",
  );
  const client = new LambdaClient({ endpoint: s.url, region: "us-east-1", maxAttempts: 1, credentials: key });
  assert.ok(((await client.send(new ListFunctionsCommand({}))).Functions ?? []).length > 0);
  assert.equal(s.cli(["keys", "revoke", key.accessKeyId, "--yes"]).status, 0);
  await rejectsAws(client.send(new ListFunctionsCommand({})), "UnrecognizedClientException", 403);
  client.destroy();
});

test("resource policies let another account invoke, and nothing else", async () => {
  const created = s.cli(["keys", "create", "--name", "partner", "--account", "111122223333", "--json"]);
  assert.equal(created.status, 0, created.stderr);
  const key = JSON.parse(created.stdout) as { accessKeyId: string; secretAccessKey: string };
  const partner = new LambdaClient({
    endpoint: s.url,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: key,
  });
  await rejectsAws(
    partner.send(new InvokeCommand({ FunctionName: "sdk-fail" })),
    "AccessDeniedException",
    403,
    /111122223333/,
  );

  const added = await lambda.send(
    new AddPermissionCommand({
      FunctionName: "sdk-fail",
      StatementId: "partner-invoke",
      Action: "lambda:InvokeFunction",
      Principal: "111122223333",
    }),
  );
  assert.equal((JSON.parse(added.Statement ?? "{}") as { Sid: string }).Sid, "partner-invoke");
  assert.equal((await partner.send(new InvokeCommand({ FunctionName: "sdk-fail" }))).StatusCode, 200);
  await rejectsAws(partner.send(new ListFunctionsCommand({})), "AccessDeniedException", 403);
  await rejectsAws(
    partner.send(new DeleteFunctionCommand({ FunctionName: "sdk-fail" })),
    "AccessDeniedException",
    403,
  );

  const policy = JSON.parse(
    (await lambda.send(new GetPolicyCommand({ FunctionName: "sdk-fail" }))).Policy ?? "{}",
  ) as {
    Statement: Array<{ Sid: string; Principal: unknown; Action: string; Resource: string }>;
  };
  assert.deepEqual(policy.Statement[0], {
    Sid: "partner-invoke",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111122223333:root" },
    Action: "lambda:InvokeFunction",
    Resource: "arn:aws:lambda:us-east-1:000000000000:function:sdk-fail",
  });
  await rejectsAws(
    lambda.send(
      new AddPermissionCommand({
        FunctionName: "sdk-fail",
        StatementId: "partner-invoke",
        Action: "lambda:InvokeFunction",
        Principal: "*",
      }),
    ),
    "ResourceConflictException",
    409,
  );
  await lambda.send(new RemovePermissionCommand({ FunctionName: "sdk-fail", StatementId: "partner-invoke" }));
  await rejectsAws(
    partner.send(new InvokeCommand({ FunctionName: "sdk-fail" })),
    "AccessDeniedException",
    403,
  );
  await rejectsAws(
    lambda.send(new GetPolicyCommand({ FunctionName: "sdk-fail" })),
    "ResourceNotFoundException",
    404,
  );
  partner.destroy();
});
