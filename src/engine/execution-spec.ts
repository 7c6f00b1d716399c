// How the engine names what it hands to the executor: pool keys, execution specs, trace ids.

import { randomUUID } from "node:crypto";
import { effectiveLogging } from "../core/logging-config.js";
import type { FunctionConfig } from "../core/types.js";
import type { ExecutionSpec, InstanceCredentials } from "../executor/executor.js";
import type { RuntimeInfo } from "../executor/runtime-discovery.js";

export const EMPTY_EVENT = Buffer.from("{}");

/** Names a function across regions (the same name may exist in two): `region/name`. */
export function functionId(region: string, name: string): string {
  return `${region}/${name}`;
}

/** A version's snapshot keeps the revision it was published with, so each version has its own pools. */
export function poolKey(region: string, fn: FunctionConfig): string {
  return `${functionId(region, fn.name)}#${fn.revisionId}`;
}

export function executionSpec(
  region: string,
  fn: FunctionConfig,
  version: string,
  runtime: RuntimeInfo,
  codeDir: string,
  prepareOpt?: () => Promise<string | undefined>,
  credentials?: () => InstanceCredentials,
): ExecutionSpec {
  return {
    ...(credentials === undefined ? {} : { credentials }),
    ...(prepareOpt === undefined || (fn.layers ?? []).length === 0 ? {} : { prepareOpt }),
    poolKey: poolKey(region, fn),
    region,
    functionId: functionId(region, fn.name),
    functionName: fn.name,
    version,
    runtime,
    handler: fn.handler,
    memoryMb: fn.memorySize,
    timeoutSec: fn.timeout,
    ephemeralStorageMb: fn.ephemeralStorage,
    logging: effectiveLogging(fn.name, fn.logging),
    network: fn.network ?? "none",
    environment: fn.environment,
    codeDir,
  };
}

/** An X-Ray style trace header, as Lambda passes in `Lambda-Runtime-Trace-Id`. */
export function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomUUID().replace(/-/g, "").slice(0, 24)};Sampled=0`;
}

/**
 * The execution spec of each function version, built once instead of per invocation (it costs about
 * 0.04 ms: spreads, the logging defaults, three closures). A FunctionConfig is never mutated — an
 * update or a publish makes a new object — so the config object itself is the key, and a changed
 * function misses the cache by construction; the entry also checks the version and the runtime
 * (discovery may replace a RuntimeInfo). Weakly held: a replaced config's entry goes with it.
 */
export class ExecutionSpecCache {
  private readonly specs = new WeakMap<
    FunctionConfig,
    { version: string; runtime: RuntimeInfo; spec: ExecutionSpec }
  >();

  get(fn: FunctionConfig, version: string, runtime: RuntimeInfo, build: () => ExecutionSpec): ExecutionSpec {
    const hit = this.specs.get(fn);
    if (hit !== undefined && hit.version === version && hit.runtime === runtime) return hit.spec;
    const spec = build();
    this.specs.set(fn, { version, runtime, spec });
    return spec;
  }
}
