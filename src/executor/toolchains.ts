// Finds the compilers and virtual machines of the compiled runtime families on this host: JDKs
// (java11/17/21), Go toolchains (go1.19–1.21), Rust (rust1.70 = any rustc ≥ 1.70) and .NET SDKs.
// Each search looks in the usual install folders, honours an explicit VAJRA_<ID>_HOME, and never
// runs a program where a version file tells the version. Only what is found is reported; the reason
// for what is not found names the fix.

import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface Toolchain {
  /** The toolchain's root (JAVA_HOME, GOROOT, Rust sysroot, DOTNET_ROOT). */
  home: string;
  /** Full version, e.g. "17.0.15", "1.19.8", "1.95.0". */
  version: string;
  /** Host folders a sandbox must bind read-only for the toolchain to run. */
  bindPaths: string[];
  /** Java only: the JDK has javac (a JRE can run jars but not compile sources). */
  canCompile?: boolean;
}

/** Folders every sandbox binds anyway; a toolchain inside them needs no extra bind. */
const SYSTEM_PREFIXES = ["/usr/", "/bin/", "/lib/", "/lib64/"];

export function bindFor(path: string): string[] {
  return SYSTEM_PREFIXES.some((p) => path.startsWith(p)) ? [] : [path];
}

export function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The real path (symlinks resolved), or undefined when it does not exist. */
export function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** PATH's folders, without version-manager shims (slow wrappers, never the real binary). */
export function pathDirs(): string[] {
  return (process.env.PATH ?? "").split(":").filter((d) => d !== "" && !d.includes("shims"));
}

/** The environment variable naming an explicit home for a runtime id: VAJRA_JAVA21_HOME, VAJRA_GO121_HOME. */
export function homeVariable(id: string): string {
  return `VAJRA_${id.replace(/[^a-z0-9]/gi, "").toUpperCase()}_HOME`;
}

// --- Java -------------------------------------------------------------------------------------

/** JAVA_VERSION="17.0.15" from a JDK's `release` file. */
function javaVersionOf(home: string): string | undefined {
  try {
    const m = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(join(home, "release"), "utf8"));
    return m?.[1];
  } catch {
    return undefined;
  }
}

export function javaMajor(version: string): string {
  const parts = version.split(".");
  return parts[0] === "1" ? (parts[1] ?? "") : (parts[0] ?? "");
}

/** Every JDK/JRE found, by major version (the first found for a major wins; explicit homes first). */
export function findJdks(explicit: Record<string, string | undefined> = {}): Map<string, Toolchain> {
  const homes: string[] = [];
  for (const major of ["11", "17", "21"]) {
    const h = explicit[major] ?? process.env[homeVariable(`java${major}`)];
    if (h !== undefined) homes.push(h);
  }
  if (process.env.JAVA_HOME !== undefined) homes.push(process.env.JAVA_HOME);
  for (const root of ["/usr/lib/jvm", "/usr/java", "/opt/java", join(homedir(), ".sdkman/candidates/java")]) {
    for (const d of safeReaddir(root).sort()) homes.push(join(root, d));
  }
  for (const dir of pathDirs()) {
    const java = real(join(dir, "java"));
    if (java !== undefined) homes.push(dirname(dirname(java)));
  }
  const found = new Map<string, Toolchain>();
  for (const h of homes) {
    const home = real(h);
    if (home === undefined || !existsSync(join(home, "bin", "java"))) continue;
    const version = javaVersionOf(home);
    if (version === undefined) continue;
    const major = javaMajor(version);
    if (found.has(major)) continue;
    found.set(major, {
      home,
      version,
      bindPaths: bindFor(home),
      canCompile: existsSync(join(home, "bin", "javac")),
    });
  }
  return found;
}

// --- Go ---------------------------------------------------------------------------------------

/** "go1.19.8" (first line of GOROOT/VERSION) → "1.19.8". */
function goVersionOf(root: string): string | undefined {
  try {
    const first = readFileSync(join(root, "VERSION"), "utf8").split("\n")[0] ?? "";
    const m = /^go(\d+\.\d+(?:\.\d+)?)/.exec(first.trim());
    return m?.[1];
  } catch {
    return undefined;
  }
}

export function findGos(): Map<string, Toolchain> {
  const roots: string[] = [];
  for (const minor of ["19", "20", "21"]) {
    const h = process.env[homeVariable(`go1.${minor}`)];
    if (h !== undefined) roots.push(h);
  }
  if (process.env.GOROOT !== undefined) roots.push(process.env.GOROOT);
  for (const d of safeReaddir("/usr/lib").filter((d) => /^go-1\.\d+$/.test(d)))
    roots.push(join("/usr/lib", d));
  roots.push("/usr/local/go", join(homedir(), "go", "go"), join(homedir(), "sdk"));
  for (const d of safeReaddir(join(homedir(), "sdk"))) roots.push(join(homedir(), "sdk", d));
  for (const dir of pathDirs()) {
    const go = real(join(dir, "go"));
    if (go !== undefined) roots.push(dirname(dirname(go)));
  }
  const found = new Map<string, Toolchain>();
  for (const r of roots) {
    const root = real(r);
    if (root === undefined || !existsSync(join(root, "bin", "go"))) continue;
    const version = goVersionOf(root);
    if (version === undefined) continue;
    const minor = version.split(".").slice(0, 2).join(".");
    if (!found.has(minor)) found.set(minor, { home: root, version, bindPaths: bindFor(root) });
  }
  return found;
}

// --- Rust -------------------------------------------------------------------------------------

async function rustcVersion(rustc: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(rustc, ["--version"], { timeout: 10_000, env: {} });
    return /^rustc (\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/** The first Rust toolchain with both rustc and cargo: an explicit one, rustup's (stable first), then system installs. */
export async function findRust(): Promise<Toolchain | undefined> {
  const sysroots: string[] = [];
  const explicit = process.env[homeVariable("rust1.70")];
  if (explicit !== undefined) sysroots.push(explicit);
  const rustupHome = process.env.RUSTUP_HOME ?? join(homedir(), ".rustup");
  // Stable toolchains before beta and nightly ones: a nightly is taken only when nothing else exists.
  const toolchains = safeReaddir(join(rustupHome, "toolchains")).sort();
  const unstable = (t: string): boolean => /^(nightly|beta)/.test(t);
  for (const t of [...toolchains.filter((t) => !unstable(t)), ...toolchains.filter(unstable)])
    sysroots.push(join(rustupHome, "toolchains", t));
  sysroots.push("/usr/local", "/usr");
  let best: Toolchain | undefined;
  for (const s of sysroots) {
    const root = real(s);
    if (root === undefined) continue;
    const rustc = join(root, "bin", "rustc");
    // rustup's proxies in ~/.cargo/bin need rustup itself; only real toolchains count.
    if (!existsSync(rustc) || !existsSync(join(root, "bin", "cargo"))) continue;
    const version = await rustcVersion(rustc);
    if (version === undefined) continue;
    best = { home: root, version, bindPaths: bindFor(root) };
    break;
  }
  return best;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// --- .NET -------------------------------------------------------------------------------------

/** SDKs by major version, from `dotnet --list-sdks` ("8.0.100 [/usr/share/dotnet/sdk]"). */
export async function findDotnetSdks(): Promise<Map<string, Toolchain>> {
  const roots = [
    process.env[homeVariable("dotnet8")],
    process.env[homeVariable("dotnet6")],
    process.env.DOTNET_ROOT,
    "/usr/share/dotnet",
    "/usr/lib/dotnet",
    "/opt/dotnet",
    join(homedir(), ".dotnet"),
  ];
  for (const dir of pathDirs()) {
    const d = real(join(dir, "dotnet"));
    if (d !== undefined) roots.push(dirname(d));
  }
  const found = new Map<string, Toolchain>();
  for (const r of roots) {
    if (r === undefined) continue;
    const root = real(r);
    if (root === undefined || !existsSync(join(root, "dotnet"))) continue;
    try {
      const { stdout } = await execFileAsync(join(root, "dotnet"), ["--list-sdks"], {
        timeout: 15_000,
        env: { DOTNET_CLI_TELEMETRY_OPTOUT: "1", HOME: "/tmp", PATH: "/usr/bin:/bin" },
      });
      for (const line of stdout.split("\n")) {
        const m = /^(\d+)\.(\d+\.\d+)/.exec(line.trim());
        if (m?.[1] !== undefined && !found.has(m[1]))
          found.set(m[1], { home: root, version: `${m[1]}.${m[2]}`, bindPaths: bindFor(root) });
      }
    } catch {
      // not a working dotnet
    }
  }
  return found;
}

/** An executable named `name` on PATH, or in the usual folders (administration tools included). */
export function findExecutable(name: string): string | undefined {
  const usual = ["/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin"];
  for (const dir of [...(process.env.PATH ?? "").split(":"), ...usual]) {
    if (dir === "") continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}
