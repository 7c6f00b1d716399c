import { test } from "node:test";
import assert from "node:assert/strict";
import { arnScope, isRegionName, partitionOf, withArnScope } from "./arn-scope.js";
import { functionArn, layerArn } from "./lambda-format.js";

test("ARNs outside any request name us-east-1 and account 000000000000", () => {
  assert.equal(functionArn("f"), "arn:aws:lambda:us-east-1:000000000000:function:f");
});

test("ARNs built inside a scope, even after an await, name its region and account", async () => {
  const scope = { region: "eu-west-1", account: "123456789012" };
  const arn = await withArnScope(scope, async () => {
    await new Promise((r) => setTimeout(r, 1));
    return functionArn("f", "3");
  });
  assert.equal(arn, "arn:aws:lambda:eu-west-1:123456789012:function:f:3");
  assert.equal(
    withArnScope(scope, () => layerArn("l")),
    "arn:aws:lambda:eu-west-1:123456789012:layer:l",
  );
  assert.equal(arnScope().region, "us-east-1", "the scope ends with its callback");
});

test("China and GovCloud regions have their own ARN partitions", () => {
  assert.equal(partitionOf("cn-north-1"), "aws-cn");
  assert.equal(partitionOf("us-gov-west-1"), "aws-us-gov");
  assert.equal(
    functionArn("f", undefined, "cn-north-1", "123456789012"),
    "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
  );
});

test("a region name is lower-case letters, digits and dashes", () => {
  for (const ok of ["us-east-1", "eu-west-1", "us-gov-west-1", "local"]) assert.ok(isRegionName(ok), ok);
  for (const bad of ["", "EU-WEST-1", "eu west", "a:b", "eu-west-1/x", "-x"])
    assert.ok(!isRegionName(bad), bad);
});
