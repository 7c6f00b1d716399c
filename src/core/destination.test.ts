import assert from "node:assert/strict";
import { test } from "node:test";
import { isVajraError } from "./errors.js";
import { maskDestination, parseDestination } from "./destination.js";

test("parses every destination kind", () => {
  const f = parseDestination("arn:aws:lambda:eu-west-1:123456789012:function:sink:live", "F");
  assert.deepEqual(
    [f.kind, f.region, f.account, f.functionName, f.qualifier],
    ["function", "eu-west-1", "123456789012", "sink", "live"],
  );
  assert.equal(parseDestination("nats://h:4222?subject=a.b", "F").kind, "nats");
  assert.equal(parseDestination("amqp://u:p@h:5672/v?exchange=e&routingKey=k", "F").kind, "amqp");
  assert.equal(parseDestination("amqp://h?queue=q", "F").kind, "amqp");
  assert.equal(parseDestination("mqtt://h:1883?topic=a/b", "F").kind, "mqtt");
  assert.equal(parseDestination("redis://h:6379?stream=s", "F").kind, "redis");
  assert.equal(parseDestination("https://example.test/hook", "F").kind, "http");
});

test("refuses malformed destinations with a message naming the field", () => {
  const bad: [unknown, RegExp][] = [
    [undefined, /a destination is required/],
    ["arn:aws:sqs:us-east-1:123456789012:q", /not a destination Vajra delivers to/],
    ["kafka://h?topic=t", /unknown destination kind "kafka"/],
    ["nats://h:4222", /needs \?subject=/],
    ["amqp://h", /needs \?exchange=/],
    ["mqtt://h?topic=a/%23", /wildcards/],
    ["redis://h", /needs \?stream=/],
    ["not a uri", /is not a URI/],
  ];
  for (const [value, re] of bad)
    assert.throws(
      () => parseDestination(value, "DestinationConfig.OnFailure.Destination"),
      (e: unknown) =>
        isVajraError(e) &&
        e.code === "InvalidParameter" &&
        e.message.startsWith("DestinationConfig.OnFailure.Destination: ") &&
        re.test(e.message),
    );
});

test("masks a destination's password, in errors too", () => {
  assert.equal(maskDestination("amqp://u:pw@h:5672/?queue=q"), "amqp://u:****@h:5672/?queue=q");
  assert.throws(
    () => parseDestination("nats://u:pw@h:4222", "F"),
    (e: Error) => !e.message.includes("pw") && e.message.includes("****"),
  );
});
