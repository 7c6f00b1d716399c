import { test } from "node:test";
import assert from "node:assert/strict";
import { policyAllows, policyDocument, validateStatement } from "./policy.js";

test("statements allow the named account, any principal with *, and the given action only", () => {
  const s = [validateStatement({ sid: "a", action: "lambda:InvokeFunction", principal: "111122223333" })];
  assert.equal(policyAllows(s, "111122223333", "lambda:InvokeFunction"), true);
  assert.equal(policyAllows(s, "444455556666", "lambda:InvokeFunction"), false);
  assert.equal(policyAllows(s, "111122223333", "lambda:GetFunction"), false);
  assert.equal(
    policyAllows(
      [validateStatement({ sid: "b", action: "lambda:*", principal: "*" })],
      "444455556666",
      "lambda:InvokeFunction",
    ),
    true,
  );
  assert.equal(
    policyAllows(
      [
        validateStatement({
          sid: "c",
          action: "lambda:InvokeFunction",
          principal: "arn:aws:iam::111122223333:root",
        }),
      ],
      "111122223333",
      "lambda:InvokeFunction",
    ),
    true,
  );
});

test("bad statements name the field", () => {
  assert.throws(
    () => validateStatement({ sid: "bad sid", action: "lambda:InvokeFunction", principal: "*" }),
    /StatementId/,
  );
  assert.throws(() => validateStatement({ sid: "x", action: "s3:GetObject", principal: "*" }), /Action/);
  assert.throws(
    () => validateStatement({ sid: "x", action: "lambda:InvokeFunction", principal: "someone" }),
    /Principal/,
  );
});

test("the policy document has IAM's shape", () => {
  const doc = policyDocument("f", [
    validateStatement({
      sid: "s3",
      action: "lambda:InvokeFunction",
      principal: "s3.amazonaws.com",
      sourceArn: "arn:aws:s3:::b",
    }),
  ]);
  assert.deepEqual(doc.Statement, [
    {
      Sid: "s3",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: "arn:aws:lambda:us-east-1:000000000000:function:f",
      Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:s3:::b" } },
    },
  ]);
});
