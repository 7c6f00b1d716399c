import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pythonSdkCheck } from "./host-check.js";
import {
  assembleNodeSdk,
  closureKey,
  minNodeMajor,
  NodeSdk,
  debianClosure,
  distPackagesEntries,
  nodeSdkClosure,
  packageNames,
  parseDepends,
} from "./runtime-sdks.js";

const work = mkdtempSync(join(tmpdir(), "vajra-sdks-unit-"));
after(() => rmSync(work, { recursive: true, force: true }));

void describe("Python SDK from Debian's packages", () => {
  void test("Depends fields keep the first alternative, without versions or architectures", () => {
    assert.deepEqual(parseDepends("python3-botocore (>= 1.6.6), python3-a | python3-b, python3:any"), [
      "python3-botocore",
      "python3-a",
      "python3",
    ]);
    assert.deepEqual(parseDepends(""), []);
  });

  void test("the closure follows installed python3-* packages only, once each, without pkg-resources", () => {
    const installed = new Map([
      ["python3-boto3", "python3-botocore (>= 1), python3-six, python3:any, libc6"],
      ["python3-botocore", "python3-dateutil, python3-boto3, python3-absent"],
      ["python3-dateutil", "python3-six (>= 1.5), tzdata, python3-pkg-resources"],
      ["python3-six", "python3:any"],
      ["python3-pkg-resources", "python3:any"],
    ]);
    assert.deepEqual(
      debianClosure("python3-boto3", (p) => installed.get(p)),
      ["python3-boto3", "python3-botocore", "python3-six", "python3-dateutil"],
    );
    assert.deepEqual(
      debianClosure("python3-boto3", () => undefined),
      [],
    );
  });

  void test("only top-level entries of dist-packages are exposed", () => {
    const d = "/usr/lib/python3/dist-packages";
    assert.deepEqual(
      distPackagesEntries([
        "/usr/lib/python3/dist-packages",
        `${d}/boto3`,
        `${d}/boto3/session.py`,
        `${d}/six.py`,
        `${d}/__pycache__`,
        `${d}/boto3-1.26.27.egg-info`,
        "/usr/share/doc/python3-boto3/copyright",
      ]),
      ["boto3", "boto3-1.26.27.egg-info", "six.py"],
    );
  });

  void test("doctor names python3-boto3 when boto3 is missing", () => {
    const missing = pythonSdkCheck(join(work, "no-dist-packages"));
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /install python3-boto3 for boto3/);
    assert.deepEqual(missing.aptPackages, ["python3-boto3"]);
  });
});

/** Writes a package folder with a package.json. */
function pkg(dir: string, name: string, version: string, extra: Record<string, unknown> = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version, ...extra }));
  writeFileSync(join(dir, "index.js"), `module.exports = ${JSON.stringify(`${name}@${version}`)};\n`);
}

/** A Vajra-like checkout: a client with hoisted, nested and optional dependencies, and unrelated packages. */
function checkout(clientVersion = "3.1.0"): string {
  const root = mkdtempSync(join(work, "root-"));
  const nm = join(root, "node_modules");
  pkg(join(nm, "@aws-sdk/client-lambda"), "@aws-sdk/client-lambda", clientVersion, {
    dependencies: { "@smithy/core": "^1", tslib: "^2" },
    optionalDependencies: { "not-installed": "1" },
  });
  pkg(join(nm, "@smithy/core"), "@smithy/core", "1.0.0", { dependencies: { tslib: "^1" } });
  // @smithy/core needs another tslib than the hoisted one: npm nests it.
  pkg(join(nm, "@smithy/core/node_modules/tslib"), "tslib", "1.14.0");
  pkg(join(nm, "tslib"), "tslib", "2.6.0");
  pkg(join(nm, "fastify"), "fastify", "5.0.0");
  pkg(join(nm, "@aws-sdk/unrelated"), "@aws-sdk/unrelated", "1.0.0");
  return root;
}

void describe("Node.js SDK assembly", () => {
  void test("the closure is what the clients need, nested copies included, nothing else", () => {
    const entries = nodeSdkClosure(checkout(), ["@aws-sdk/client-lambda"]);
    assert.deepEqual(
      entries.map((e) => `${e.rel}@${e.version}`),
      [
        "node_modules/@aws-sdk/client-lambda@3.1.0",
        "node_modules/@smithy/core/node_modules/tslib@1.14.0",
        "node_modules/@smithy/core@1.0.0",
        "node_modules/tslib@2.6.0",
      ].sort((a, b) => a.localeCompare(b)),
    );
  });

  void test("the SDK is offered to the Node.js versions every package's engines allow", () => {
    const sdk = assembleNodeSdk(checkout(), mkdtempSync(join(work, "data-")), ["@aws-sdk/client-lambda"]);
    assert.equal(sdk.minNodeMajor, 0, "no engines: any version");
    const e = (engines?: string) => ({
      name: "x",
      version: "1",
      rel: "x",
      ...(engines === undefined ? {} : { engines }),
    });
    assert.equal(minNodeMajor([e(">=18.0.0"), e(">= 20"), e(), e("^14 || >=16")]), 20);
    const floor = new NodeSdk(sdk.dir, sdk.key, {}, 20);
    assert.equal(floor.supports("20.20.2"), true);
    assert.equal(floor.supports("18.20.4"), false);
    assert.equal(floor.supports(undefined), false);
  });

  void test("a missing dependency names what needs it", () => {
    const root = checkout();
    rmSync(join(root, "node_modules/tslib"), { recursive: true });
    assert.throws(
      () => nodeSdkClosure(root, ["@aws-sdk/client-lambda"]),
      /tslib \(needed by @aws-sdk\/client-lambda\)/,
    );
  });

  void test("the folder is assembled once per set of versions and rebuilt when one changes", () => {
    const data = mkdtempSync(join(work, "data-"));
    const root = checkout();
    const a = assembleNodeSdk(root, data, ["@aws-sdk/client-lambda"]);
    assert.deepEqual(a.versions, { "@aws-sdk/client-lambda": "3.1.0" });
    assert.equal(
      readFileSync(join(a.dir, "@aws-sdk/client-lambda/index.js"), "utf8").includes("3.1.0"),
      true,
    );
    assert.equal(existsSync(join(a.dir, "@smithy/core/node_modules/tslib/package.json")), true);
    assert.equal(existsSync(join(a.dir, "fastify")), false, "nothing outside the closure");
    assert.equal(existsSync(join(a.dir, "@aws-sdk/unrelated")), false);
    const marker = statSync(join(a.dir, "..", ".complete")).mtimeMs;
    const again = assembleNodeSdk(root, data, ["@aws-sdk/client-lambda"]);
    assert.equal(again.dir, a.dir);
    assert.equal(statSync(join(a.dir, "..", ".complete")).mtimeMs, marker, "reused, not rebuilt");

    const newer = checkout("3.2.0");
    const b = assembleNodeSdk(newer, data, ["@aws-sdk/client-lambda"]);
    assert.notEqual(b.key, a.key);
    assert.equal(b.versions["@aws-sdk/client-lambda"], "3.2.0");
    assert.equal(existsSync(a.dir), false, "the older assembly is removed");
    assert.equal(closureKey(nodeSdkClosure(newer, ["@aws-sdk/client-lambda"])), b.key);
  });

  void test("the view links the SDK's packages, and a layer's own packages instead where it has them", () => {
    const data = mkdtempSync(join(work, "data-"));
    const sdk = assembleNodeSdk(checkout(), data, ["@aws-sdk/client-lambda"]);
    const plain = sdk.viewFor(undefined);
    assert.deepEqual(packageNames(plain), ["@aws-sdk/client-lambda", "@smithy/core", "tslib"]);
    assert.equal(
      readlinkSync(join(plain, "@aws-sdk/client-lambda")),
      "/var/sdk/nodejs/node_modules/@aws-sdk/client-lambda",
    );
    const opt = mkdtempSync(join(work, "opt-"));
    pkg(join(opt, "nodejs/node_modules/@aws-sdk/client-lambda"), "@aws-sdk/client-lambda", "0.0.1");
    pkg(join(opt, "nodejs/node_modules/uuid"), "uuid", "9.0.0");
    const layered = sdk.viewFor(opt);
    assert.notEqual(layered, plain);
    assert.equal(
      readlinkSync(join(layered, "@aws-sdk/client-lambda")),
      "/opt/nodejs/node_modules/@aws-sdk/client-lambda",
    );
    assert.equal(readlinkSync(join(layered, "uuid")), "/opt/nodejs/node_modules/uuid");
    assert.equal(readlinkSync(join(layered, "tslib")), "/var/sdk/nodejs/node_modules/tslib");
    assert.equal(sdk.viewFor(opt), layered, "made once per set of layer packages");
    assert.equal(sdk.viewFor(join(work, "no-such-opt")), plain, "an /opt without Node.js packages");
  });
});
