// Finds, for each runtime id of the catalog, the interpreter on this host that runs it, and says
// exactly why when none is found. Python comes from PATH, pyenv-style version folders and
// VAJRA_PYTHON_PATHS (real binaries, never pyenv shims); Node.js is the node running Vajra or one on PATH.

import { execFile } from "node:child_process";
import { existsSync, readdirSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { RUNTIMES, type RuntimeSpec } from "../core/runtimes.js";

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
}

/** Directories the sandbox binds anyway; an interpreter inside them needs no extra bind. */
const SYSTEM_PREFIXES = ["/usr/", "/bin/", "/lib/", "/lib64/"];

function bindFor(executable: string): string[] {
  if (SYSTEM_PREFIXES.some((p) => executable.startsWith(p))) return [];
  // <prefix>/bin/<exe>: bind the whole prefix so the standard library and shared libraries come along.
  return [dirname(dirname(executable))];
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function realFile(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Version tuple compare on "3.11.7"-style strings. */
function newer(a: string, b: string): boolean {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
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
  const pathDirs = (process.env.PATH ?? "").split(":").filter((d) => d !== "" && !d.includes("shims"));
  for (const dir of [...pathDirs, "/usr/bin", "/usr/local/bin"]) {
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
    const real = realFile(c.exe);
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

async function findNodes(): Promise<Map<string, PythonFound>> {
  const found = new Map<string, PythonFound>();
  const candidates = [process.execPath];
  for (const dir of (process.env.PATH ?? "").split(":").filter(Boolean)) candidates.push(join(dir, "node"));
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const real = realFile(c);
    if (real === undefined) continue;
    const version = await nodeVersion(real);
    if (version === undefined) continue;
    const major = version.split(".")[0] ?? "";
    if (!found.has(major)) found.set(major, { executable: real, version });
  }
  return found;
}

/** Discovers every runtime of the catalog. Runs interpreters only where the version is not evident. */
export async function discoverRuntimes(): Promise<Map<string, RuntimeInfo>> {
  const [pythons, nodes] = await Promise.all([findPythons(), findNodes()]);
  const out = new Map<string, RuntimeInfo>();
  for (const spec of RUNTIMES) {
    // Custom runtimes need only the node that runs their Runtime API forwarder (the one running Vajra).
    const pool = spec.family === "python" ? pythons : nodes;
    const hit =
      spec.family === "provided"
        ? { executable: process.execPath, version: "" }
        : pool.get(spec.languageVersion);
    if (hit === undefined) {
      const reason =
        spec.family === "python"
          ? `no Python ${spec.languageVersion} found on PATH or in ~/.pyenv/versions: install one (e.g. pyenv install ${spec.languageVersion}) or list its binary in VAJRA_PYTHON_PATHS`
          : `no Node.js ${spec.languageVersion} found: run Vajra with Node.js ${spec.languageVersion} or put its node on PATH`;
      out.set(spec.id, { spec, available: false, bindPaths: [], reason });
    } else {
      out.set(spec.id, {
        spec,
        available: true,
        version: hit.version,
        executable: hit.executable,
        bindPaths: bindFor(hit.executable),
      });
    }
  }
  return out;
}
