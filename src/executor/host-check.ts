// What this host offers for isolation (bubblewrap, setpriv, cgroups, root) and which sandbox backend
// follows from it. `vajra doctor` prints the checks; the server picks its backend and warns loudly
// when functions would not be isolated.

import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";
import { detectCgroups, type CgroupManager } from "./cgroups.js";
import { discoverRuntimes } from "./runtime-discovery.js";
import { BwrapSandbox, UnsandboxedProcess, type SandboxBackend } from "./sandbox.js";

export interface HostCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** Default unprivileged uid/gid that functions run as (not in the host's passwd). */
export const DEFAULT_SANDBOX_UID = 61000;

export function findExecutable(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/bin", "/bin", "/usr/local/bin"]) {
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

export async function checkHost(): Promise<HostCheck[]> {
  const checks: HostCheck[] = [];
  const bwrap = findBwrap();
  checks.push(
    bwrap !== undefined
      ? { name: "bubblewrap", ok: true, detail: bwrap }
      : {
          name: "bubblewrap",
          ok: false,
          detail: "bwrap not found: functions would run without isolation",
          fix: "apt-get install -y bubblewrap",
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
      ? { name: "setpriv", ok: true, detail: setpriv }
      : {
          name: "setpriv",
          ok: false,
          detail: "setpriv not found (util-linux)",
          fix: "apt-get install -y util-linux",
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
  const runtimes = await discoverRuntimes();
  const available = [...runtimes.values()].filter((r) => r.available).map((r) => r.spec.id);
  checks.push(
    available.length > 0
      ? { name: "runtimes", ok: true, detail: available.join(", ") }
      : { name: "runtimes", ok: false, detail: "no runtime found", fix: "install Python 3.8+ or Node.js 20" },
  );
  return checks;
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
    return { backend: new UnsandboxedProcess(), warnings, cgroups: undefined };
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
  return { backend: new BwrapSandbox({ bwrapPath, dataDir, cgroups, uid }), warnings, cgroups };
}
