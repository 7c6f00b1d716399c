// Layers: published through the Lambda API, merged in order under /opt in the sandbox (Python finds
// /opt/python), at most five per function, and a deleted layer version keeps working for its users.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateFunctionCommand,
  DeleteLayerVersionCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  InvokeCommand,
  ListLayerVersionsCommand,
  ListLayersCommand,
  PublishLayerVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { zipDirectory } from "../../src/blobs/zip-dir.js";
import { FIXTURES, createRoles, startServer, stopAndClean, zipBase64, type ServerHandle } from "./harness.js";
import { skipUnlessSandbox } from "./runtime-support.js";
import { lambdaClientFor } from "./aws-client.js";

let s: ServerHandle;
let lambda: LambdaClient;
let work: string;
// Needs a bubblewrap sandbox: without one, one line says what to install (under CI, the file fails).
const skip = skipUnlessSandbox();

async function layerZip(files: Record<string, string>): Promise<Uint8Array> {
  const dir = mkdtempSync(join(work, "layer-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return zipDirectory(dir);
}

before(async () => {
  if (skip !== false) return;
  work = mkdtempSync(join(tmpdir(), "vajra-layers-"));
  s = await startServer();
  await createRoles(s, "r");
  lambda = lambdaClientFor(s);
});
after(async () => {
  if (skip !== false) return;
  lambda.destroy();
  await stopAndClean(s);
  rmSync(work, { recursive: true, force: true });
});

async function invokeJson(): Promise<{ greeting: string; data: string; opt: string[] }> {
  const r = await lambda.send(new InvokeCommand({ FunctionName: "layered" }));
  const text = Buffer.from(r.Payload ?? new Uint8Array()).toString();
  assert.equal(r.FunctionError, undefined, text);
  return JSON.parse(text) as { greeting: string; data: string; opt: string[] };
}

test("a function sees its layers merged in order under /opt", { skip }, async () => {
  const libs = await lambda.send(
    new PublishLayerVersionCommand({
      LayerName: "libs",
      Description: "helpers",
      CompatibleRuntimes: ["python3.11"],
      Content: {
        ZipFile: await layerZip({
          "python/helper.py": "def greet(n):\n    return 'hello ' + n\n",
          "data.txt": "from libs\n",
        }),
      },
    }),
  );
  assert.equal(libs.Version, 1);
  assert.equal(libs.LayerVersionArn, "arn:aws:lambda:us-east-1:000000000000:layer:libs:1");
  const data = await lambda.send(
    new PublishLayerVersionCommand({
      LayerName: "data",
      Content: { ZipFile: await layerZip({ "data.txt": "from data\n" }) },
    }),
  );

  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "layered",
      Runtime: "python3.11",
      Role: "arn:aws:iam::000000000000:role/r",
      Handler: "app.handler",
      Code: { ZipFile: Buffer.from(await zipBase64(join(FIXTURES, "python/layered")), "base64") },
      Layers: [libs.LayerVersionArn ?? "", data.LayerVersionArn ?? ""],
    }),
  );
  const out = await invokeJson();
  assert.equal(out.greeting, "hello layers");
  assert.equal(out.data, "from data", "the later layer wins");
  assert.deepEqual(out.opt, ["data.txt", "python"]);
});

test(
  "layer versions are listed, fetched by name or ARN, and deleting one keeps its users working",
  { skip },
  async () => {
    const v2 = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: "libs",
        Content: { ZipFile: await layerZip({ "python/helper.py": "def greet(n):\n    return 'v2 ' + n\n" }) },
      }),
    );
    assert.equal(v2.Version, 2);
    assert.deepEqual(
      (await lambda.send(new ListLayerVersionsCommand({ LayerName: "libs" }))).LayerVersions?.map(
        (v) => v.Version,
      ),
      [2, 1],
    );
    assert.ok(
      (await lambda.send(new ListLayersCommand({}))).Layers?.some(
        (l) => l.LayerName === "libs" && l.LatestMatchingVersion?.Version === 2,
      ),
    );
    assert.equal(
      (await lambda.send(new GetLayerVersionCommand({ LayerName: "libs", VersionNumber: 1 }))).Description,
      "helpers",
    );
    assert.equal(
      (
        await lambda.send(
          new GetLayerVersionByArnCommand({ Arn: "arn:aws:lambda:us-east-1:000000000000:layer:libs:2" }),
        )
      ).Version,
      2,
    );

    await lambda.send(new DeleteLayerVersionCommand({ LayerName: "libs", VersionNumber: 1 }));
    await s.api("/functions/layered/instances", { method: "DELETE" });
    assert.equal(
      (await invokeJson()).greeting,
      "hello layers",
      "a cold start still finds the deleted version's files",
    );
    await assert.rejects(
      lambda.send(new GetLayerVersionCommand({ LayerName: "libs", VersionNumber: 1 })),
      (e: { name: string }) => e.name === "ResourceNotFoundException",
    );
  },
);

test("at most five layers, and only existing ones", { skip }, async () => {
  const arn = "arn:aws:lambda:us-east-1:000000000000:layer:libs:2";
  await assert.rejects(
    lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "layered",
        Layers: [arn, arn, arn, arn, arn, arn],
      }),
    ),
    (e: { name: string; message: string }) =>
      e.name === "InvalidParameterValueException" && /at most 5 layers/.test(e.message),
  );
  await assert.rejects(
    lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "layered",
        Layers: ["arn:aws:lambda:us-east-1:000000000000:layer:nope:1"],
      }),
    ),
    (e: { name: string }) => e.name === "ResourceNotFoundException",
  );
  const moved = await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: "layered",
      Layers: [arn, "arn:aws:lambda:us-east-1:000000000000:layer:data:1"],
    }),
  );
  assert.deepEqual(
    moved.Layers?.map((l) => l.Arn),
    [arn, "arn:aws:lambda:us-east-1:000000000000:layer:data:1"],
  );
  assert.equal((await invokeJson()).greeting, "v2 layers");
});
