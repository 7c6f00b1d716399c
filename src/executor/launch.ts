// What an instance of each runtime family runs, as paths seen inside the sandbox, and which host
// folder is shown at /var/runtime. Interpreted families run Vajra's bootstrap for the language; the
// families that ship a `bootstrap` executable (provided.*, Go, Rust, .NET) and Java run behind the
// Runtime API forwarder, because their runtime clients dial AWS_LAMBDA_RUNTIME_API over TCP.

import { join } from "node:path";
import type { RuntimeInfo } from "./runtime-discovery.js";
import { RUNTIME_ROOT, TASK_ROOT } from "./sandbox.js";

export interface Launch {
  /** Host folder shown at /var/runtime. */
  runtimeDir: string;
  command: string[];
}

/**
 * JVM flags: the function's memory split into heap (85 %), metaspace (10 %) and code cache (5 %) — the
 * JVM does not see the sandbox's cgroup limit, so without them a big heap would end in an OOM kill
 * instead of an OutOfMemoryError — and a fast start over peak throughput for short-lived work.
 */
function jvmFlags(memoryMb: number): string[] {
  const kb = (pct: number): string => `${Math.floor((memoryMb * 1024 * pct) / 100)}k`;
  return [
    `-XX:MaxHeapSize=${kb(85)}`,
    `-XX:MaxMetaspaceSize=${kb(10)}`,
    `-XX:ReservedCodeCacheSize=${kb(5)}`,
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:-UsePerfData",
    "-Xshare:auto",
    "-Djava.net.preferIPv4Stack=true",
  ];
}

/** The Java classpath: the shim, the function (classes, then its jars), and Vajra's API interfaces last. */
export const JAVA_CLASSPATH = [
  `${RUNTIME_ROOT}/shim`,
  TASK_ROOT,
  `${TASK_ROOT}/*`,
  `${TASK_ROOT}/lib/*`,
  `${RUNTIME_ROOT}/api`,
].join(":");

/**
 * `runtimesDir` holds runtimes/<family>/ of the project; `javaRuntimeDir` is the prepared Java runtime
 * folder (compiled shim and API plus the forwarder), needed for the java family only.
 */
export function launchFor(
  runtime: RuntimeInfo,
  memoryMb: number,
  runtimesDir: string,
  javaRuntimeDir?: string,
): Launch {
  const exe = runtime.executable ?? "/usr/bin/false";
  switch (runtime.spec.family) {
    case "python":
      return { runtimeDir: join(runtimesDir, "python"), command: [exe, `${RUNTIME_ROOT}/bootstrap.py`] };
    case "nodejs":
      return { runtimeDir: join(runtimesDir, "nodejs"), command: [exe, `${RUNTIME_ROOT}/bootstrap.mjs`] };
    case "java":
      if (javaRuntimeDir === undefined) throw new Error("the Java runtime folder is not prepared");
      return {
        runtimeDir: javaRuntimeDir,
        command: [
          process.execPath,
          `${RUNTIME_ROOT}/forwarder.mjs`,
          exe,
          ...jvmFlags(memoryMb),
          "-cp",
          JAVA_CLASSPATH,
          "vajra.runtime.Bootstrap",
        ],
      };
    case "provided":
    case "go":
    case "rust":
    case "dotnet":
      return {
        runtimeDir: join(runtimesDir, "provided"),
        command: [process.execPath, `${RUNTIME_ROOT}/forwarder.mjs`],
      };
  }
}
