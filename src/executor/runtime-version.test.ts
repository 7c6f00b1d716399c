import { test } from "node:test";
import assert from "node:assert/strict";
import type { RuntimeInfo } from "./runtime-discovery.js";
import { initInfo, runtimeVersion } from "./runtime-version.js";

const rt = (id: string, family: string, version?: string): RuntimeInfo =>
  ({
    spec: { id, family },
    available: true,
    bindPaths: [],
    executable: "/usr/bin/x",
    ...(version === undefined ? {} : { version }),
  }) as unknown as RuntimeInfo;

test("runtime versions read like AWS's: family:line.vN", () => {
  assert.equal(runtimeVersion(rt("python3.12", "python", "3.12.7")), "python:3.12.v7");
  assert.equal(runtimeVersion(rt("nodejs20.x", "nodejs", "20.19.2")), "nodejs:20.v19");
  assert.equal(runtimeVersion(rt("java17", "java", "17.0.13")), "java:17.v0");
  assert.equal(runtimeVersion(rt("provided.al2023", "provided")), "provided:al2023.v1");
  assert.equal(runtimeVersion(rt("provided", "provided")), "provided:al1.v1");
});

test("the runtime version ARN is stable for one interpreter and names the region", () => {
  const a = initInfo(rt("python3.12", "python", "3.12.7"), "eu-west-1", "f", "$LATEST", "on-demand");
  const b = initInfo(rt("python3.12", "python", "3.12.7"), "eu-west-1", "g", "1", "provisioned-concurrency");
  assert.match(a.runtimeVersionArn, /^arn:aws:lambda:eu-west-1::runtime:[0-9a-f]{64}$/);
  assert.equal(a.runtimeVersionArn, b.runtimeVersionArn);
  assert.notEqual(
    a.runtimeVersionArn,
    initInfo(rt("python3.12", "python", "3.12.8"), "eu-west-1", "f", "$LATEST", "on-demand")
      .runtimeVersionArn,
  );
});
