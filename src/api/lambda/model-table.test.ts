import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isVajraError } from "../../core/errors.js";
import { buildModelTable, type ModelTable } from "./model-table.js";
import { LAMBDA_MODEL } from "./model-table.generated.js";
import { matchOperation } from "./check-request.js";
import { LAMBDA_OPERATIONS } from "./operations.js";
import { validateRequest } from "./validate.js";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");
/** The AWS model the table is generated from: VAJRA_LAMBDA_MODEL, else the project's shared reference copy. */
const MODEL =
  process.env.VAJRA_LAMBDA_MODEL ??
  [
    resolve(ROOT, "../shared/reference/lambda-api-model-2015-03-31.json"),
    resolve(ROOT, "../../shared/reference/lambda-api-model-2015-03-31.json"),
  ].find((p) => existsSync(p));

test(
  "the checked-in table is what the generator makes from the AWS model",
  { skip: MODEL === undefined ? "the AWS Lambda API model is not here (set VAJRA_LAMBDA_MODEL)" : false },
  () => {
    const fresh = buildModelTable(JSON.parse(readFileSync(MODEL ?? "", "utf8")));
    assert.deepEqual(
      fresh,
      LAMBDA_MODEL,
      "regenerate: node --import tsx src/api/lambda/model-table.ts MODEL",
    );
  },
);

test("the generator keeps bindings and constraints and drops documentation", () => {
  const model = {
    operations: {
      Op: { http: { method: "GET", requestUri: "/x/{Name}?List=ALL" }, input: { shape: "OpRequest" } },
      NoInput: { http: { method: "GET", requestUri: "/y" } },
    },
    shapes: {
      OpRequest: {
        type: "structure",
        required: ["Name"],
        documentation: "<p>dropped</p>",
        members: {
          Name: { shape: "Str", location: "uri", locationName: "Name", documentation: "x" },
          Tags: { shape: "TagMap" },
        },
      },
      Str: { type: "string", min: 1, max: 3, pattern: "[a-z]+", sensitive: true },
      TagMap: { type: "map", key: { shape: "Str" }, value: { shape: "Num" } },
      Num: { type: "integer", box: true, min: 0, max: 2 },
      Unused: { type: "string" },
    },
  };
  const table = buildModelTable(model);
  assert.deepEqual(table, {
    operations: {
      NoInput: { method: "GET", path: "/y" },
      Op: { method: "GET", path: "/x/{Name}", literalQuery: ["List", "ALL"], input: "OpRequest" },
    },
    shapes: {
      Num: { type: "integer", min: 0, max: 2 },
      OpRequest: {
        type: "structure",
        required: ["Name"],
        members: { Name: { shape: "Str", location: "uri", locationName: "Name" }, Tags: { shape: "TagMap" } },
      },
      Str: { type: "string", min: 1, max: 3, pattern: "[a-z]+", sensitive: true },
      TagMap: { type: "map", key: "Str", value: "Num" },
    },
  } satisfies ModelTable);
});

test("the table holds the operations Vajra routes, and every pattern compiles", () => {
  for (const name of [
    "CreateFunction",
    "Invoke",
    "GetAlias",
    "PutProvisionedConcurrencyConfig",
    "TagResource",
  ])
    assert.notEqual(LAMBDA_MODEL.operations[name]?.input, undefined, name);
  assert.ok(LAMBDA_OPERATIONS.length >= 80, "the API's operations, for answering unimplemented ones by name");
  for (const [name, s] of Object.entries(LAMBDA_MODEL.shapes)) {
    if (s.pattern !== undefined) assert.doesNotThrow(() => new RegExp(`^(?:${s.pattern})$`, "u"), name);
  }
});

test("requests are matched to operations, with the literal query telling shared paths apart", () => {
  assert.equal(
    matchOperation("GET", "/2019-09-30/functions/f/provisioned-concurrency?List=ALL")?.name,
    "ListProvisionedConcurrencyConfigs",
  );
  assert.equal(
    matchOperation("GET", "/2019-09-30/functions/f/provisioned-concurrency?Qualifier=1")?.name,
    "GetProvisionedConcurrencyConfig",
  );
  assert.equal(
    matchOperation("GET", "/2018-10-31/layers?find=LayerVersion&Arn=a")?.name,
    "GetLayerVersionByArn",
  );
  assert.equal(matchOperation("GET", "/2018-10-31/layers")?.name, "ListLayers");
  assert.deepEqual(
    matchOperation(
      "GET",
      "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af%3Alive/aliases/live",
    ),
    {
      name: "GetAlias",
      labels: { FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:f:live", Name: "live" },
    },
  );
  assert.equal(matchOperation("GET", "/nothing"), undefined);
});

const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return isVajraError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  return "ok";
};
const create = (body: Record<string, unknown>): string =>
  codeOf(() =>
    validateRequest("CreateFunction", {
      params: {},
      query: {},
      headers: {},
      body: Buffer.from(
        JSON.stringify({ FunctionName: "f", Role: "arn:aws:iam::123456789012:role/r", Code: {}, ...body }),
      ),
    }),
  );

test("wrong JSON types are serialization errors naming the member; null is absent", () => {
  assert.match(create({ Environment: "x" }), /^SerializationFailed: .*Environment must be a JSON object/);
  assert.match(
    create({ Environment: { Variables: { A: 1 } } }),
    /^SerializationFailed: .*Environment\.Variables\.A must be a string/,
  );
  assert.match(create({ Layers: "arn" }), /^SerializationFailed: .*Layers must be a JSON array/);
  assert.match(create({ Publish: "yes" }), /^SerializationFailed: .*Publish must be true or false/);
  assert.equal(create({ Environment: null, Description: null, Unknown: { any: 1 } }), "ok");
});

test("constraint violations are listed in AWS's words, sensitive values left out", () => {
  assert.equal(
    create({ MemorySize: 100000 }),
    "ValidationFailed: 1 validation error detected: Value '100000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 32768",
  );
  assert.equal(
    create({ Role: undefined, Handler: "a b" }),
    "ValidationFailed: 2 validation errors detected: Value 'a b' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+; Value null at 'role' failed to satisfy constraint: Member must not be null",
  );
  assert.match(
    create({ Environment: { Variables: { "1x": "secret" } } }),
    /Value at 'environment\.variables\.key'/,
  );
  assert.doesNotMatch(create({ Environment: { Variables: { "1x": "secret" } } }), /secret/);
  assert.match(
    create({ PackageType: "Jar" }),
    /Value 'Jar' at 'packageType' .*enum value set: \[Zip, Image\]/,
  );
  assert.equal(create({ Runtime: "go1.21" }), "ok", "Runtime is the service's check (Vajra ids too)");
  const invoke = (headers: Record<string, string>, query: Record<string, string> = {}): string =>
    codeOf(() =>
      validateRequest("Invoke", {
        params: { FunctionName: "f" },
        query,
        headers,
        body: Buffer.from("raw payload"),
      }),
    );
  assert.equal(invoke({ "x-amz-log-type": "Tail" }), "ok", "the payload is not read as JSON");
  assert.match(invoke({ "x-amz-log-type": "All" }), /at 'logType'/);
  assert.match(invoke({}, { Qualifier: "a b" }), /at 'qualifier'/);
});
