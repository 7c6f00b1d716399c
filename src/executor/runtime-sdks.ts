// The AWS SDKs Vajra provides to function runtimes, as Lambda's managed runtimes do: Debian's boto3 (and
// only its dependency closure, not all of dist-packages) for Python, and the AWS SDK for JavaScript v3
// clients, assembled from Vajra's own dependencies into a read-only folder, for Node.js.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Where the Python SDK folder (symlinks into dist-packages) appears in a sandbox; on PYTHONPATH. */
export const PYTHON_SDK_PATH = "/var/sdk/python";
/** Where the Node.js SDK folder appears in a sandbox; last on NODE_PATH. */
export const NODE_SDK_PATH = "/var/sdk/nodejs/node_modules";
/**
 * Where a folder of links to the SDK (and to the function's layer packages) appears. Node's own lookup
 * walks the parent folders of the importing file up to /node_modules, for `require` and ESM `import`
 * alike (ESM ignores NODE_PATH), and after /var/task/node_modules: the function's own copy wins.
 */
export const NODE_SDK_VIEW_PATH = "/node_modules";
/** The layers' Node.js packages, as Lambda's NODE_PATH names them. */
const LAYER_NODE_MODULES = "/opt/nodejs/node_modules";

export const PYTHON_SDK_PACKAGE = "python3-boto3";
export const PYTHON_SDK_HINT = "install python3-boto3 for boto3";
const DIST_PACKAGES = "/usr/lib/python3/dist-packages";
/** setuptools' runtime part would shadow the interpreter's own copy; boto3 does not need it. */
const PYTHON_SDK_EXCLUDED = new Set(["python3-pkg-resources", "python3-setuptools"]);

/** The clients Lambda's Node.js 18+ runtimes include (they ship all of SDK v3; these are the common ones). */
export const NODE_SDK_PACKAGES = [
  "@aws-sdk/client-lambda",
  "@aws-sdk/client-s3",
  "@aws-sdk/client-sts",
  "@aws-sdk/credential-providers",
] as const;

// ---- Python: Debian's python3-boto3 and the python3-* packages it depends on ----

/** "a (>= 1), b | c, python3:any" → ["a", "b", "python3"]: first alternative, no version or arch. */
export function parseDepends(field: string): string[] {
  return field
    .split(",")
    .map((d) =>
      (d.split("|")[0] ?? "")
        .replace(/\(.*?\)/g, "")
        .replace(/:\w+/, "")
        .trim(),
    )
    .filter((d) => d !== "");
}

/**
 * The installed python3-* packages `root` needs, itself included. `depends` gives a package's Depends
 * field, undefined when it is not installed (an absent alternative is skipped, not fatal).
 */
export function debianClosure(root: string, depends: (pkg: string) => string | undefined): string[] {
  const out: string[] = [];
  const queue = [root];
  for (let pkg = queue.shift(); pkg !== undefined; pkg = queue.shift()) {
    if (out.includes(pkg) || PYTHON_SDK_EXCLUDED.has(pkg)) continue;
    const field = depends(pkg);
    if (field === undefined) continue;
    out.push(pkg);
    for (const d of parseDepends(field)) if (d.startsWith("python3-")) queue.push(d);
  }
  return out;
}

/** Top-level entries of dist-packages among a package's files ("boto3", "six.py", "boto3-1.26.27.egg-info"). */
export function distPackagesEntries(files: readonly string[], distPackages = DIST_PACKAGES): string[] {
  const out = new Set<string>();
  for (const f of files) {
    const rel = relative(distPackages, f);
    if (rel === "" || rel.startsWith("..") || rel.includes("/")) continue;
    if (rel !== "__pycache__") out.add(rel);
  }
  return [...out].sort();
}

export interface PythonSdk {
  /** Host folder of symlinks, mounted at PYTHON_SDK_PATH. */
  dir: string;
  boto3: string;
  botocore: string;
}

async function dpkgDepends(): Promise<Map<string, string>> {
  const { stdout } = await execFileAsync(
    "dpkg-query",
    ["-W", "-f", "${Package}\t${db:Status-Abbrev}\t${Depends}\n", "python3-*"],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const m = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const [pkg, status, deps] = line.split("\t");
    if (pkg !== undefined && status?.startsWith("ii") === true) m.set(pkg, deps ?? "");
  }
  return m;
}

/**
 * Prepares <dataDir>/runtime-sdks/python: one symlink per top-level module of boto3's closure, pointing
 * into /usr/lib/python3/dist-packages (which every sandbox sees read-only as part of /usr). Undefined
 * when python3-boto3 is not installed (functions still run, without boto3).
 */
export async function preparePythonSdk(dataDir: string): Promise<PythonSdk | undefined> {
  if (!existsSync(join(DIST_PACKAGES, "boto3"))) return undefined;
  let installed: Map<string, string>;
  try {
    installed = await dpkgDepends();
  } catch {
    return undefined; // not a Debian host: its boto3 is not one we know how to expose
  }
  const pkgs = debianClosure(PYTHON_SDK_PACKAGE, (p) => installed.get(p));
  if (!pkgs.includes(PYTHON_SDK_PACKAGE)) return undefined;
  const { stdout } = await execFileAsync("dpkg-query", ["-L", ...pkgs], { maxBuffer: 64 * 1024 * 1024 });
  const entries = distPackagesEntries(stdout.split("\n"));
  const dir = join(dataDir, "runtime-sdks", "python");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const e of entries) symlinkSync(join(DIST_PACKAGES, e), join(dir, e));
  const version = (name: string): string =>
    entries.map((e) => new RegExp(`^${name}-([\\d.]+)\\.(egg|dist)-info$`).exec(e)?.[1]).find(Boolean) ??
    "unknown";
  return { dir, boto3: version("boto3"), botocore: version("botocore") };
}

// ---- Node.js: the SDK v3 clients' dependency closure, out of Vajra's node_modules ----

export interface ClosureEntry {
  name: string;
  version: string;
  /** The package's folder relative to the root, e.g. "node_modules/@smithy/core". */
  rel: string;
  engines?: string;
}

interface PackageJson {
  name?: string;
  version?: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
  } catch {
    return undefined;
  }
}

/** Node's lookup of `name` from the package folder `from`: its node_modules, then each parent's, up to `root`. */
function resolvePackage(root: string, from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return candidate;
    }
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** Every package `names` need (dependencies; optional and peer ones when installed), as installed under `root`. */
export function nodeSdkClosure(root: string, names: readonly string[]): ClosureEntry[] {
  const found = new Map<string, ClosureEntry>();
  const visit = (from: string, name: string, required: boolean, by: string): void => {
    const dir = resolvePackage(root, from, name);
    if (dir === undefined) {
      if (required) throw new Error(`${name} (needed by ${by}) is not installed under ${root}/node_modules`);
      return;
    }
    const rel = relative(root, dir);
    if (found.has(rel)) return;
    const pj = readPackageJson(dir) ?? {};
    found.set(rel, {
      name,
      version: pj.version ?? "0.0.0",
      rel,
      ...(pj.engines?.node === undefined ? {} : { engines: pj.engines.node }),
    });
    for (const d of Object.keys(pj.dependencies ?? {})) visit(dir, d, true, name);
    for (const d of Object.keys({ ...pj.optionalDependencies, ...pj.peerDependencies }))
      visit(dir, d, false, name);
  };
  for (const n of names) visit(root, n, true, "Vajra");
  return [...found.values()].sort((a, b) => a.rel.localeCompare(b.rel));
}

/** Names a closure by what is in it, so the assembled folder is rebuilt only when a version changes. */
export function closureKey(entries: readonly ClosureEntry[]): string {
  const h = createHash("sha256");
  for (const e of entries) h.update(`${e.rel}@${e.version}\n`);
  return h.digest("hex").slice(0, 16);
}

/** Hard-links (copies across file systems) `src` into `dst`, leaving out nested node_modules. */
function linkTree(src: string, dst: string, top = true): void {
  mkdirSync(dst, { recursive: true, mode: 0o755 });
  for (const e of readdirSync(src, { withFileTypes: true })) {
    if (top && e.name === "node_modules") continue; // nested packages are closure entries of their own
    const s = join(src, e.name);
    const d = join(dst, e.name);
    if (e.isDirectory()) linkTree(s, d, false);
    else if (e.isSymbolicLink()) symlinkSync(readlinkSync(s), d);
    else if (e.isFile()) {
      try {
        linkSync(s, d);
      } catch {
        copyFileSync(s, d);
      }
    }
  }
}

/** Package names in a node_modules folder, scopes expanded ("@aws-sdk/client-s3", "tslib"). */
export function packageNames(nodeModules: string): string[] {
  const out: string[] = [];
  let top: string[];
  try {
    top = readdirSync(nodeModules);
  } catch {
    return out;
  }
  for (const n of top) {
    if (n.startsWith(".")) continue;
    if (!n.startsWith("@")) out.push(n);
    else
      try {
        for (const s of readdirSync(join(nodeModules, n))) if (!s.startsWith(".")) out.push(`${n}/${s}`);
      } catch {
        // a file named like a scope: not a package
      }
  }
  return out.sort();
}

export class NodeSdk {
  private readonly views = new Map<string, string>();

  constructor(
    /** Host folder (a node_modules) mounted at NODE_SDK_PATH. */
    readonly dir: string,
    readonly key: string,
    readonly versions: Readonly<Record<string, string>>,
    /** The oldest Node.js major every package's `engines` allows (SDK v3 needs 20 today). */
    readonly minNodeMajor: number,
  ) {}

  /** Whether a Node.js of this version (e.g. "18.20.4") can run the SDK. */
  supports(nodeVersion: string | undefined): boolean {
    return nodeVersion !== undefined && Number(nodeVersion.split(".")[0]) >= this.minNodeMajor;
  }

  /**
   * The folder mounted at NODE_SDK_VIEW_PATH for a function whose /opt tree is `optDir`: links to the
   * SDK's packages, except those a layer ships in nodejs/node_modules, which link there instead (layers
   * win over the provided SDK, as on Lambda, where the SDK comes last on NODE_PATH). Links to the layer's
   * other packages let ESM `import` find them too. Made once per set of layer packages.
   */
  viewFor(optDir: string | undefined): string {
    const layerNames = optDir === undefined ? [] : packageNames(join(optDir, "nodejs", "node_modules"));
    const id = createHash("sha256").update(layerNames.join("\n")).digest("hex").slice(0, 16);
    const cached = this.views.get(id);
    if (cached !== undefined) return cached;
    const view = join(dirname(this.dir), "views", id);
    if (!existsSync(join(view, ".complete"))) {
      const tmp = `${view}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      const link = (name: string, target: string): void => {
        mkdirSync(dirname(join(tmp, name)), { recursive: true, mode: 0o755 });
        symlinkSync(target, join(tmp, name));
      };
      const fromLayer = new Set(layerNames);
      for (const n of packageNames(this.dir)) if (!fromLayer.has(n)) link(n, `${NODE_SDK_PATH}/${n}`);
      for (const n of layerNames) link(n, `${LAYER_NODE_MODULES}/${n}`);
      writeFileSync(join(tmp, ".complete"), "");
      rmSync(view, { recursive: true, force: true });
      renameSync(tmp, view);
    }
    this.views.set(id, view);
    return view;
  }
}

/**
 * Assembles the SDK clients' closure from `root`/node_modules into <dataDir>/runtime-sdks/nodejs-<key>
 * (hard links where the file system allows), once per set of versions; older assemblies are removed.
 */
export function assembleNodeSdk(
  root: string,
  dataDir: string,
  names: readonly string[] = NODE_SDK_PACKAGES,
): NodeSdk {
  const entries = nodeSdkClosure(root, names);
  const key = closureKey(entries);
  const base = join(dataDir, "runtime-sdks");
  const target = join(base, `nodejs-${key}`);
  const dir = join(target, "node_modules");
  if (!existsSync(join(target, ".complete"))) {
    const tmp = `${target}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    for (const e of entries) linkTree(join(root, e.rel), join(tmp, e.rel));
    writeFileSync(join(tmp, ".complete"), entries.map((e) => `${e.rel}@${e.version}`).join("\n") + "\n");
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  }
  for (const n of readdirSync(base))
    if (n.startsWith("nodejs-") && n !== `nodejs-${key}`)
      rmSync(join(base, n), { recursive: true, force: true });
  const versions: Record<string, string> = {};
  for (const e of entries)
    if (names.includes(e.name) && e.rel === `node_modules/${e.name}`) versions[e.name] = e.version;
  return new NodeSdk(dir, key, versions, minNodeMajor(entries));
}

/** The highest ">=N" among the packages' engines.node ranges (the SDK states its floor this way). */
export function minNodeMajor(entries: readonly ClosureEntry[]): number {
  let min = 0;
  for (const e of entries) {
    const m = />=\s*v?(\d+)/.exec(e.engines ?? "");
    if (m !== null) min = Math.max(min, Number(m[1]));
  }
  return min;
}

/** The folder holding Vajra's node_modules: the first parent of this file that has the SDK installed. */
export function vajraPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules", NODE_SDK_PACKAGES[0], "package.json"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

export interface RuntimeSdks {
  python?: PythonSdk;
  node?: NodeSdk;
  /** Why one is missing, for `vajra runtimes` and the server's warnings. */
  problems: { python?: string; node?: string };
}

/** Prepares both SDKs; a failure leaves that SDK out (functions still run) with the reason. */
export async function prepareRuntimeSdks(dataDir: string): Promise<RuntimeSdks> {
  const out: RuntimeSdks = { problems: {} };
  try {
    const py = await preparePythonSdk(dataDir);
    if (py === undefined) out.problems.python = PYTHON_SDK_HINT;
    else out.python = py;
  } catch (err) {
    out.problems.python = `boto3 could not be prepared (${(err as Error).message}); ${PYTHON_SDK_HINT}`;
  }
  const root = vajraPackageRoot();
  try {
    if (root === undefined)
      out.problems.node = `${NODE_SDK_PACKAGES[0]} is not installed with Vajra (npm install)`;
    else out.node = assembleNodeSdk(root, dataDir);
  } catch (err) {
    out.problems.node = `the AWS SDK for JavaScript could not be assembled: ${(err as Error).message}`;
  }
  return out;
}
