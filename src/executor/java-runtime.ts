// Prepares the Java runtime folder once per shim source: Vajra's shim (runtimes/java/src), its
// Jackson-based POJO serialisation (runtimes/java/jackson) and its compile-time API (runtimes/java/api:
// the aws-lambda-java-core interfaces and aws-lambda-java-events classes) compiled with any JDK ≥ 11
// for Java 11 (`--release 11`, so the same classes run on 11, 17 and 21), Debian's Jackson jars copied
// into lib/, and a copy of the Runtime API forwarder. The folder is shown at /var/runtime in Java
// instances; the API classes and Jackson are also on the classpath of builds that compile Java sources.
// Without Jackson (libjackson2-databind-java) the folder has no POJO mapping: stream handlers and
// handlers of plain JSON types work, POJO handlers fail at init saying what to install.
//
// Class data sharing: loading Jackson's databind (~480 classes) made a POJO handler's cold start three
// times slower. So, once per JDK (JDK 13 and later), a training run (vajra.runtime.Training, in a sandbox
// like an instance's, answered by a small Runtime API here) writes a dynamic CDS archive on top of the JDK's
// default one: the shim, Jackson and the JDK classes a cold start loads, parsed and verified ahead of time.
// It lives in the runtime folder (cds/<JDK key>.jsa; the folder's own name already follows the Jackson
// jars), is made in the background at the first cold start of that JDK, and is used from then on. When it
// cannot be made, a warning is logged and instances start without it.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { createServer } from "node:http";
import { basename, dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { JAVA_TRAINING_CLASSPATH, javaArchiveFlags, javaClasspath, jvmFlags } from "./launch.js";
import type { RuntimeInfo } from "./runtime-discovery.js";
import { listenOnSocket } from "./runtime-api.js";
import {
  RUNTIME_ROOT,
  SOCKET_DIR,
  SOCKET_NAME,
  type SandboxBackend,
  type SandboxProcess,
} from "./sandbox.js";

const execFileAsync = promisify(execFile);

/** Where Debian's libjackson2-databind-java (and its dependencies) put their jars. */
export const JACKSON_DIR = "/usr/share/java";
export const JACKSON_JARS = ["jackson-annotations.jar", "jackson-core.jar", "jackson-databind.jar"];

/** The host's Jackson jars (resolved), or undefined when one is missing. */
export function jacksonJars(dir: string = JACKSON_DIR): string[] | undefined {
  const jars = JACKSON_JARS.map((j) => join(dir, j));
  if (!jars.every((j) => existsSync(j))) return undefined;
  return jars.map((j) => realpathSync(j));
}

function javaSources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith(".java")) out.push(join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** Makes the class data sharing archives: runs the training in the platform's sandbox. */
export interface CdsTrainer {
  backend: SandboxBackend;
  /** Logs why an archive could not be made (instances then start without one). */
  warn: (msg: string) => void;
}

/** Key of a JDK's archive: its real path and version, and the identity of its module image and JVM. */
export function jdkKey(runtime: RuntimeInfo): string | undefined {
  if (runtime.executable === undefined) return undefined;
  const major = Number((runtime.version ?? "").split(".")[0]);
  // Dynamic archives (-XX:ArchiveClassesAtExit) came with JDK 13, ArchiveRelocationMode with 14.
  if (!(major >= 14)) return undefined;
  const exe = realpathSync(runtime.executable);
  const home = dirname(dirname(exe));
  const hash = createHash("sha256")
    .update(exe)
    .update("\0")
    .update(runtime.version ?? "");
  for (const f of ["lib/modules", "lib/server/libjvm.so", "lib/server/classes.jsa"]) {
    const st = statSync(join(home, f), { throwIfNoEntry: false });
    hash.update(`\0${f}:${st?.size ?? -1}:${st?.mtimeMs ?? -1}`);
  }
  return hash.digest("hex").slice(0, 16);
}

const TRAINING_TIMEOUT_MS = 120_000;
/** The invocations the training run serves through the Runtime API before telling it to stop. */
const TRAINING_INVOCATIONS = 3;
const TRAINING_EVENT =
  '{"x":1,"id":12345678901,"ratio":0.5,"ok":true,"label":"p","tags":["a"],"at":"2024-01-02T03:04:05Z",' +
  '"day":"2024-01-02","note":"n","inner":{"name":"i","counts":[1,2]}}';

export class JavaRuntime {
  private ready: Promise<string> | undefined;
  /** Per runtime folder and JDK key: the archive's path in the folder, null when it failed, or a pending run. */
  private readonly archives = new Map<string, string | null | Promise<void>>();
  private readonly training = new Set<SandboxProcess>();
  /** jdkKey per executable and version, worked out once (archive() is on the cold-start path). */
  private readonly jdkKeys = new Map<string, string | undefined>();
  private closed = false;

  /**
   * `javac` of any JDK ≥ 11; `runtimesDir` is the project's runtimes/; the result goes under `cacheRoot`.
   * Without a `trainer`, no class data sharing archive is made.
   */
  constructor(
    private readonly runtimesDir: string,
    private readonly cacheRoot: string,
    private readonly javac: () => string | undefined,
    private readonly jacksonDir: string = JACKSON_DIR,
    private readonly trainer?: CdsTrainer,
  ) {}

  /**
   * The class data sharing archive for `runtime`'s JDK in the prepared folder `dir`, as a path relative to
   * it, when it is ready. Otherwise undefined, and the first call starts making it in the background (or,
   * when an earlier server made it, checking that it still loads: a damaged archive can crash the JVM).
   */
  archive(dir: string, runtime: RuntimeInfo): string | undefined {
    if (this.trainer === undefined || this.closed) return undefined;
    const jdk = `${runtime.executable ?? ""}\0${runtime.version ?? ""}`;
    let key = this.jdkKeys.get(jdk);
    if (key === undefined && !this.jdkKeys.has(jdk)) {
      try {
        key = jdkKey(runtime);
      } catch {
        key = undefined;
      }
      this.jdkKeys.set(jdk, key);
    }
    if (key === undefined) return undefined;
    const id = `${dir}\0${key}`;
    const known = this.archives.get(id);
    if (typeof known === "string") return known;
    if (known !== undefined) return undefined; // failed, or being made
    const rel = `cds/${key}.jsa`;
    const trainer = this.trainer;
    const run = this.make(dir, runtime, rel, trainer.backend).then(
      () => {
        this.archives.set(id, rel);
      },
      (err: unknown) => {
        this.archives.set(id, null);
        if (!this.closed)
          trainer.warn(
            `could not make the Java class data sharing archive for ${runtime.spec.id}; Java instances start ` +
              `without it (slower POJO cold starts): ${(err as Error).message}`,
          );
      },
    );
    this.archives.set(id, run);
    return undefined;
  }

  /** Waits for the archive runs started so far. */
  async settled(): Promise<void> {
    await Promise.all([...this.archives.values()].filter((v) => v instanceof Promise));
  }

  /** Stops a training run under way (its archive is not kept) and waits for it to end. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.training) p.kill();
    await this.settled();
  }

  /**
   * Checks an archive found in the folder, and makes it again when it does not load: the training run,
   * in a sandbox, writes the archive to a work folder; once it loads, it is moved into the folder.
   */
  private async make(dir: string, runtime: RuntimeInfo, rel: string, backend: SandboxBackend): Promise<void> {
    const exe = runtime.executable as string;
    mkdirSync(this.cacheRoot, { recursive: true, mode: 0o755 });
    const work = mkdtempSync(join(this.cacheRoot, "cds-train-"));
    // The sandbox's unprivileged uid writes the archive here.
    chmodSync(work, 0o777);
    let served = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method === "GET" && req.url?.endsWith("/invocation/next") === true) {
          served++;
          if (served > TRAINING_INVOCATIONS) {
            // Ends the training run: the shim exits, and the JVM writes the archive as it does.
            res
              .writeHead(410, { "content-type": "application/json" })
              .end('{"errorMessage":"training over"}');
            return;
          }
          res
            .writeHead(200, {
              "content-type": "application/json",
              "lambda-runtime-aws-request-id": `training-${served}`,
              "lambda-runtime-deadline-ms": String(Date.now() + 60_000),
              "lambda-runtime-invoked-function-arn": "arn:aws:lambda:local:000000000000:function:training",
              "lambda-runtime-trace-id": "Root=1-00000000-000000000000000000000000;Sampled=0",
            })
            .end(TRAINING_EVENT);
          return;
        }
        res.writeHead(202, { "content-type": "application/json" }).end('{"status":"OK"}');
      });
    });
    const out = `${SOCKET_DIR}/cds.jsa`;
    const flags = jvmFlags(256);
    const run = async (suffix: string, command: string[]): Promise<{ code: number | null; log: string }> => {
      const proc = backend.spawn({
        id: `cds-${basename(work)}-${suffix}`,
        mounts: [
          { host: dir, path: RUNTIME_ROOT },
          { host: work, path: SOCKET_DIR, writable: true },
        ],
        bindPaths: runtime.bindPaths,
        command,
        cwd: RUNTIME_ROOT,
        env: {
          PATH: `${dirname(exe)}:/usr/bin:/bin`,
          LANG: "C.UTF-8",
          TZ: ":UTC",
          AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
          VAJRA_RUNTIME_SOCKET: `${SOCKET_DIR}/${SOCKET_NAME}`,
          AWS_LAMBDA_FUNCTION_NAME: "training",
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
        },
        memoryMb: 512,
        tmpSizeMb: 64,
      });
      this.training.add(proc);
      try {
        return await finish(proc);
      } finally {
        this.training.delete(proc);
      }
    };
    // The archive must map as an instance would use it (-Xshare:on fails instead of going on without).
    const check = async (archive: string): Promise<string | undefined> => {
      const r = await run("check", [
        exe,
        ...flags,
        ...javaArchiveFlags(archive).filter((f) => !f.startsWith("-Xlog:")),
        "-Xshare:on",
        "-cp",
        javaClasspath(false),
        "-version",
      ]);
      return r.code !== 0 || /warning|error/i.test(r.log) ? `the archive does not load: ${r.log}` : undefined;
    };
    try {
      if (existsSync(join(dir, rel))) {
        if ((await check(`${RUNTIME_ROOT}/${rel}`)) === undefined) return;
        rmSync(join(dir, rel), { force: true });
        if (this.closed) throw new Error("the server is closing");
      }
      await listenOnSocket(server, join(work, SOCKET_NAME));
      const { log } = await run("dump", [
        exe,
        ...flags,
        `-XX:ArchiveClassesAtExit=${out}`,
        "-cp",
        JAVA_TRAINING_CLASSPATH,
        "vajra.runtime.Training",
      ]);
      if (!existsSync(join(work, "cds.jsa"))) throw new Error(`the training run wrote no archive: ${log}`);
      if (served <= TRAINING_INVOCATIONS)
        throw new Error(`the training run stopped after ${served} invocations: ${log}`);
      if (this.closed) throw new Error("the server is closing");
      const why = await check(out);
      if (why !== undefined) throw new Error(why);
      mkdirSync(join(dir, "cds"), { recursive: true, mode: 0o755 });
      chmodSync(join(work, "cds.jsa"), 0o444);
      renameSync(join(work, "cds.jsa"), join(dir, rel));
    } finally {
      server.close();
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** The prepared folder (compiling on first use); concurrent callers share one compilation. */
  dir(): Promise<string> {
    this.ready ??= this.prepare().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async prepare(): Promise<string> {
    const src = join(this.runtimesDir, "java");
    const api = javaSources(join(src, "api"));
    const shim = javaSources(join(src, "src"));
    const jars = jacksonJars(this.jacksonDir) ?? [];
    const serde = jars.length > 0 ? javaSources(join(src, "jackson")) : [];
    const forwarder = join(this.runtimesDir, "provided", "forwarder.mjs");
    const hash = createHash("sha256");
    for (const f of [...api, ...shim, ...serde, forwarder])
      hash.update(relative(this.runtimesDir, f)).update(readFileSync(f));
    for (const j of jars) hash.update(j).update(readFileSync(j));
    hash.update("layout: shim.jar, lib/jackson-*.jar, cds/"); // a folder made by an older Vajra has no shim.jar
    const target = join(this.cacheRoot, `java-${hash.digest("hex").slice(0, 16)}`);
    if (existsSync(target)) return target;
    const javac = this.javac();
    if (javac === undefined)
      throw new Error("no javac found to compile Vajra's Java runtime shim (install a JDK ≥ 11)");
    mkdirSync(this.cacheRoot, { recursive: true, mode: 0o755 });
    const temp = `${target}.tmp-${process.pid}-${Date.now()}`;
    try {
      const opts = { timeout: 120_000, env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" } };
      // Plain string concatenation (no invokedynamic): the first indy concatenation costs 20-40 ms at start.
      const flags = ["--release", "11", "-XDstringConcat=inline", "-encoding", "UTF-8", "-nowarn"];
      await execFileAsync(javac, [...flags, "-d", join(temp, "api"), ...api], opts);
      mkdirSync(join(temp, "lib"), { recursive: true });
      // Under fixed names (the class path names each: see JAVA_CDS_PREFIX).
      jars.forEach((j, i) => copyFileSync(j, join(temp, "lib", JACKSON_JARS[i] as string)));
      const cp = [join(temp, "api"), ...jars].join(":");
      await execFileAsync(javac, [...flags, "-cp", cp, "-d", join(temp, "shim"), ...shim, ...serde], opts);
      // A jar, not a folder, on the class path: CDS archives classes from jars only.
      const jar = join(dirname(javac), "jar");
      await execFileAsync(
        jar,
        ["--create", "--file", join(temp, "shim.jar"), "-C", join(temp, "shim"), "."],
        opts,
      );
      copyFileSync(forwarder, join(temp, "forwarder.mjs"));
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { recursive: true, force: true });
      if (existsSync(target)) return target; // another process won the race
      const e = err as { stderr?: string; message: string };
      throw new Error(`could not compile Vajra's Java runtime shim: ${e.stderr ?? e.message}`, {
        cause: err,
      });
    }
    return target;
  }
}

/** Waits for the process to end (killing it after TRAINING_TIMEOUT_MS); returns the tail of its output. */
async function finish(proc: SandboxProcess): Promise<{ code: number | null; log: string }> {
  let log = "";
  const keep = (b: Buffer): void => {
    log = (log + b.toString("utf8")).slice(-2000);
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  const timer = setTimeout(() => proc.kill(), TRAINING_TIMEOUT_MS);
  try {
    const exit = await proc.exited;
    if (exit.signal !== null) throw new Error(`the training JVM was killed (${exit.signal}): ${log.trim()}`);
    return { code: exit.code, log: log.trim() };
  } finally {
    clearTimeout(timer);
    proc.release();
  }
}
