import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFunctionName } from "./function-name.js";
import { operationFor } from "./operations.js";

test("function names, partial and full ARNs, with and without qualifiers", () => {
  assert.deepEqual(parseFunctionName("my-fn"), { name: "my-fn" });
  assert.deepEqual(parseFunctionName("my-fn:prod"), { name: "my-fn", qualifier: "prod" });
  assert.deepEqual(parseFunctionName("123456789012:function:my-fn:$LATEST"), {
    name: "my-fn",
    qualifier: "$LATEST",
    account: "123456789012",
  });
  assert.deepEqual(parseFunctionName("arn:aws:lambda:eu-west-1:123456789012:function:my-fn:3"), {
    name: "my-fn",
    qualifier: "3",
    region: "eu-west-1",
    account: "123456789012",
  });
  assert.deepEqual(parseFunctionName("us-gov-west-1:123456789012:function:my-fn"), {
    name: "my-fn",
    region: "us-gov-west-1",
    account: "123456789012",
  });
  assert.deepEqual(parseFunctionName("my-fn:$LATEST.PUBLISHED"), {
    name: "my-fn",
    qualifier: "$LATEST.PUBLISHED",
  });
  assert.throws(() => parseFunctionName("x".repeat(65)), /failed to satisfy constraint/);
  assert.throws(() => parseFunctionName("bad name"), /failed to satisfy constraint/);
});

test("requests are matched to Lambda operations by method and path", () => {
  assert.equal(operationFor("POST", "/2015-03-31/functions/f/invocations"), "Invoke");
  assert.equal(operationFor("POST", "/2018-10-31/layers/l/versions"), "PublishLayerVersion");
  assert.equal(operationFor("GET", "/2015-03-31/functions/f/aliases?x=1"), "ListAliases");
  assert.equal(operationFor("POST", "/2015-03-31/event-source-mappings/"), "CreateEventSourceMapping");
  assert.equal(operationFor("POST", "/2015-03-31/event-source-mappings"), "CreateEventSourceMapping");
  assert.equal(operationFor("GET", "/nothing"), undefined);
});
