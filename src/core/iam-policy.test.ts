import { test } from "node:test";
import assert from "node:assert/strict";
import { isVajraError } from "./errors.js";
import { evaluatePolicy, parsePolicy, policyJson, simplePolicy, wildcardMatch } from "./iam-policy.js";

const FN = "arn:aws:lambda:us-east-1:000000000000:function:";

test("an explicit Deny wins over an Allow of the same action", () => {
  const p = parsePolicy({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "lambda:*", Resource: "*" },
      { Sid: "NoSecrets", Effect: "Deny", Action: "lambda:InvokeFunction", Resource: `${FN}secret*` },
    ],
  });
  assert.equal(evaluatePolicy(p, "lambda:InvokeFunction", `${FN}secret-a`), "explicit-deny");
  assert.equal(evaluatePolicy(p, "lambda:InvokeFunction", `${FN}orders-a`), "allow");
});

test("nothing is allowed by default", () => {
  const p = simplePolicy(["lambda:InvokeFunction"], [], [`${FN}orders-*`]);
  assert.equal(evaluatePolicy(p, "lambda:GetFunction", `${FN}orders-a`), "implicit-deny");
  assert.equal(evaluatePolicy(undefined, "lambda:InvokeFunction", `${FN}orders-a`), "implicit-deny");
});

test("actions match case-insensitively, with * and ? wildcards", () => {
  const p = simplePolicy(["LAMBDA:invoke*", "lambda:Get?unction"], [], ["*"]);
  assert.equal(evaluatePolicy(p, "lambda:InvokeFunction", `${FN}x`), "allow");
  assert.equal(evaluatePolicy(p, "lambda:GetFunction", `${FN}x`), "allow");
  assert.equal(evaluatePolicy(p, "lambda:GetFunctionConfiguration", `${FN}x`), "implicit-deny");
});

test("a resource * matches across colons, as IAM does, and resources compare case-sensitively", () => {
  assert.ok(wildcardMatch(`${FN}orders-*`, `${FN}orders-a:prod`));
  assert.ok(wildcardMatch("arn:aws:lambda:*:*:function:orders-?", `${FN}orders-a`));
  assert.ok(!wildcardMatch(`${FN}orders-*`, `${FN}Orders-a`));
  assert.ok(!wildcardMatch(`${FN}orders-a`, `${FN}orders-a:prod`));
});

test("NotAction allows everything but the listed actions", () => {
  const p = parsePolicy({ Statement: { Effect: "Allow", NotAction: ["lambda:Delete*"], Resource: "*" } });
  assert.equal(evaluatePolicy(p, "lambda:InvokeFunction", `${FN}a`), "allow");
  assert.equal(evaluatePolicy(p, "lambda:DeleteFunction", `${FN}a`), "implicit-deny");
  assert.deepEqual(policyJson(p).Statement, [
    { Effect: "Allow", NotAction: ["lambda:Delete*"], Resource: ["*"] },
  ]);
});

test("unsupported or malformed elements are clear errors naming the element", () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ Statement: [{ Effect: "Allow", Action: "lambda:*", Resource: "*", Condition: {} }] }, /Condition/],
    [{ Statement: [{ Effect: "Maybe", Action: "lambda:*", Resource: "*" }] }, /Effect/],
    [{ Statement: [{ Effect: "Allow", Resource: "*" }] }, /Action/],
    [{ Statement: [{ Effect: "Allow", Action: "lambda:*" }] }, /Resource/],
    [{ Statement: [{ Effect: "Allow", Action: "invoke", Resource: "*" }] }, /not an action/],
    [{ Version: "2020-01-01", Statement: [] }, /Version/],
    ["{not json", /not JSON/],
  ];
  for (const [doc, re] of bad) {
    assert.throws(
      () => parsePolicy(doc),
      (e: unknown) => isVajraError(e) && e.code === "InvalidParameter" && re.test(e.message),
    );
  }
});
