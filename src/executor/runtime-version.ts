// The runtime version an execution environment reports in INIT_START: AWS names it `python:3.12.v18`
// with an ARN per release; Vajra's release of a runtime is the host interpreter it runs, so the version
// counts the interpreter's patch level and the ARN's id is a digest of the runtime and that interpreter.

import { createHash } from "node:crypto";
import type { InitInfo } from "../core/lambda-format.js";
import type { RuntimeInfo } from "./runtime-discovery.js";

export function runtimeVersion(runtime: RuntimeInfo): string {
  const id = runtime.spec.id;
  if (id.startsWith("provided")) return `provided:${id.slice("provided.".length) || "al1"}.v1`;
  const m = /^([a-z]+?)(\d[\d.]*?)(?:\.x)?$/.exec(id);
  const family = m?.[1] ?? runtime.spec.family;
  const line = m?.[2] ?? id;
  // The interpreter's next version component after the runtime's line: 3.12.7 of python3.12 is v7.
  const v = runtime.version ?? "";
  const release = v.startsWith(`${line}.`) ? /^\d+/.exec(v.slice(line.length + 1))?.[0] : undefined;
  return `${family}:${line}.v${release ?? "0"}`;
}

export function initInfo(
  runtime: RuntimeInfo,
  region: string,
  functionName: string,
  functionVersion: string,
  initializationType: InitInfo["initializationType"],
): InitInfo {
  const version = runtimeVersion(runtime);
  const digest = createHash("sha256")
    .update(`${version}\0${runtime.executable ?? ""}\0${runtime.version ?? ""}`)
    .digest("hex");
  return {
    runtimeVersion: version,
    runtimeVersionArn: `arn:aws:lambda:${region}::runtime:${digest}`,
    initializationType,
    functionName,
    functionVersion,
  };
}
