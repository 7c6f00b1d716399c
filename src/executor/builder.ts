// Runs one package build in a sandbox: a shell recipe from runtimes/<family>/build.sh with the
// uploaded sources at /build/src (writable copy), an empty /build/out that becomes the package, the
// project's runtimes/ at /var/runtime and a persistent per-family cache at /cache. The build runs as
// the unprivileged sandbox uid, with a time limit, a memory limit, and no network unless it installs
// dependencies from a registry. Its merged stdout/stderr is streamed to the caller and kept (capped).

import { once } from "node:events";
import { chmod, chown, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Mount, SandboxBackend } from "./sandbox.js";

export const BUILD_SRC = "/build/src";
export const BUILD_OUT = "/build/out";
export const BUILD_CACHE = "/cache";
const LOG_CAP_BYTES = 512 * 1024;

export interface BuildRun {
  id: string;
  /** Host folders: writable sources, empty output, persistent cache, the project's runtimes/. */
  srcDir: string;
  outDir: string;
  cacheDir: string;
  runtimesDir: string;
  extraMounts?: Mount[];
  /** The recipe, as a path inside the sandbox. */
  script: string;
  env: Record<string, string>;
  bindPaths: readonly string[];
  network: boolean;
  timeoutMs: number;
  memoryMb: number;
  onLog?: (text: string) => void;
}

export interface BuildOutcome {
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  log: string;
  durationMs: number;
}

/** Gives the sandbox uid ownership of a tree and write access to it (the recipe edits and writes). */
export async function handOver(dir: string, uid: number): Promise<void> {
  const root = process.getuid?.() === 0;
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p);
    if (st.isSymbolicLink()) return;
    if (root) await chown(p, uid, uid);
    await chmod(p, st.mode | 0o200 | (st.isDirectory() ? 0o700 : 0));
    if (st.isDirectory()) for (const e of await readdir(p)) await walk(join(p, e));
  };
  await walk(dir);
}

/** Keeps the last LOG_CAP_BYTES of a log, marking the cut. */
class CappedLog {
  private chunks: string[] = [];
  private size = 0;
  private dropped = false;

  add(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > LOG_CAP_BYTES && this.chunks.length > 1) {
      this.size -= (this.chunks.shift() as string).length;
      this.dropped = true;
    }
  }

  toString(): string {
    return (this.dropped ? "[… earlier build output cut …]\n" : "") + this.chunks.join("");
  }
}

export async function runBuild(backend: SandboxBackend, run: BuildRun): Promise<BuildOutcome> {
  const started = Date.now();
  const mounts: Mount[] = [
    { host: run.srcDir, path: BUILD_SRC, writable: true },
    { host: run.outDir, path: BUILD_OUT, writable: true },
    { host: run.cacheDir, path: BUILD_CACHE, writable: true },
    { host: run.runtimesDir, path: "/var/runtime" },
    ...(run.extraMounts ?? []),
  ];
  const proc = backend.spawn({
    id: run.id,
    mounts,
    bindPaths: run.bindPaths,
    command: ["/bin/sh", "-e", run.script],
    cwd: BUILD_SRC,
    env: {
      HOME: "/tmp",
      PATH: "/usr/local/bin:/usr/bin:/bin",
      LANG: "C.UTF-8",
      SRC: BUILD_SRC,
      OUT: BUILD_OUT,
      CACHE: BUILD_CACHE,
      RUNTIME_DIR: "/var/runtime",
      ...run.env,
    },
    memoryMb: run.memoryMb,
    tmpSizeMb: 2048,
    network: run.network,
    pidsMax: 4096,
  });
  const log = new CappedLog();
  const take = (chunk: Buffer): void => {
    const text = chunk.toString("utf8");
    log.add(text);
    run.onLog?.(text);
  };
  proc.stdout.on("data", take);
  proc.stderr.on("data", take);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill();
  }, run.timeoutMs);
  const drained = Promise.all([once(proc.stdout, "close"), once(proc.stderr, "close")]);
  const exit = await proc.exited;
  clearTimeout(timer);
  // Anything the recipe left running is killed; then the last output is read to the end.
  proc.release();
  await Promise.race([drained, new Promise((r) => setTimeout(r, 2000))]);
  const oom = proc.oomKilled();
  if (timedOut) log.add(`\nBuild stopped: it ran longer than ${Math.round(run.timeoutMs / 1000)} s.\n`);
  else if (oom) log.add(`\nBuild stopped: it ran out of its ${run.memoryMb} MB of memory.\n`);
  return {
    ok: !timedOut && !oom && exit.code === 0,
    exitCode: exit.code,
    timedOut,
    log: log.toString(),
    durationMs: Date.now() - started,
  };
}
