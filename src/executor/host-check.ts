// What this host offers for isolation (bubblewrap, setpriv, cgroups, root) and which sandbox backend
// follows from it. `vajra doctor` prints the checks; the server picks its backend and warns loudly
// when functions would not be isolated.

import { accessSync, constants, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { detectCgroups, type CgroupManager } from "./cgroups.js";
import { aptCandidates, familyReports, type AptCandidates, type FamilyReport } from "./install-hints.js";
import { discoverRuntimes } from "./runtime-discovery.js";
import { PYTHON_SDK_HINT, PYTHON_SDK_PACKAGE } from "./runtime-sdks.js";
import { findExecutable } from "./toolchains.js";
import type { HostCheck } from "../core/host-checks.js";

export { findExecutable } from "./toolchains.js";
export type { HostCheck } from "../core/host-checks.js";
import { BwrapSandbox, UnsandboxedProcess, type SandboxBackend } from "./sandbox.js";
import { noUserNamespaceFilter } from "./seccomp.js";
import { EgressNetwork } from "./network/egress.js";

export interface CheckHostOptions {
  /** Where `vajra runtimes install` put Node.js versions (the server's `<data-dir>/runtimes`). */
  nodeInstallDir?: string;
  /** What apt could install; by default `apt-cache policy` is asked (null: do not ask). */
  apt?: AptCandidates | null;
}

/** Default unprivileged uid/gid that functions run as (not in the host's passwd). */
export const DEFAULT_SANDBOX_UID = 61000;

/**
 * The bwrap binary sandboxes run: `VAJRA_BWRAP` when set (a path that is not an executable file means
 * "no bubblewrap": that is how the test suite simulates a host without it, e.g. VAJRA_BWRAP=/nonexistent),
 * else `bwrap` on PATH or in the usual folders. The server, `vajra doctor` and the tests all use this.
 */
export function findBwrap(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const forced = env.VAJRA_BWRAP;
  if (forced === undefined || forced === "") return findExecutable("bwrap");
  try {
    accessSync(forced, constants.X_OK);
    return statSync(forced).isFile() ? forced : undefined;
  } catch {
    return undefined;
  }
}

export async function checkHost(opts: CheckHostOptions = {}): Promise<HostCheck[]> {
  const checks: HostCheck[] = [];
  const bwrap = findBwrap();
  checks.push(
    bwrap !== undefined
      ? { name: "bubblewrap", ok: true, essential: true, detail: bwrap }
      : {
          name: "bubblewrap",
          ok: false,
          essential: true,
          detail: "bwrap not found: functions would run without isolation",
          fix: "apt-get install -y bubblewrap",
          aptPackages: ["bubblewrap"],
        },
  );
  const root = process.getuid?.() === 0;
  checks.push(
    root
      ? {
          name: "privileges",
          ok: true,
          detail: "running as root: sandboxes get cgroup limits and an unprivileged uid",
        }
      : {
          name: "privileges",
          ok: false,
          detail: "not root: memory/pids limits cannot be enforced",
          fix: "run `vajra server` as root (or in a container with a delegated cgroup)",
        },
  );
  const setpriv = findExecutable("setpriv");
  checks.push(
    setpriv !== undefined
      ? { name: "setpriv", ok: true, essential: root, detail: setpriv }
      : {
          name: "setpriv",
          ok: false,
          // As root, bwrap runs the function through setpriv: without it there is no sandbox.
          essential: root,
          detail: "setpriv not found (util-linux)",
          fix: "apt-get install -y util-linux",
          aptPackages: ["util-linux"],
        },
  );
  const cg = root ? detectCgroups() : { problem: "needs root" };
  checks.push(
    cg.manager !== undefined
      ? { name: "cgroups", ok: true, detail: `cgroup ${cg.manager.version} memory and pids controllers` }
      : {
          name: "cgroups",
          ok: false,
          detail: cg.problem ?? "unavailable",
          fix: "mount the cgroup memory and pids controllers and run as root",
        },
  );
  checks.push(freezerCheck(cg.manager, cg.problem));
  const egress = EgressNetwork.missing();
  checks.push(
    egress === undefined
      ? {
          name: "network",
          ok: true,
          detail: "modes none, egress and named networks (veth bridge, nftables rules, DNS forwarder)",
        }
      : {
          name: "network",
          ok: false,
          detail: `mode none only (no egress, no named networks): ${egress.reason}`,
          fix: egress.fix,
          ...(egress.aptPackages === undefined ? {} : { aptPackages: egress.aptPackages }),
        },
  );
  checks.push(
    noUserNamespaceFilter() !== undefined
      ? {
          name: "seccomp",
          ok: true,
          detail: `filter for ${process.arch}: no user namespaces inside sandboxes`,
        }
      : {
          name: "seccomp",
          ok: false,
          detail: `no seccomp filter for ${process.arch}: functions may create user namespaces`,
          fix: "nothing to install: the filter exists for x64 and arm64 hosts only",
        },
  );
  const [runtimes, apt] = await Promise.all([
    discoverRuntimes(opts.nodeInstallDir === undefined ? {} : { nodeInstallDir: opts.nodeInstallDir }),
    opts.apt === undefined ? aptCandidates() : Promise.resolve(opts.apt ?? undefined),
  ]);
  // boto3 (what Python functions get without packaging it) is shown right after the Python runtimes.
  for (const c of runtimeChecks(familyReports(runtimes, apt)))
    checks.push(...(c.name === "python" ? [c, pythonSdkCheck()] : [c]));
  return checks;
}

/** boto3 for Python functions comes from Debian's python3-boto3 (see runtime-sdks.ts). */
export function pythonSdkCheck(distPackages = "/usr/lib/python3/dist-packages"): HostCheck {
  return existsSync(join(distPackages, "boto3"))
    ? { name: "boto3", group: "runtime", ok: true, detail: `Python functions get boto3 from ${distPackages}` }
    : {
        name: "boto3",
        group: "runtime",
        ok: false,
        detail: `Python functions run without boto3: ${PYTHON_SDK_HINT}`,
        fix: `apt-get install -y ${PYTHON_SDK_PACKAGE}`,
        aptPackages: [PYTHON_SDK_PACKAGE],
      };
}

/** Whether idle instances are frozen between invocations (Lambda freezes them; see sandbox.ts). */
function freezerCheck(manager: CgroupManager | undefined, problem: string | undefined): HostCheck {
  if (manager?.canFreeze === true)
    return {
      name: "freezer",
      ok: true,
      detail: `idle instances are frozen between invocations (cgroup ${manager.version} ${manager.version === "v1" ? "freezer controller" : "cgroup.freeze"})`,
    };
  return {
    name: "freezer",
    ok: false,
    detail:
      manager === undefined
        ? `idle instances are NOT frozen: no cgroups (${problem ?? "unavailable"}); background work of a function goes on between invocations`
        : "idle instances are NOT frozen: the cgroup v1 freezer controller is not mounted",
    fix:
      manager === undefined
        ? "run `vajra server` as root on a host with cgroups (v2, or v1 with the freezer controller)"
        : "mount the freezer controller: mkdir -p /sys/fs/cgroup/freezer && mount -t cgroup -o freezer freezer /sys/fs/cgroup/freezer",
  };
}

/**
 * Why functions on this host would run without a sandbox, naming the command that fixes it; undefined
 * when bubblewrap isolates them. The server decides on it, and the tests skip (or fail under CI) on it.
 */
export function sandboxMissing(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.VAJRA_UNSANDBOXED === "1") return "VAJRA_UNSANDBOXED=1 is set";
  if (findBwrap(env) === undefined)
    return "bubblewrap (bwrap) was not found (install it: apt-get install -y bubblewrap)";
  // As root, bwrap must not create a user namespace (its "root" would be host root): setpriv drops
  // to the sandbox uid instead, so without it there is no safe sandbox.
  if (process.getuid?.() === 0 && findExecutable("setpriv") === undefined)
    return "setpriv was not found (install it: apt-get install -y util-linux)";
  return undefined;
}

/** One check per runtime family: what is there, and each missing runtime with its install command. */
export function runtimeChecks(reports: FamilyReport[]): HostCheck[] {
  const anyAvailable = reports.some((r) => r.available.length > 0);
  return reports.map((r) => {
    // Custom runtimes have no language version (theirs would be the forwarder's Node.js).
    const have = r.available.map((a) =>
      a.version === undefined || r.family === "provided" ? a.id : `${a.id} (${a.version})`,
    );
    const apt = [...new Set(r.missing.flatMap((m) => m.aptPackages ?? []))];
    return {
      name: r.family,
      group: "runtime",
      ok: r.missing.length === 0,
      // A host with no runtime at all cannot run any function.
      essential: !anyAvailable,
      detail:
        have.length === 0
          ? "none found"
          : `${have.join(", ")}${r.missing.length === 0 ? "" : `; ${r.missing.length} missing`}`,
      ...(r.missing.length === 0
        ? {}
        : {
            missing: r.missing.map((m) => ({
              id: m.id,
              command: m.command,
              ...(m.note === undefined ? {} : { note: m.note }),
            })),
          }),
      ...(apt.length === 0 ? {} : { aptPackages: apt }),
    };
  });
}

export interface SandboxSetup {
  backend: SandboxBackend;
  /** Loud warnings for the server log: what is not enforced on this host. */
  warnings: string[];
  cgroups: CgroupManager | undefined;
}

export function createSandboxBackend(dataDir: string, uid = DEFAULT_SANDBOX_UID): SandboxSetup {
  const warnings: string[] = [];
  const bwrapPath = findBwrap();
  const root = process.getuid?.() === 0;
  const unsandboxed = (why: string): SandboxSetup => {
    warnings.push(
      `FUNCTIONS ARE NOT ISOLATED: ${why}, so functions run as plain processes with the server's privileges.`,
    );
    // Still a cgroup per instance where possible: it kills every process a function started (even a
    // setsid daemon) and freezes idle instances; otherwise the process group is killed and stopped.
    const cg = root ? detectCgroups() : { manager: undefined, problem: "not running as root" };
    if (cg.manager?.canFreeze !== true)
      warnings.push(
        `idle instances are frozen with SIGSTOP of their process group only (${cg.problem ?? "no cgroup freezer"}): a process a function detaches with setsid keeps running and survives its instance`,
      );
    return { backend: new UnsandboxedProcess(cg.manager), warnings, cgroups: cg.manager };
  };
  const missing = sandboxMissing();
  if (missing !== undefined || bwrapPath === undefined) return unsandboxed(missing ?? "no bwrap");
  let cgroups: CgroupManager | undefined;
  if (root) {
    const cg = detectCgroups();
    cgroups = cg.manager;
    if (cgroups === undefined)
      warnings.push(`memory and process limits are NOT enforced: ${cg.problem ?? "no cgroups"}`);
  } else {
    warnings.push(
      "not running as root: memory and process limits are NOT enforced (no cgroups); sandboxes use user namespaces",
    );
  }
  if (cgroups?.canFreeze !== true)
    warnings.push(
      "idle instances are NOT frozen between invocations (no cgroup freezer): a function's background work goes on while no invocation runs",
    );
  return { backend: new BwrapSandbox({ bwrapPath, dataDir, cgroups, uid }), warnings, cgroups };
}
