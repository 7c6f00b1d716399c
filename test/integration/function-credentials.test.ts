// Functions call Lambda with their execution role, as on AWS: a Python function with boto3 and a Node.js
// function with the AWS SDK for JavaScript v3 (both provided by the runtimes, not packaged) invoke
// another function through the endpoint inside their sandbox, in network mode none and egress; calls
// outside the role's policy are denied; credentials copied out of a function are refused once the
// function is deleted.

import assert from "node:assert/strict";
import { test } from "node:test";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { EgressNetwork } from "../../src/executor/network/egress.js";
import { RUN_ID } from "../support/test-run.js";
import { deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { skipUnlessRuntime, skipUnlessSandbox, underCi } from "./runtime-support.js";

const skip = skipUnlessSandbox() || skipUnlessRuntime("python3.12") || skipUnlessRuntime("nodejs20.x");
/** Mode egress is tried too where the host offers it (root, ip, nft); under CI it must. */
const egressMissing = EgressNetwork.missing();
if (egressMissing !== undefined && underCi())
  throw new Error(`CI must offer mode egress: ${egressMissing.reason}`);
const NET_ENV = {
  VAJRA_NET_BRIDGE: `vjc${RUN_ID.replace(/[^a-z0-9]/g, "").slice(-5)}`,
  VAJRA_NET_SUBNET: "10.216",
};

const ACCOUNT = "000000000000";
const REGION = "us-east-1";

async function deployed(s: ServerHandle, body: Record<string, unknown> & { name: string }, fixture: string) {
  const r = await deploy(s, body, fixture);
  assert.equal(r.status, 201, JSON.stringify(r.json));
}

function roleCli(s: ServerHandle, args: string[]): void {
  const r = s.cli(["role", ...args]);
  assert.equal(r.status, 0, r.stderr);
}

test("functions invoke other functions with their role's credentials, and nothing beyond the role", async (t) => {
  if (skip !== false) return t.skip(skip);
  const python = "python3.12";
  const egress = egressMissing === undefined;
  const s = await startServer({ env: NET_ENV });
  try {
    roleCli(s, [
      "create",
      "orders-invoker",
      "--allow",
      "lambda:InvokeFunction",
      "--resource",
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-*`,
    ]);
    const role = `arn:aws:iam::${ACCOUNT}:role/orders-invoker`;
    for (const name of ["orders-a", "payroll"])
      await deployed(s, { name, runtime: "python3.12", handler: "app.handler" }, "python/orders");
    const modes = egress ? ["none", "egress"] : ["none"];
    for (const network of modes)
      await deployed(
        s,
        { name: `caller-py-${network}`, runtime: python, handler: "app.handler", role, network },
        "python/role-caller",
      );
    await deployed(
      s,
      { name: "caller-node", runtime: "nodejs20.x", handler: "index.handler", role },
      "nodejs/role-caller",
    );

    const event = { target: "orders-a", denied: "payroll" };
    let copied: Record<string, string> | undefined;
    for (const network of modes) {
      const r = await invoke(s, `caller-py-${network}`, event);
      assert.equal(r.status, 200, r.text);
      const out = r.json();
      assert.deepEqual(out.answer, { function: "orders-a", event: { from: "python" } }, `mode ${network}`);
      assert.equal(out.denied, "AccessDeniedException");
      assert.equal(out.listDenied, "AccessDeniedException");
      assert.equal(out.anonymous, 403, "the endpoint refuses requests without a session token");
      assert.equal(out.native, 403, "the endpoint never serves the native API");
      copied = out.credentials as Record<string, string>;
    }
    const node = await invoke(s, "caller-node", event);
    assert.equal(node.status, 200, node.text);
    assert.deepEqual(node.json(), {
      answer: { function: "orders-a", event: { from: "nodejs" } },
      denied: "AccessDeniedException",
      listDenied: "AccessDeniedException",
    });

    // The credentials work from outside too (SigV4 with the session token)… until the function is gone.
    assert.ok(copied?.AWS_SESSION_TOKEN, "the instance had a session token");
    const client = new LambdaClient({
      endpoint: s.url,
      region: REGION,
      credentials: {
        accessKeyId: copied.AWS_ACCESS_KEY_ID ?? "",
        secretAccessKey: copied.AWS_SECRET_ACCESS_KEY ?? "",
        sessionToken: copied.AWS_SESSION_TOKEN,
      },
    });
    try {
      const ok = await client.send(new InvokeCommand({ FunctionName: "orders-a", Payload: "{}" }));
      assert.equal(ok.StatusCode, 200);
      const del = await s.api(`/functions/caller-py-${modes[modes.length - 1]}`, { method: "DELETE" });
      assert.equal(del.status, 204);
      await assert.rejects(
        client.send(new InvokeCommand({ FunctionName: "orders-a", Payload: "{}" })),
        (e: Error) => e.name === "UnrecognizedClientException",
      );
    } finally {
      client.destroy();
    }
  } finally {
    await stopAndClean(s);
  }
});
