// Source URI parsing for the MQTT and Redis kinds: targets, wildcards, groups, masking.

import assert from "node:assert/strict";
import { test } from "node:test";
import { formatSourceUri, parseSourceUri } from "./event-source-mapping.js";

test("mqtt:// takes a topic filter with whole-level wildcards", () => {
  const s = parseSourceUri("mqtt://u:secret@broker?topic=plant/%2B/temp");
  assert.deepEqual(
    [s.kind, s.host, s.port, s.target, s.password],
    ["mqtt", "broker", 1883, "plant/+/temp", "secret"],
  );
  assert.equal(formatSourceUri(s), "mqtt://u:****@broker:1883?topic=plant%2F%2B%2Ftemp");
  assert.equal(parseSourceUri("mqtt://h?topic=a/%23").target, "a/#");
  assert.throws(() => parseSourceUri("mqtt://h?topic=a/%23/b"), /# must be the whole last level/);
  assert.throws(() => parseSourceUri("mqtt://h?topic=a%2Bb"), /\+ must be a whole level/);
  assert.throws(() => parseSourceUri("mqtt://h"), /needs \?topic=NAME/);
  assert.throws(() => parseSourceUri("mqtt://h/x?topic=t"), /has no path/);
});

test("redis:// takes a stream and an optional group", () => {
  const s = parseSourceUri("redis://:pw@127.0.0.1:6380?stream=orders&group=billing");
  assert.deepEqual(
    [s.kind, s.port, s.target, s.group, s.password],
    ["redis", 6380, "orders", "billing", "pw"],
  );
  assert.equal(formatSourceUri(s), "redis://:****@127.0.0.1:6380?stream=orders&group=billing");
  assert.equal(parseSourceUri("redis://h?stream=s").group, undefined);
  assert.throws(() => parseSourceUri("redis://h?stream=s&group="), /group/);
  assert.throws(() => parseSourceUri("nats://h?stream=s&group=g"), /redis:\/\/ sources only/);
  assert.throws(() => parseSourceUri("kafka://h?topic=t"), /supported: amqp, nats, mqtt, redis, postgres/);
});

test("postgres:// takes a database path and a channel", () => {
  const s = parseSourceUri("postgres://app:pw@db.local/shop?channel=orders_new");
  assert.deepEqual([s.kind, s.port, s.vhost, s.target], ["postgres", 5432, "shop", "orders_new"]);
  assert.equal(formatSourceUri(s), "postgres://app:****@db.local:5432/shop?channel=orders_new");
  assert.equal(parseSourceUri("postgres://h?channel=c").vhost, "/");
  assert.throws(() => parseSourceUri("postgres://h/db"), /needs \?channel=NAME/);
});
