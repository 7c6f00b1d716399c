import { test } from "node:test";
import assert from "node:assert/strict";
import { isVajraError } from "../../core/errors.js";
import { FUNCTION_REF_RULES, resolveFunctionRef } from "./function-ref.js";

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn";

test("the rules come from the model: Qualifier parameter, alias in the path, or $LATEST only", () => {
  assert.deepEqual(FUNCTION_REF_RULES.Invoke, {
    location: "uri",
    key: "FunctionName",
    shape: "NamespacedFunctionName",
    policy: "param",
    qualifierKey: "Qualifier",
  });
  assert.equal(FUNCTION_REF_RULES.GetAlias?.policy, "alias");
  assert.equal(FUNCTION_REF_RULES.UpdateAlias?.policy, "alias");
  assert.equal(FUNCTION_REF_RULES.GetFunction?.policy, "param");
  assert.equal(FUNCTION_REF_RULES.GetPolicy?.policy, "param");
  assert.equal(FUNCTION_REF_RULES.UpdateFunctionConfiguration?.policy, "latest");
  assert.equal(FUNCTION_REF_RULES.CreateAlias?.policy, "latest");
  assert.equal(FUNCTION_REF_RULES.GetFunctionUrlConfig?.shape, "FunctionUrlFunctionName");
  assert.equal(FUNCTION_REF_RULES.CreateFunction?.location, "body");
  assert.equal(FUNCTION_REF_RULES.ListEventSourceMappings?.location, "querystring");
  assert.equal(FUNCTION_REF_RULES.ListFunctions, undefined);
});

test("a qualifier in the name and the Qualifier parameter are one qualifier, and must agree", () => {
  assert.deepEqual(resolveFunctionRef("Invoke", `${ARN}:live`), {
    name: "fn",
    qualifier: "live",
    region: "us-east-1",
    account: "123456789012",
  });
  assert.deepEqual(resolveFunctionRef("GetFunction", "fn", { qualifier: "2" }), {
    name: "fn",
    qualifier: "2",
  });
  assert.deepEqual(resolveFunctionRef("GetFunction", "fn:2", { qualifier: "2" }), {
    name: "fn",
    qualifier: "2",
  });
  assert.throws(
    () => resolveFunctionRef("Invoke", "fn:live", { qualifier: "2" }),
    (e: unknown) =>
      isVajraError(e) &&
      e.code === "InvalidParameter" &&
      /derived qualifier from the function name does not match the specified qualifier/.test(e.message),
  );
});

test("alias operations take the alias's own ARN; $LATEST-only operations refuse other qualifiers", () => {
  assert.deepEqual(resolveFunctionRef("GetAlias", `${ARN}:live`, { alias: "live" }), {
    name: "fn",
    region: "us-east-1",
    account: "123456789012",
  });
  assert.throws(() => resolveFunctionRef("GetAlias", "fn:other", { alias: "live" }), /does not match/);
  assert.deepEqual(resolveFunctionRef("PublishVersion", "123456789012:function:fn:$LATEST"), {
    name: "fn",
    account: "123456789012",
  });
  assert.throws(() => resolveFunctionRef("UpdateFunctionCode", "fn:3"), /\$LATEST.*':3'/);
});
