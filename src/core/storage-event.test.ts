// The pure shapes of storage triggers: S3 key encoding, glob filters, trigger names, the S3 record.

import { test } from "node:test";
import assert from "node:assert/strict";
import { checkStorageTriggerName, globFilter, s3EncodeKey, s3EventRecord } from "./storage-event.js";

test("keys are URL-encoded as S3 notifications encode them", () => {
  assert.equal(s3EncodeKey("a/b c.csv"), "a/b+c.csv");
  assert.equal(s3EncodeKey("images/my photo (1).jpg"), "images/my+photo+%281%29.jpg");
  assert.equal(s3EncodeKey("x+y=z&ü*~!'.txt"), "x%2By%3Dz%26%C3%BC*%7E%21%27.txt");
});

test("globs: without '/' on the name at any depth, with '/' on the whole path; exclude wins", () => {
  const f = globFilter(["*.csv"], ["tmp/**"]);
  assert.ok(f("a.csv"));
  assert.ok(f("deep/er/a.csv"));
  assert.ok(!f("a.txt"));
  assert.ok(!f("tmp/a.csv"));
  assert.ok(!f("tmp/x/a.csv"));
  const all = globFilter([], []);
  assert.ok(all("anything/at/all"));
  const g = globFilter(["in/**/*.json", "?.[ch]"], []);
  assert.ok(g("in/a.json"));
  assert.ok(g("in/x/y/a.json"));
  assert.ok(!g("out/a.json"));
  assert.ok(g("sub/a.c"));
  assert.ok(!g("ab.c"));
  const neg = globFilter(["[!.]*"], []);
  assert.ok(neg("a"));
  assert.ok(!neg(".hidden"));
  assert.throws(() => globFilter(["[abc"], []), /without a closing/);
});

test("trigger names are S3 bucket names", () => {
  assert.equal(checkStorageTriggerName("my-bucket.1"), "my-bucket.1");
  for (const bad of ["ab", "Upper", "a_b", "-ab", "a..b", 7])
    assert.throws(() => checkStorageTriggerName(bad), /not a valid trigger name/);
});

test("an S3 event record has the 2.1 shape", () => {
  const r = s3EventRecord({
    bucket: "b1b",
    key: "a b",
    eventName: "ObjectCreated:Put",
    size: 3,
    etag: "e",
    sequencer: "00",
    time: 0,
    region: "us-east-1",
    account: "123456789012",
  }) as { eventVersion: string; eventSource: string; s3: { bucket: { arn: string }; object: unknown } };
  assert.equal(r.eventVersion, "2.1");
  assert.equal(r.eventSource, "aws:s3");
  assert.equal(r.s3.bucket.arn, "arn:aws:s3:::b1b");
  assert.deepEqual(r.s3.object, { key: "a+b", size: 3, eTag: "e", sequencer: "00" });
});
