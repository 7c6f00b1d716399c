// The AWS SDKs the runtimes provide, as Lambda's managed runtimes do: boto3/botocore (Debian's
// python3-boto3) on every Python, the SDK for JavaScript v3 on Node.js for require() and ESM import;
// a function's own copy (in /var/task) and its layers' copy (in /opt) win over the provided one. The
// functions only construct clients: none of them sends a request.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateFunctionCommand, PublishLayerVersionCommand, type Runtime } from "@aws-sdk/client-lambda";
import { zipDirectory } from "../../src/blobs/zip-dir.js";
import { RUNTIMES } from "../../src/core/runtimes.js";
import { discoverRuntimes } from "../../src/executor/runtime-discovery.js";
import { createRoles, invoke, startServer, stopAndClean, zipBase64, type ServerHandle } from "./harness.js";
import { lambdaClientFor } from "./aws-client.js";
import { skipUnlessRuntime, skipUnlessSandbox, underCi } from "./runtime-support.js";

const SDK_VERSION = (
  (await import("@aws-sdk/client-lambda/package.json", { with: { type: "json" } })) as {
    default: { version: string };
  }
).default.version;

const sandboxSkip = skipUnlessSandbox();
const boto3Skip = existsSync("/usr/lib/python3/dist-packages/boto3")
  ? false
  : "needs boto3: install python3-boto3 (apt-get install -y python3-boto3)";
if (boto3Skip !== false && underCi()) throw new Error(`CI must have python3-boto3: ${boto3Skip}`);
const nodeSkip = sandboxSkip !== false ? sandboxSkip : skipUnlessRuntime("nodejs20.x");
// Every Python this host has (runtime-python.test.ts is the one that insists on each version).
const found = await discoverRuntimes();
const pythons = RUNTIMES.filter((r) => r.family === "python" && found.get(r.id)?.available === true).map(
  (r) => r.id,
);
const pySkip =
  sandboxSkip || boto3Skip || (pythons.length === 0 ? "no Python runtime is available here" : false);
const onePython = (pythons.includes("python3.12") ? "python3.12" : (pythons[0] ?? "python3.12")) as Runtime;

let s: ServerHandle;
let lambda: LambdaClient;
let work: string;

/** A folder holding `files`, for a zip. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, "fn-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function deployFiles(name: string, runtime: string, handler: string, files: Record<string, string>) {
  const r = await s.api("/functions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, runtime, handler, zipFile: await zipBase64(folder(files)) }),
  });
  assert.equal(r.status < 300, true, await r.text());
}

async function invokeOk(name: string): Promise<Record<string, unknown>> {
  const r = await invoke(s, name, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get("x-amz-function-error"), null, r.text);
  return r.json();
}

before(async () => {
  if (sandboxSkip !== false) return;
  work = mkdtempSync(join(tmpdir(), "vajra-sdks-"));
  s = await startServer();
  await createRoles(s, "x");
  lambda = lambdaClientFor(s);
});
after(async () => {
  if (sandboxSkip !== false) return;
  lambda.destroy();
  await stopAndClean(s);
  rmSync(work, { recursive: true, force: true });
});

const BOTO3_APP = `import boto3, botocore
def handler(event, context):
    c = boto3.client("lambda", endpoint_url="http://127.0.0.1:1", region_name="us-east-1")
    return {"boto3": boto3.__version__, "botocore": botocore.__version__, "file": boto3.__file__,
            "region": c.meta.region_name, "endpoint": c.meta.endpoint_url}
`;

test("boto3 and botocore import and make a lambda client on every Python", { skip: pySkip }, async () => {
  const seen: string[] = [];
  for (const runtime of pythons) {
    const name = `boto3-${runtime.replace(".", "")}`;
    await deployFiles(name, runtime, "app.handler", { "app.py": BOTO3_APP });
    const out = await invokeOk(name);
    assert.match(String(out.boto3), /^\d+\.\d+\.\d+$/, runtime);
    assert.match(String(out.botocore), /^\d+\.\d+\.\d+$/, runtime);
    assert.equal(out.file, "/var/sdk/python/boto3/__init__.py", runtime);
    assert.equal(out.region, "us-east-1");
    assert.equal(out.endpoint, "http://127.0.0.1:1");
    seen.push(runtime);
  }
  assert.deepEqual(seen, pythons);
});

test("a function's own boto3 wins over the provided one", { skip: pySkip }, async () => {
  await deployFiles("own-boto3", onePython, "app.handler", {
    "boto3/__init__.py": '__version__ = "0.0.0-own"\n',
    "app.py":
      "import boto3, botocore\ndef handler(e, c):\n    return {'boto3': boto3.__version__, 'botocore': botocore.__version__}\n",
  });
  const out = await invokeOk("own-boto3");
  assert.equal(out.boto3, "0.0.0-own");
  assert.match(String(out.botocore), /^\d+\.\d+\.\d+$/, "botocore still comes from the provided SDK");
});

const CJS_APP = `const { LambdaClient } = require("@aws-sdk/client-lambda");
exports.handler = async () => {
  const c = new LambdaClient({ region: "us-east-1", endpoint: "http://127.0.0.1:1" });
  const region = await c.config.region();
  c.destroy();
  return { version: require("@aws-sdk/client-lambda/package.json").version, region,
           file: require.resolve("@aws-sdk/client-lambda") };
};
`;
const ESM_APP = `import { LambdaClient } from "@aws-sdk/client-lambda";
import { STSClient } from "@aws-sdk/client-sts";
import { S3Client } from "@aws-sdk/client-s3";
import { fromEnv } from "@aws-sdk/credential-providers";
import { createRequire } from "node:module";
export const handler = async () => {
  const c = new LambdaClient({ region: "us-east-1", endpoint: "http://127.0.0.1:1", credentials: fromEnv() });
  new STSClient({ region: "us-east-1" }).destroy();
  new S3Client({ region: "us-east-1" }).destroy();
  const region = await c.config.region();
  c.destroy();
  const url = import.meta.resolve("@aws-sdk/client-lambda");
  const pj = createRequire(import.meta.url)("@aws-sdk/client-lambda/package.json");
  return { version: pj.version, region, file: new URL(url).pathname };
};
`;

test(
  "a CommonJS function requires @aws-sdk/client-lambda and makes a client",
  { skip: nodeSkip },
  async () => {
    await deployFiles("sdk-cjs", "nodejs20.x", "index.handler", { "index.js": CJS_APP });
    const out = await invokeOk("sdk-cjs");
    assert.deepEqual(out, {
      version: SDK_VERSION,
      region: "us-east-1",
      file: "/var/sdk/nodejs/node_modules/@aws-sdk/client-lambda/dist-cjs/index.js",
    });
  },
);

test("an ES module function imports the SDK v3 clients and makes a client", { skip: nodeSkip }, async () => {
  await deployFiles("sdk-esm", "nodejs20.x", "index.handler", { "index.mjs": ESM_APP });
  const out = await invokeOk("sdk-esm");
  assert.equal(out.version, SDK_VERSION);
  assert.equal(out.region, "us-east-1");
  assert.match(String(out.file), /^\/var\/sdk\/nodejs\/node_modules\/@aws-sdk\/client-lambda\/dist-/);
});

const STUB = {
  "node_modules/@aws-sdk/client-lambda/package.json": JSON.stringify({
    name: "@aws-sdk/client-lambda",
    version: "0.0.0-own",
    main: "index.js",
  }),
  "node_modules/@aws-sdk/client-lambda/index.js": "exports.LambdaClient = class LambdaClient {};\n",
};

test(
  "a function's own node_modules/@aws-sdk/client-lambda wins, for require and import",
  {
    skip: nodeSkip,
  },
  async () => {
    await deployFiles("own-sdk-cjs", "nodejs20.x", "index.handler", {
      ...STUB,
      "index.js": CJS_APP.replace(
        "const region = await c.config.region();\n  c.destroy();",
        'const region = "us-east-1";',
      ),
    });
    const cjs = await invokeOk("own-sdk-cjs");
    assert.equal(cjs.version, "0.0.0-own");
    assert.equal(cjs.file, "/var/task/node_modules/@aws-sdk/client-lambda/index.js");
    await deployFiles("own-sdk-esm", "nodejs20.x", "index.handler", {
      ...STUB,
      "index.mjs":
        'import { LambdaClient } from "@aws-sdk/client-lambda";\nimport { createRequire } from "node:module";\n' +
        "export const handler = async () => ({ stub: typeof new LambdaClient().config, " +
        'version: createRequire(import.meta.url)("@aws-sdk/client-lambda/package.json").version });\n',
    });
    assert.deepEqual(await invokeOk("own-sdk-esm"), { stub: "undefined", version: "0.0.0-own" });
  },
);

test(
  "a layer's @aws-sdk/client-lambda wins over the provided one; other packages still come from it",
  {
    skip: nodeSkip,
  },
  async () => {
    const layer = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: "own-sdk",
        Content: {
          ZipFile: await zipDirectory(
            folder(
              Object.fromEntries(
                Object.entries(STUB).map(([k, v]) => [`nodejs/${k}`, v.replace("0.0.0-own", "0.0.0-layer")]),
              ),
            ),
          ),
        },
      }),
    );
    const app = `exports.handler = async () => ({
  lambda: require("@aws-sdk/client-lambda/package.json").version,
  sts: require("@aws-sdk/client-sts/package.json").version,
  esm: (await import("@aws-sdk/client-lambda")).LambdaClient.name,
});
`;
    const code = await zipDirectory(folder({ "index.js": app }));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "layer-sdk",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: "arn:aws:iam::000000000000:role/x",
        Code: { ZipFile: code },
        ...(layer.LayerVersionArn === undefined ? {} : { Layers: [layer.LayerVersionArn] }),
      }),
    );
    const out = await invokeOk("layer-sdk");
    assert.equal(out.lambda, "0.0.0-layer");
    assert.equal(out.sts, SDK_VERSION);
    assert.equal(out.esm, "LambdaClient");
  },
);

test("a layer's boto3 wins over the provided one", { skip: pySkip }, async () => {
  const layer = await lambda.send(
    new PublishLayerVersionCommand({
      LayerName: "own-boto3",
      Content: {
        ZipFile: await zipDirectory(folder({ "python/boto3/__init__.py": '__version__ = "0.0.0-layer"\n' })),
      },
    }),
  );
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: "layer-boto3",
      Runtime: onePython,
      Handler: "app.handler",
      Role: "arn:aws:iam::000000000000:role/x",
      Code: {
        ZipFile: await zipDirectory(
          folder({
            "app.py":
              "import boto3, botocore\ndef handler(e, c):\n    return {'boto3': boto3.__version__, 'file': boto3.__file__, 'botocore': botocore.__file__}\n",
          }),
        ),
      },
      ...(layer.LayerVersionArn === undefined ? {} : { Layers: [layer.LayerVersionArn] }),
    }),
  );
  assert.deepEqual(await invokeOk("layer-boto3"), {
    boto3: "0.0.0-layer",
    file: "/opt/python/boto3/__init__.py",
    botocore: "/var/sdk/python/botocore/__init__.py",
  });
});
