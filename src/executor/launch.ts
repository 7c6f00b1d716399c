// What an instance of each runtime family runs, as paths seen inside the sandbox, and which host
// folder is shown at /var/runtime. Interpreted families run Vajra's bootstrap for the language. The
// families that ship a `bootstrap` executable (provided.*, Go, Rust, .NET) run behind the Runtime API
// forwarder, because standard runtime clients dial AWS_LAMBDA_RUNTIME_API over TCP — unless the
// bootstrap knows Vajra's UNIX socket (it names VAJRA_RUNTIME_SOCKET, as programs built with Vajra's
// Go module and Rust crate do): then it runs directly, a node process fewer per cold start. Java
// likewise: its shim reaches the socket itself on JDK 16 and later (UNIX-domain SocketChannel).

import { closeSync, existsSync, fstatSync, openSync, readSync, readdirSync } from "node:fs";
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
export function jvmFlags(memoryMb: number): string[] {
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
 * The start of the Java class path that Vajra's class data sharing archive was made with: the shim and
 * Debian's Jackson, at the same paths in every instance. The JVM only uses the archive's application
 * classes when the class path starts with exactly the class path of the training run.
 */
export const JAVA_CDS_PREFIX = [
  `${RUNTIME_ROOT}/shim.jar`,
  // Named one by one, in this order: Debian's jackson-databind.jar names the other two in its manifest's
  // Class-Path (under /usr/share/java); listed after it, they would be loaded from there, not the archive.
  ...["annotations", "core", "databind"].map((j) => `${RUNTIME_ROOT}/lib/jackson-${j}.jar`),
].join(":");

/**
 * The flags that use a class data sharing archive. The archive is mapped where it was made to be, not at
 * a random address: Debian's and Temurin's JDK 17+ relocate every pointer in it at each start otherwise,
 * 15–30 ms of a cold start. The JVM's own notes about the archive (say, that it could not be used, which
 * only makes the start slower) stay out of the function's log.
 */
export function javaArchiveFlags(archive: string): string[] {
  return [
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:ArchiveRelocationMode=0",
    `-XX:SharedArchiveFile=${archive}`,
    "-Xlog:cds*=off",
  ];
}

/** The function's own classes and jars. */
const JAVA_TASK_PATH = [TASK_ROOT, `${TASK_ROOT}/*`, `${TASK_ROOT}/lib/*`].join(":");

/**
 * The Java class path: the shim and Jackson, the function (classes, then its jars), then Vajra's API
 * (interfaces and event classes), so a function's own aws-lambda-java-core or -events win. A function that
 * bundles Jackson itself gets its own: Jackson then comes last, after the function, and the archive is not
 * used (its Jackson classes would not be the ones the function loads).
 */
export function javaClasspath(ownJackson: boolean): string {
  return ownJackson
    ? [`${RUNTIME_ROOT}/shim.jar`, JAVA_TASK_PATH, `${RUNTIME_ROOT}/api`, `${RUNTIME_ROOT}/lib/*`].join(":")
    : [JAVA_CDS_PREFIX, JAVA_TASK_PATH, `${RUNTIME_ROOT}/api`].join(":");
}

/** The class path of the training run that makes the archive (a prefix of javaClasspath(false)). */
export const JAVA_TRAINING_CLASSPATH = [JAVA_CDS_PREFIX, `${RUNTIME_ROOT}/api`].join(":");

const JACKSON_MARKER = Buffer.from("com/fasterxml/jackson/");
const ownsJackson = new Map<string, boolean>();

/** Whether `marker` occurs in the file, read in chunks from `start` (keeping an overlap between chunks). */
function fileIncludes(file: string, marker: Buffer, start = 0): boolean {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    let carry = 0;
    let pos = start;
    for (;;) {
      const n = readSync(fd, buf, carry, buf.length - carry, pos);
      if (n === 0) return false;
      pos += n;
      const end = carry + n;
      if (buf.subarray(0, end).includes(marker)) return true;
      carry = Math.min(marker.length - 1, end);
      buf.copy(buf, 0, end - carry, end);
    }
  } finally {
    closeSync(fd);
  }
}

/** Whether a jar (zip) has an entry whose name starts with com/fasterxml/jackson/: its central directory is read. */
function jarHasJackson(file: string): boolean {
  const fd = openSync(file, "r");
  let cdStart = 0;
  try {
    const size = fstatSync(fd).size;
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLen);
    readSync(fd, tail, 0, tailLen, size - tailLen);
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) !== 0x06054b50) continue;
      const offset = tail.readUInt32LE(i + 16);
      // A ZIP64 archive keeps the real offset elsewhere: the whole file is scanned instead.
      if (offset !== 0xffffffff && offset < size) cdStart = offset;
      break;
    }
  } finally {
    closeSync(fd);
  }
  return fileIncludes(file, JACKSON_MARKER, cdStart);
}

/** The jars a class path wildcard `dir/*` takes in. */
function jarsIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.isDirectory() && /\.(jar|JAR)$/.test(e.name))
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

/** Whether the unpacked package brings its own Jackson (classes or jars; looked at once per code folder). */
export function bundlesJackson(codeDir: string): boolean {
  const known = ownsJackson.get(codeDir);
  if (known !== undefined) return known;
  let found = existsSync(join(codeDir, "com", "fasterxml", "jackson"));
  for (const jar of [...jarsIn(codeDir), ...jarsIn(join(codeDir, "lib"))]) {
    if (found) break;
    try {
      found = jarHasJackson(jar);
    } catch {
      // unreadable: the JVM will not read it either
    }
  }
  ownsJackson.set(codeDir, found);
  return found;
}

const SOCKET_MARKER = Buffer.from("VAJRA_RUNTIME_SOCKET");
const knowsSocket = new Map<string, boolean>();

/** Whether the package's bootstrap mentions VAJRA_RUNTIME_SOCKET (read once per code folder). */
export function bootstrapKnowsSocket(codeDir: string): boolean {
  const known = knowsSocket.get(codeDir);
  if (known !== undefined) return known;
  let found: boolean;
  try {
    // Scanned in chunks (a bootstrap may be large), keeping an overlap so the marker is never split.
    found = fileIncludes(join(codeDir, "bootstrap"), SOCKET_MARKER);
  } catch {
    found = false;
  }
  knowsSocket.set(codeDir, found);
  return found;
}

/**
 * `runtimesDir` holds runtimes/<family>/ of the project; `javaRuntimeDir` is the prepared Java runtime
 * folder (compiled shim and API plus the forwarder), needed for the java family only; `codeDir` is the
 * unpacked package (its bootstrap is looked at); `javaArchive` is the class data sharing archive made for
 * this JDK, relative to the Java runtime folder, when there is one.
 */
export function launchFor(
  runtime: RuntimeInfo,
  memoryMb: number,
  runtimesDir: string,
  codeDir: string,
  javaRuntimeDir?: string,
  javaArchive?: string,
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
        const ownJackson = bundlesJackson(codeDir);
        const cds =
          javaArchive !== undefined && !ownJackson ? javaArchiveFlags(`${RUNTIME_ROOT}/${javaArchive}`) : [];
        const cp = javaClasspath(ownJackson);
        const java = [exe, ...jvmFlags(memoryMb), ...cds, "-cp", cp, "vajra.runtime.Bootstrap"];
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
