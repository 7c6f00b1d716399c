// Execution roles end to end: roles made with the CLI, functions created with the AWS SDK naming them,
// a function's own session credentials (read out of it) used with the AWS SDK against the server, the
// role's policy enforced per operation, and those credentials refused once revoked or expired.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { FIXTURES, startServer, stopAndClean, zipBase64, type ServerHandle } from "./harness.js";
import { lambdaClientFor, rejectsAws } from "./aws-client.js";

interface Creds {
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_SESSION_TOKEN: string;
}

const ACCOUNT = "000000000000";
const roleArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;

let s: ServerHandle;
let admin: LambdaClient;
let pyZip: Uint8Array;
let nodeZip: Uint8Array;

before(async () => {
  s = await startServer();
  admin = lambdaClientFor(s);
  pyZip = Buffer.from(await zipBase64(join(FIXTURES, "python/creds")), "base64");
  nodeZip = Buffer.from(await zipBase64(join(FIXTURES, "nodejs/cjs")), "base64");
});
after(async () => {
  admin.destroy();
  await stopAndClean(s);
});

async function createFn(client: LambdaClient, name: string, role: string, python = true): Promise<void> {
  await client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: python ? "python3.11" : "nodejs20.x",
      Handler: python ? "lambda_function.handler" : "index.handler",
      Role: role,
      Code: { ZipFile: python ? pyZip : nodeZip },
    }),
  );
}

async function credentialsOf(client: LambdaClient, name: string): Promise<Creds> {
  const out = await client.send(new InvokeCommand({ FunctionName: name }));
  assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
  return JSON.parse(Buffer.from(out.Payload ?? []).toString("utf8")) as Creds;
}

function clientWith(server: ServerHandle, c: Creds): LambdaClient {
  return new LambdaClient({
    endpoint: server.url,
    region: "us-east-1",
    maxAttempts: 1,
    credentials: {
      accessKeyId: c.AWS_ACCESS_KEY_ID,
      secretAccessKey: c.AWS_SECRET_ACCESS_KEY,
      sessionToken: c.AWS_SESSION_TOKEN,
    },
  });
}

/** STS GetCallerIdentity signed with session credentials (the repo has no STS client package). */
async function callerIdentity(server: ServerHandle, c: Creds): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const signer = new SignatureV4({
    service: "sts",
    region: "us-east-1",
    sha256: Hash.bind(null, "sha256"),
    credentials: {
      accessKeyId: c.AWS_ACCESS_KEY_ID,
      secretAccessKey: c.AWS_SECRET_ACCESS_KEY,
      sessionToken: c.AWS_SESSION_TOKEN,
    },
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: { host: url.host, "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  const r = await fetch(`${server.url}/`, { method: "POST", headers: signed.headers, body });
  return { status: r.status, body: await r.text() };
}

test("roles are made with the CLI and named by functions the AWS SDK creates; an unknown role is refused", async () => {
  const created = s.cli([
    "role",
    "create",
    "orders-caller",
    "--allow",
    "lambda:InvokeFunction",
    "--resource",
    "arn:aws:lambda:*:*:function:orders-*",
  ]);
  assert.equal(created.status, 0, created.stderr);
  const shown = JSON.parse(s.cli(["role", "show", "orders-caller", "--json"]).stdout) as {
    arn: string;
    roleId: string;
  };
  assert.equal(shown.arn, roleArn("orders-caller"));
  assert.match(shown.roleId, /^AROA[A-Z2-7]{17}$/);
  assert.match(s.cli(["role", "list"]).stdout, /orders-caller/);

  await createFn(admin, "caller", roleArn("orders-caller"));
  const cfg = await admin.send(new GetFunctionConfigurationCommand({ FunctionName: "caller" }));
  assert.equal(cfg.Role, roleArn("orders-caller"));
  await rejectsAws(
    createFn(admin, "orphan", roleArn("no-such-role")),
    "InvalidParameterValueException",
    400,
    /The role defined for the function cannot be assumed by Lambda\./,
  );
  await rejectsAws(
    admin.send(new GetFunctionConfigurationCommand({ FunctionName: "orphan" })),
    "ResourceNotFoundException",
    404,
  );
});

test("a function's own credentials invoke what its role allows and are denied the rest", async () => {
  await createFn(admin, "orders-a", roleArn("orders-caller"), false);
  await createFn(admin, "billing", roleArn("orders-caller"), false);
  const creds = await credentialsOf(admin, "caller");
  assert.match(creds.AWS_ACCESS_KEY_ID, /^ASIA/);
  assert.ok(creds.AWS_SESSION_TOKEN.length > 20);
  const fnClient = clientWith(s, creds);
  try {
    const ok = await fnClient.send(
      new InvokeCommand({ FunctionName: "orders-a", Payload: Buffer.from("{}") }),
    );
    assert.equal(ok.StatusCode, 200);
    assert.equal(ok.FunctionError, undefined);
    await rejectsAws(
      fnClient.send(new InvokeCommand({ FunctionName: "billing" })),
      "AccessDeniedException",
      403,
      new RegExp(
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/orders-caller/caller is not authorized to perform: ` +
          `lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:${ACCOUNT}:function:billing because no identity-based policy allows the lambda:InvokeFunction action`,
      ),
    );
    await rejectsAws(
      fnClient.send(new ListFunctionsCommand({})),
      "AccessDeniedException",
      403,
      /lambda:ListFunctions on resource: \*/,
    );
    await rejectsAws(
      fnClient.send(new DeleteFunctionCommand({ FunctionName: "orders-a" })),
      "AccessDeniedException",
      403,
    );

    const who = await callerIdentity(s, creds);
    assert.equal(who.status, 200, who.body);
    assert.match(
      who.body,
      new RegExp(`<Arn>arn:aws:sts::${ACCOUNT}:assumed-role/orders-caller/caller</Arn>`),
    );

    // Without its token, or with a forged one, an ASIA key is nobody.
    const noToken = clientWith(s, { ...creds, AWS_SESSION_TOKEN: "" });
    await rejectsAws(
      noToken.send(new InvokeCommand({ FunctionName: "orders-a" })),
      "UnrecognizedClientException",
      403,
    );
    noToken.destroy();
    // Session credentials never reach the native API or the code bucket.
    const native = await fetch(`${s.url}/functions`, {
      headers: { authorization: `Bearer ${creds.AWS_SESSION_TOKEN}` },
    });
    assert.equal(native.status, 401);

    // After the function is deleted, credentials copied out of it are refused.
    await admin.send(new DeleteFunctionCommand({ FunctionName: "caller" }));
    await rejectsAws(
      fnClient.send(new InvokeCommand({ FunctionName: "orders-a" })),
      "UnrecognizedClientException",
      403,
      /The security token included in the request is invalid\./,
    );
    // ... and stay refused when a function of that name is created again.
    await createFn(admin, "caller", roleArn("orders-caller"));
    await rejectsAws(
      fnClient.send(new InvokeCommand({ FunctionName: "orders-a" })),
      "UnrecognizedClientException",
      403,
    );
    // Deleting the role revokes the new function's credentials too.
    const fresh = clientWith(s, await credentialsOf(admin, "caller"));
    assert.equal((await fresh.send(new InvokeCommand({ FunctionName: "orders-a" }))).StatusCode, 200);
    assert.equal(s.cli(["role", "delete", "orders-caller", "--yes"]).status, 0);
    await rejectsAws(
      fresh.send(new InvokeCommand({ FunctionName: "orders-a" })),
      "UnrecognizedClientException",
      403,
    );
    fresh.destroy();
    // Created again, the role has a new id: the function's warm instance (holding credentials for the
    // deleted role) is replaced, and the next instance's credentials work.
    const recreated = s.cli([
      "role",
      "create",
      "orders-caller",
      "--allow",
      "lambda:InvokeFunction",
      "--resource",
      "arn:aws:lambda:*:*:function:orders-*",
    ]);
    assert.equal(recreated.status, 0, recreated.stderr);
    const again = clientWith(s, await credentialsOf(admin, "caller"));
    assert.equal((await again.send(new InvokeCommand({ FunctionName: "orders-a" }))).StatusCode, 200);
    again.destroy();
  } finally {
    fnClient.destroy();
  }
});

test("an explicit deny wins, and a function without a role has no permissions", async () => {
  const put = await s.api("/roles/mixed", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      policy: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "lambda:*", Resource: "*" },
          {
            Effect: "Deny",
            Action: "lambda:InvokeFunction",
            Resource: "arn:aws:lambda:*:*:function:secret*",
          },
        ],
      },
    }),
  });
  assert.equal(put.status, 201);
  const bad = await s.api("/roles/conditional", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      policy: { Statement: [{ Effect: "Allow", Action: "lambda:*", Resource: "*", Condition: {} }] },
    }),
  });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /Condition is not supported/);

  // The CLI deploys with a role name; an unknown one changes nothing.
  const fixture = join(FIXTURES, "python/creds");
  const deployed = s.cli(["deploy", "cli-fn", fixture, "--role", "mixed", "--json"]);
  assert.equal(deployed.status, 0, deployed.stderr);
  assert.equal((JSON.parse(deployed.stdout) as { role: string }).role, roleArn("mixed"));
  const refused = s.cli(["deploy", "cli-fn", fixture, "--role", "nope"]);
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /cannot be assumed by Lambda/);
  const info = (await (await s.api("/functions/cli-fn")).json()) as { role: string };
  assert.equal(info.role, roleArn("mixed"));

  await createFn(admin, "mixed-caller", roleArn("mixed"));
  await createFn(admin, "secret-fn", roleArn("mixed"), false);
  const c = clientWith(s, await credentialsOf(admin, "mixed-caller"));
  try {
    assert.ok(((await c.send(new ListFunctionsCommand({}))).Functions ?? []).length > 0);
    await rejectsAws(
      c.send(new InvokeCommand({ FunctionName: "secret-fn" })),
      "AccessDeniedException",
      403,
      /with an explicit deny in an identity-based policy/,
    );
  } finally {
    c.destroy();
  }

  await admin.send(
    new CreateFunctionCommand({
      FunctionName: "roleless",
      Runtime: "python3.11",
      Handler: "lambda_function.handler",
      Role: roleArn("vajra-function"),
      Code: { ZipFile: pyZip },
    }),
  );
  const none = clientWith(s, await credentialsOf(admin, "roleless"));
  try {
    await rejectsAws(
      none.send(new InvokeCommand({ FunctionName: "mixed-caller" })),
      "AccessDeniedException",
      403,
    );
  } finally {
    none.destroy();
  }
  // An operator who creates the built-in role gives such functions permissions; their warm instances are
  // replaced, so the next invocation already runs with credentials for the new role.
  const builtin = s.cli(["role", "create", "vajra-function", "--allow", "lambda:ListFunctions"]);
  assert.equal(builtin.status, 0, builtin.stderr);
  const granted = clientWith(s, await credentialsOf(admin, "roleless"));
  try {
    assert.ok(((await granted.send(new ListFunctionsCommand({}))).Functions ?? []).length > 0);
  } finally {
    granted.destroy();
  }
});

test("expired credentials are refused and a fresh instance gets fresh ones", async () => {
  // A TTL shorter than timeout + 60 s: no idle instance is ever reused, each start mints anew.
  const short = await startServer({ env: { VAJRA_CREDENTIALS_TTL_SECONDS: "2" } });
  const client = lambdaClientFor(short);
  try {
    const created = short.cli(["role", "create", "all", "--allow", "lambda:*"]);
    assert.equal(created.status, 0, created.stderr);
    await createFn(client, "short", roleArn("all"));
    const first = await credentialsOf(client, "short");
    const c = clientWith(short, first);
    // Bounded wait for the 2 s expiry (no timing is asserted: only the outcome once expired).
    for (let i = 0; i < 100; i++) {
      const r = await c.send(new ListFunctionsCommand({})).then(
        () => "ok",
        (e: { name: string }) => e.name,
      );
      if (r !== "ok") {
        assert.equal(r, "ExpiredTokenException");
        break;
      }
      assert.ok(i < 99, "credentials never expired");
      await new Promise((res) => setTimeout(res, 100));
    }
    await rejectsAws(
      c.send(new ListFunctionsCommand({})),
      "ExpiredTokenException",
      403,
      /The security token included in the request is expired/,
    );
    c.destroy();
    const second = await credentialsOf(client, "short");
    assert.notEqual(second.AWS_ACCESS_KEY_ID, first.AWS_ACCESS_KEY_ID);
    const c2 = clientWith(short, second);
    assert.ok(Array.isArray((await c2.send(new ListFunctionsCommand({}))).Functions));
    c2.destroy();
  } finally {
    client.destroy();
    await stopAndClean(short);
  }
});
