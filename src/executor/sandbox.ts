// The sandbox behind one small interface, with two implementations: bubblewrap (namespaces, a
// read-only view of the system, cgroup limits, an unprivileged uid, seccomp) and a bare process for
// hosts without bubblewrap, which the server announces loudly as "not isolated".

import { spawn, type ChildProcess } from "node:child_process";
import { lstatSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { VajraError } from "../core/errors.js";
import type { Cgroup, CgroupManager } from "./cgroups.js";
import { noUserNamespaceFilter } from "./seccomp.js";

/** A host folder shown inside the sandbox at `path`. */
export interface Mount {
  host: string;
  path: string;
  /** Default read-only. */
  writable?: boolean;
}

export interface SandboxSpec {
  id: string;
  mounts: readonly Mount[];
  /** Host folders the interpreter or toolchain needs, bound read-only at the same path. */
  bindPaths: readonly string[];
  /** Absolute paths as seen inside the sandbox. */
  command: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  memoryMb: number;
  tmpSizeMb: number;
  /** Share the host's network (dependency installs only); functions always get their own namespace. */
  network?: boolean;
  /** A prepared network namespace (egress) to run in instead of a fresh empty one. */
  netnsPath?: string;
  /**
   * The network policy `netnsPath` belongs to (`egress`, or named networks `a,b`): a sandbox prepared
   * ahead of time serves a spec only when it runs under the same policy.
   */
  networkKey?: string;
  /** Shown as /etc/resolv.conf instead of the host's. */
  resolvConf?: string;
  pidsMax?: number;
  /** Give the process a pipe on its stdin (a pre-initialised sandbox reads its assignment there). */
  stdin?: boolean;
}

/** Where an instance's folders appear: code, runtime bootstrap, Runtime API socket, layers. */
export function instanceMounts(dirs: {
  codeDir: string;
  runtimeDir: string;
  instanceDir: string;
  optDir?: string;
}): Mount[] {
  const m: Mount[] = [
    { host: dirs.codeDir, path: TASK_ROOT },
    { host: dirs.runtimeDir, path: RUNTIME_ROOT },
    { host: dirs.instanceDir, path: SOCKET_DIR },
  ];
  if (dirs.optDir !== undefined) m.push({ host: dirs.optDir, path: "/opt" });
  return m;
}

/** Rewrites sandbox paths in `value` to the host folders behind them (for the unsandboxed backend). */
export function hostPath(mounts: readonly Mount[], value: string): string {
  const sorted = [...mounts].sort((a, b) => b.path.length - a.path.length);
  return value.replace(/(^|[:=\s])(\/[^:\s]*)/g, (whole, lead: string, p: string) => {
    const m = sorted.find((x) => p === x.path || p.startsWith(x.path + "/"));
    return m === undefined ? whole : lead + m.host + p.slice(m.path.length);
  });
}

export interface SandboxExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SandboxProcess {
  /** Present when the spec asked for it (`stdin: true`). */
  readonly stdin?: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<SandboxExit>;
  /** Kills the whole process tree, frozen or not; safe to call more than once. */
  kill(): void;
  /**
   * Stops every process of the instance while it is idle (Lambda freezes an execution environment
   * between invocations); only asks, never waits. A no-op where the backend cannot freeze.
   */
  freeze(): void;
  /** Lets the instance's processes run again; done when this returns. */
  thaw(): void;
  peakMemoryBytes(): number;
  oomKilled(): boolean;
  /** Releases host resources (cgroups) once the process has exited. */
  release(): void;
  /** Changes the memory and pids limits of the running sandbox, where it has a cgroup. */
  setLimits?(memoryMb: number, pidsMax?: number): void;
}

export interface SandboxBackend {
  readonly isolated: boolean;
  /** How idle instances are frozen: their cgroup, their process group (SIGSTOP), or not at all. */
  readonly freezing: "cgroup" | "signal" | "none";
  spawn(spec: SandboxSpec): SandboxProcess;
  /**
   * A sandbox started ahead of time that now runs `spec` (see executor/preinit/), or undefined: then the
   * caller spawns one. Only backends that keep such sandboxes have it. `before` is what must be done
   * before the sandbox's program goes on (the Runtime API socket listening); the backend prepares the
   * sandbox meanwhile.
   */
  claim?(spec: SandboxSpec, before?: Promise<unknown>): Promise<SandboxProcess | undefined>;
  /** What the pool of such sandboxes holds and has done, for /health. */
  poolStats?(): SandboxPoolStats;
}

export interface SandboxPoolStats {
  /** Sandboxes waiting for a function now (started or ready). */
  waiting: number;
  /** Of those, the ones whose bootstrap has loaded and waits for its assignment. */
  ready: number;
  /** Cold starts served by a waiting sandbox. */
  taken: number;
  /** Sandboxes started into the pool. */
  started: number;
  /** Sandboxes killed unused (idle, short of memory, or a failed assignment). */
  discarded: number;
  /** Assignments that failed, so the cold start made a sandbox of its own. */
  fellBack: number;
}

export const TASK_ROOT = "/var/task";
export const RUNTIME_ROOT = "/var/runtime";
export const SOCKET_DIR = "/run/vajra";
export const SOCKET_NAME = "runtime.sock";
/**
 * Where the functions' Lambda endpoint socket appears (see api/function-endpoint.ts). The runtimes know
 * this path (runtimes/*: each relays 127.0.0.1:9002 there when the socket exists); no variable names it.
 */
export const ENDPOINT_DIR = "/run/vajra-lambda";
export const ENDPOINT_SOCKET_NAME = "lambda.sock";
/** The address inside each sandbox where the runtime relays to the endpoint socket. */
export const ENDPOINT_ADDRESS = "127.0.0.1:9002";
const PIDS_MAX = 1024;
const NSENTER = "/usr/bin/nsenter";

function exitPromise(child: ChildProcess): Promise<SandboxExit> {
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: 127, signal: null }));
  });
}

/**
 * A shell that writes its own pid into each cgroup.procs file named before `--`, then execs the rest:
 * every process the command starts is born inside the groups.
 */
const JOIN_CGROUPS_SCRIPT =
  'p=$$; while [ "$1" != "--" ]; do echo "$p" > "$1" || exit 121; shift; done; shift; exec "$@"';

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Files of /etc a runtime needs (dynamic linker, time zone, TLS roots, name resolution). */
const ETC_FILES = [
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "localtime",
  "hosts",
  "resolv.conf",
  "nsswitch.conf",
  "ssl",
  "ca-certificates",
  "alternatives",
  "mime.types",
  // Debian's JDKs keep their security configuration (conf/security/java.security) under /etc/java-N-openjdk.
  ...safeEtcEntries(/^java-\d+/),
];

function safeEtcEntries(pattern: RegExp): string[] {
  try {
    return readdirSync("/etc").filter((n) => pattern.test(n));
  } catch {
    return [];
  }
}

export interface BwrapOptions {
  bwrapPath: string;
  dataDir: string;
  cgroups: CgroupManager | undefined;
  /** The unprivileged uid/gid functions run as. */
  uid: number;
}

export class BwrapSandbox implements SandboxBackend {
  readonly isolated = true;
  readonly freezing: "cgroup" | "none";
  private readonly etcDir: string;
  private readonly seccomp: Buffer | undefined;
  private readonly root = process.getuid?.() === 0;
  private readonly rootLinks: string[] = [];

  constructor(private readonly opts: BwrapOptions) {
    this.freezing = opts.cgroups?.canFreeze === true ? "cgroup" : "none";
    this.etcDir = join(opts.dataDir, "sandbox", "etc");
    mkdirSync(this.etcDir, { recursive: true });
    // The function sees a passwd/group naming its own uid, like Lambda's sbx_user1051.
    writeFileSync(
      join(this.etcDir, "passwd"),
      `root:x:0:0:root:/root:/sbin/nologin\nsbx_user:x:${opts.uid}:${opts.uid}::/tmp:/sbin/nologin\n`,
    );
    writeFileSync(join(this.etcDir, "group"), `root:x:0:\nsbx_user:x:${opts.uid}:\n`);
    this.seccomp = noUserNamespaceFilter();
    for (const d of ["bin", "sbin", "lib", "lib32", "lib64", "libx32"]) {
      try {
        const st = lstatSync(`/${d}`);
        this.rootLinks.push(st.isSymbolicLink() ? `--symlink\0usr/${d}\0/${d}` : `--ro-bind\0/${d}\0/${d}`);
      } catch {
        // not present on this distribution
      }
    }
  }

  /** bwrap options, passed through fd 3 so the sandbox's /proc/1/cmdline does not show them. */
  private args(spec: SandboxSpec): string[] {
    const a: string[] = [
      "--unshare-pid",
      "--unshare-ipc",
      "--unshare-uts",
      // A prepared namespace is entered before bwrap starts (nsenter, in spawn()).
      ...(spec.network === true || spec.netnsPath !== undefined ? [] : ["--unshare-net"]),
      "--unshare-cgroup-try",
      "--die-with-parent",
      "--new-session",
      "--hostname",
      "localhost",
      "--ro-bind",
      "/usr",
      "/usr",
    ];
    for (const l of this.rootLinks) a.push(...l.split("\0"));
    a.push("--perms", "0755", "--dir", "/etc");
    for (const f of ETC_FILES)
      if (f !== "resolv.conf" || spec.resolvConf === undefined)
        a.push("--ro-bind-try", `/etc/${f}`, `/etc/${f}`);
    if (spec.resolvConf !== undefined) a.push("--ro-bind", spec.resolvConf, "/etc/resolv.conf");
    a.push(
      "--ro-bind",
      join(this.etcDir, "passwd"),
      "/etc/passwd",
      "--ro-bind",
      join(this.etcDir, "group"),
      "/etc/group",
    );
    a.push("--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys", "--dev", "/dev");
    a.push("--perms", "1777", "--size", String(spec.tmpSizeMb * 1024 * 1024), "--tmpfs", "/tmp");
    a.push("--perms", "0755", "--dir", "/var", "--perms", "0755", "--dir", "/run");
    const bind = (host: string, path: string, writable: boolean): void => {
      // bwrap creates missing parents with mode 0700 under a root umask; make each traversable.
      const parts = path.split("/").filter(Boolean);
      for (let i = 1; i < parts.length; i++)
        if (!["/var", "/run"].includes("/" + parts.slice(0, i).join("/")))
          a.push("--perms", "0755", "--dir", "/" + parts.slice(0, i).join("/"));
      a.push(writable ? "--bind" : "--ro-bind", host, path);
    };
    for (const m of spec.mounts) bind(m.host, m.path, m.writable === true);
    for (const p of spec.bindPaths) bind(p, p, false);
    a.push("--chdir", spec.cwd, "--clearenv");
    for (const [k, v] of Object.entries(spec.env)) a.push("--setenv", k, v);
    if (this.seccomp !== undefined) a.push("--seccomp", "4");
    if (!this.root)
      a.push(
        "--unshare-user",
        "--disable-userns",
        "--uid",
        String(this.opts.uid),
        "--gid",
        String(this.opts.uid),
        "--cap-drop",
        "ALL",
      );
    return a;
  }

  /** The command bwrap runs (bwrap only takes it on its real command line, not from --args). */
  private command(spec: SandboxSpec): string[] {
    const run = [...spec.command];
    if (!this.root) return run;
    // Host root starts bwrap (so it can bind root-owned folders and join cgroups), then setpriv
    // becomes an unprivileged uid with no capabilities before the runtime starts: no user
    // namespace whose "root" would be host root.
    const uid = String(this.opts.uid);
    return [
      "/usr/bin/setpriv",
      "--reuid",
      uid,
      "--regid",
      uid,
      "--clear-groups",
      "--inh-caps=-all",
      "--bounding-set=-all",
      "--no-new-privs",
      "--",
      ...run,
    ];
  }

  spawn(spec: SandboxSpec): SandboxProcess {
    let cgroup: Cgroup | undefined;
    if (this.opts.cgroups !== undefined) {
      cgroup = this.opts.cgroups.create(spec.id, {
        memoryBytes: spec.memoryMb * 1024 * 1024,
        pidsMax: spec.pidsMax ?? PIDS_MAX,
        memoryMbForCpu: spec.memoryMb,
      });
    }
    // The shell joins the cgroups before exec'ing bwrap, so every descendant starts inside them.
    // bwrap reads its arguments from fd 3 (so /proc/1/cmdline in the sandbox shows none of them) and
    // starts with an empty environment (its pid 1 keeps it, readable inside).
    const bwrap = [this.opts.bwrapPath, "--args", "3", "--", ...this.command(spec)];
    const argv = spec.netnsPath === undefined ? bwrap : [NSENTER, `--net=${spec.netnsPath}`, "--", ...bwrap];
    const child = spawn(
      "/bin/sh",
      ["-c", JOIN_CGROUPS_SCRIPT, "sh", ...(cgroup?.procsFiles ?? []), "--", ...argv],
      {
        env: {},
        stdio: [spec.stdin === true ? "pipe" : "ignore", "pipe", "pipe", "pipe", "pipe"],
        detached: true,
      },
    );
    const argsPipe = child.stdio[3] as NodeJS.WritableStream | null;
    const seccompPipe = child.stdio[4] as NodeJS.WritableStream | null;
    if (child.stdout === null || child.stderr === null || argsPipe === null || seccompPipe === null) {
      killGroup(child);
      cgroup?.destroy();
      throw new VajraError("SandboxUnavailable", "could not open pipes to the sandbox");
    }
    const swallow = (): void => {};
    (argsPipe as unknown as Readable).on("error", swallow);
    (seccompPipe as unknown as Readable).on("error", swallow);
    argsPipe.end(this.args(spec).join("\0") + "\0");
    seccompPipe.end(this.seccomp ?? Buffer.alloc(0));
    const exited = exitPromise(child);
    child.stdin?.on("error", swallow);
    return {
      ...(child.stdin === null ? {} : { stdin: child.stdin }),
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      kill: () => {
        killGroup(child);
        cgroup?.killAll();
      },
      setLimits: (memoryMb, pidsMax) =>
        cgroup?.setLimits({
          memoryBytes: memoryMb * 1024 * 1024,
          pidsMax: pidsMax ?? PIDS_MAX,
          memoryMbForCpu: memoryMb,
        }),
      // Without a cgroup there is nothing to freeze: bwrap starts the function in a session of its
      // own, out of reach of a process-group signal (`freezing` says "none" and doctor reports it).
      freeze: () => cgroup?.freeze(),
      thaw: () => cgroup?.thaw(),
      peakMemoryBytes: () => cgroup?.peakMemoryBytes() ?? 0,
      oomKilled: () => cgroup?.oomKilled() ?? false,
      release: () => {
        cgroup?.killAll();
        cgroup?.destroy();
      },
    };
  }
}

/**
 * Runs the runtime as a plain child process. Only for hosts without bubblewrap; NOT isolated. Each
 * instance still gets a process group of its own and, where cgroups are usable (root), a cgroup of its
 * own, so a timeout, a recycle or a shutdown kills every process the function started — even one that
 * left the process group with setsid — and an idle instance is frozen like a sandboxed one.
 */
export class UnsandboxedProcess implements SandboxBackend {
  readonly isolated = false;
  readonly freezing: "cgroup" | "signal";

  constructor(private readonly cgroups?: CgroupManager) {
    this.freezing = cgroups?.canFreeze === true ? "cgroup" : "signal";
  }

  spawn(spec: SandboxSpec): SandboxProcess {
    const host = (v: string): string => hostPath(spec.mounts, v);
    const [exe, ...args] = spec.command.map(host);
    if (exe === undefined) throw new VajraError("SandboxUnavailable", "empty command");
    const env = Object.fromEntries(Object.entries(spec.env).map(([k, v]) => [k, host(v)]));
    const cgroup = this.cgroups?.create(spec.id, {
      memoryBytes: spec.memoryMb * 1024 * 1024,
      pidsMax: spec.pidsMax ?? PIDS_MAX,
      memoryMbForCpu: spec.memoryMb,
    });
    const child = spawn(
      "/bin/sh",
      [
        "-c",
        JOIN_CGROUPS_SCRIPT,
        "sh",
        ...(cgroup?.procsFiles ?? []),
        "--",
        ...(spec.netnsPath === undefined ? [] : [NSENTER, `--net=${spec.netnsPath}`, "--"]),
        exe,
        ...args,
      ],
      {
        cwd: host(spec.cwd),
        env: {
          ...env,
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          VAJRA_RUNTIME_SOCKET: host(`${SOCKET_DIR}/${SOCKET_NAME}`),
        },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    if (child.stdout === null || child.stderr === null) {
      killGroup(child);
      cgroup?.destroy();
      throw new VajraError("SandboxUnavailable", "no pipes");
    }
    let peak = 0;
    const sample = (): number => {
      if (cgroup !== undefined) return cgroup.peakMemoryBytes();
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m !== null) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        // exited
      }
      return peak;
    };
    const kill = (): void => {
      killGroup(child);
      if (cgroup !== undefined) cgroup.killAll();
      // A group stopped by SIGSTOP acts on SIGKILL at once; SIGCONT anyway, for anything left.
      else signalGroup(child, "SIGCONT");
    };
    return {
      stdout: child.stdout,
      stderr: child.stderr,
      exited: exitPromise(child),
      kill,
      freeze: () => (cgroup !== undefined ? cgroup.freeze() : signalGroup(child, "SIGSTOP")),
      thaw: () => (cgroup !== undefined ? cgroup.thaw() : signalGroup(child, "SIGCONT")),
      peakMemoryBytes: sample,
      oomKilled: () => cgroup?.oomKilled() ?? false,
      release: () => {
        kill();
        cgroup?.destroy();
      },
    };
  }
}
