// Prepares the Java runtime folder once per shim source: Vajra's shim (runtimes/java/src), its
// Jackson-based POJO serialisation (runtimes/java/jackson) and its compile-time API (runtimes/java/api:
// the aws-lambda-java-core interfaces and aws-lambda-java-events classes) compiled with any JDK ≥ 11
// for Java 11 (`--release 11`, so the same classes run on 11, 17 and 21), Debian's Jackson jars copied
// into lib/, and a copy of the Runtime API forwarder. The folder is shown at /var/runtime in Java
// instances; the API classes and Jackson are also on the classpath of builds that compile Java sources.
// Without Jackson (libjackson2-databind-java) the folder has no POJO mapping: stream handlers and
// handlers of plain JSON types work, POJO handlers fail at init saying what to install.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
} from "node:fs";
import { basename, join, relative } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Where Debian's libjackson2-databind-java (and its dependencies) put their jars. */
export const JACKSON_DIR = "/usr/share/java";
const JACKSON_JARS = ["jackson-annotations.jar", "jackson-core.jar", "jackson-databind.jar"];

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

export class JavaRuntime {
  private ready: Promise<string> | undefined;

  /** `javac` of any JDK ≥ 11; `runtimesDir` is the project's runtimes/; the result goes under `cacheRoot`. */
  constructor(
    private readonly runtimesDir: string,
    private readonly cacheRoot: string,
    private readonly javac: () => string | undefined,
    private readonly jacksonDir: string = JACKSON_DIR,
  ) {}

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
      for (const j of jars) copyFileSync(j, join(temp, "lib", basename(j)));
      const cp = [join(temp, "api"), ...jars].join(":");
      await execFileAsync(javac, [...flags, "-cp", cp, "-d", join(temp, "shim"), ...shim, ...serde], opts);
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
