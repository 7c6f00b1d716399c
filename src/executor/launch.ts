// What an instance of each runtime family runs, as paths seen inside the sandbox, and which host
// folder is shown at /var/runtime. Interpreted families run Vajra's bootstrap for the language. The
// families that ship a `bootstrap` executable (provided.*, Go, Rust, .NET) run behind the Runtime API
// forwarder, because standard runtime clients dial AWS_LAMBDA_RUNTIME_API over TCP — unless the
// bootstrap knows Vajra's UNIX socket (it names VAJRA_RUNTIME_SOCKET, as programs built with Vajra's
// Go module and Rust crate do): then it runs directly, a node process fewer per cold start. Java
// likewise: its shim reaches the socket itself on JDK 16 and later (UNIX-domain SocketChannel).

import { closeSync, openSync, readSync } from "node:fs";
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

/**
 * The Java classpath: the shim, the function (classes, then its jars), then Vajra's API (interfaces and
 * event classes) and Jackson last, so a function's own aws-lambda-java-core/-events or Jackson win.
 */
export const JAVA_CLASSPATH = [
  `${RUNTIME_ROOT}/shim`,
  TASK_ROOT,
  `${TASK_ROOT}/*`,
  `${TASK_ROOT}/lib/*`,
  `${RUNTIME_ROOT}/api`,
  `${RUNTIME_ROOT}/lib/*`,
].join(":");

const SOCKET_MARKER = Buffer.from("VAJRA_RUNTIME_SOCKET");
const knowsSocket = new Map<string, boolean>();

/** Whether the package's bootstrap mentions VAJRA_RUNTIME_SOCKET (read once per code folder). */
export function bootstrapKnowsSocket(codeDir: string): boolean {
  const known = knowsSocket.get(codeDir);
  if (known !== undefined) return known;
  let found = false;
  try {
    // Scanned in chunks (a bootstrap may be large), keeping an overlap so the marker is never split.
    const fd = openSync(join(codeDir, "bootstrap"), "r");
    try {
      const buf = Buffer.alloc(1 << 20);
      let carry = 0;
      for (;;) {
        const n = readSync(fd, buf, carry, buf.length - carry, null);
        if (n === 0) break;
        const end = carry + n;
        if (buf.subarray(0, end).includes(SOCKET_MARKER)) {
          found = true;
          break;
        }
        carry = Math.min(SOCKET_MARKER.length - 1, end);
        buf.copy(buf, 0, end - carry, end);
      }
    } finally {
      closeSync(fd);
    }
  } catch {
    found = false;
  }
  knowsSocket.set(codeDir, found);
  return found;
}

/**
 * `runtimesDir` holds runtimes/<family>/ of the project; `javaRuntimeDir` is the prepared Java runtime
 * folder (compiled shim and API plus the forwarder), needed for the java family only; `codeDir` is the
 * unpacked package (its bootstrap is looked at).
 */
export function launchFor(
  runtime: RuntimeInfo,
  memoryMb: number,
  runtimesDir: string,
  codeDir: string,
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
      {
        const java = [exe, ...jvmFlags(memoryMb), "-cp", JAVA_CLASSPATH, "vajra.runtime.Bootstrap"];
        const direct = Number((runtime.version ?? "").split(".")[0]) >= 16;
        return {
          runtimeDir: javaRuntimeDir,
          command: direct ? java : [process.execPath, `${RUNTIME_ROOT}/forwarder.mjs`, ...java],
        };
      }
    case "provided":
    case "go":
    case "rust":
    case "dotnet":
      return {
        runtimeDir: join(runtimesDir, "provided"),
        command: bootstrapKnowsSocket(codeDir)
          ? [`${TASK_ROOT}/bootstrap`]
          : [process.execPath, `${RUNTIME_ROOT}/forwarder.mjs`],
      };
  }
}
