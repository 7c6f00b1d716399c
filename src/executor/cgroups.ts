// Resource limits for sandboxes through Linux cgroups. Two implementations behind one interface:
// cgroup v2 (unified hierarchy with the memory controller) and v1 (separate memory/pids/cpu/freezer
// hierarchies, as on this project's CI machines). Either gives a memory limit (MemorySize), a pids
// limit, a CPU weight proportional to memory, the peak memory for "Max Memory Used", OOM detection,
// and the freezer that stops an idle instance's every process between invocations, as Lambda freezes
// an execution environment once its invocation has ended.

import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmdirSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

export interface CgroupLimits {
  memoryBytes: number;
  pidsMax: number;
  /** Relative CPU weight; Lambda gives CPU in proportion to memory. */
  memoryMbForCpu: number;
}

export interface Cgroup {
  /** `cgroup.procs` files a process must write its pid into to join every controller. */
  readonly procsFiles: readonly string[];
  peakMemoryBytes(): number;
  /** True when the kernel OOM-killed something in this group. */
  oomKilled(): boolean;
  /** True when the group can be frozen (v2's cgroup.freeze, or the v1 freezer controller). */
  readonly canFreeze: boolean;
  /**
   * Stops every process of the group without signals (they cannot see or catch it). Asynchronous in the
   * kernel (v1 goes FREEZING → FROZEN; v2 sets cgroup.events frozen 1): this only asks, it never waits.
   */
  freeze(): void;
  /** Lets the group run again; done when this returns. */
  thaw(): void;
  /** Kills every process still in the group, frozen or not. */
  killAll(): void;
  /** Removes the group; processes must be gone. Errors are swallowed (the group may already be gone). */
  destroy(): void;
  /**
   * Changes the limits of a live group (a pre-initialised sandbox given to a function takes the
   * function's memory size). Lowering memory below what the group uses makes the kernel reclaim or OOM-kill.
   */
  setLimits(limits: CgroupLimits): void;
}

/** cpu.shares (v1) and cpu.weight (v2) in proportion to memory, as Lambda gives CPU. */
const cpuShares = (l: CgroupLimits): number => Math.max(2, Math.round((l.memoryMbForCpu * 1024) / 1769));
const cpuWeight = (l: CgroupLimits): number =>
  Math.min(10000, Math.max(1, Math.round(l.memoryMbForCpu / 18)));

export interface CgroupManager {
  readonly version: "v1" | "v2";
  /** Whether the groups it creates can be frozen (v1: the freezer controller is mounted). */
  readonly canFreeze: boolean;
  create(id: string, limits: CgroupLimits): Cgroup;
}

const ROOT = "/sys/fs/cgroup";
/** Every server gets its own group, vajra/<pid>, so servers sharing a host never touch each other's. */
const PARENT = "vajra";
const OWN = join(PARENT, String(process.pid));

/** Reads a counter through a file descriptor kept open, re-read from offset 0 (one syscall). */
class CounterFile {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(32);
  constructor(private readonly path: string) {}
  read(): number {
    try {
      this.fd ??= openSync(this.path, "r");
      const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
      return Number.parseInt(this.buf.toString("latin1", 0, n), 10) || 0;
    } catch {
      return 0;
    }
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Writes a control file through a file descriptor kept open (one write syscall per change). */
class ControlFile {
  private fd: number | undefined;
  constructor(private readonly path: string) {}
  write(value: string): boolean {
    try {
      this.fd ??= openSync(this.path, "w");
      writeSync(this.fd, value);
      return true;
    } catch {
      return false;
    }
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function readNumber(path: string): number {
  try {
    return Number.parseInt(readFileSync(path, "utf8"), 10) || 0;
  } catch {
    return 0;
  }
}

function killPids(procsFile: string): void {
  let text: string;
  try {
    text = readFileSync(procsFile, "utf8");
  } catch {
    return;
  }
  for (const line of text.split("\n")) {
    const pid = Number.parseInt(line, 10);
    if (pid > 0) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

/** Thaws a group found on disk (a crashed server may have left it frozen), whichever version it is. */
function thawDir(path: string): void {
  for (const [file, value] of [
    ["freezer.state", "THAWED"],
    ["cgroup.freeze", "0"],
  ] as const) {
    try {
      writeFileSync(join(path, file), value);
    } catch {
      // not this version's file, or already gone
    }
  }
}

/**
 * Removes a group. The sandbox's own pid 1 may still be exiting when the launcher has gone, so a busy
 * group is retried for a few seconds; a later startup sweep catches anything left.
 */
function tryRmdir(path: string, attempts = 0): void {
  try {
    rmdirSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EBUSY" && attempts < 50) {
      killPids(join(path, "cgroup.procs"));
      thawDir(path);
      setTimeout(() => tryRmdir(path, attempts + 1), 100).unref();
    }
  }
}

class CgroupV1 implements Cgroup {
  readonly procsFiles: string[];
  readonly canFreeze: boolean;
  private readonly peak: CounterFile;
  private readonly freezerState: ControlFile | undefined;
  constructor(
    private readonly mem: string,
    private readonly pids: string,
    private readonly cpu: string | undefined,
    private readonly freezer: string | undefined,
  ) {
    this.procsFiles = [join(mem, "cgroup.procs"), join(pids, "cgroup.procs")];
    if (cpu !== undefined) this.procsFiles.push(join(cpu, "cgroup.procs"));
    if (freezer !== undefined) this.procsFiles.push(join(freezer, "cgroup.procs"));
    this.peak = new CounterFile(join(mem, "memory.max_usage_in_bytes"));
    this.freezerState = freezer === undefined ? undefined : new ControlFile(join(freezer, "freezer.state"));
    this.canFreeze = freezer !== undefined;
  }
  freeze(): void {
    this.freezerState?.write("FROZEN");
  }
  thaw(): void {
    this.freezerState?.write("THAWED");
  }
  peakMemoryBytes(): number {
    return this.peak.read();
  }
  oomKilled(): boolean {
    try {
      const m = /oom_kill (\d+)/.exec(readFileSync(join(this.mem, "memory.oom_control"), "utf8"));
      if (m !== null) return Number(m[1]) > 0;
    } catch {
      // fall through to failcnt
    }
    return readNumber(join(this.mem, "memory.failcnt")) > 0 && this.peakMemoryBytes() >= this.limit();
  }
  private limit(): number {
    return readNumber(join(this.mem, "memory.limit_in_bytes"));
  }
  killAll(): void {
    killPids(join(this.pids, "cgroup.procs"));
    killPids(join(this.mem, "cgroup.procs"));
    // A frozen task only acts on SIGKILL once it runs again: signal first, then thaw (v1 has no
    // cgroup.kill).
    if (this.freezer !== undefined) {
      killPids(join(this.freezer, "cgroup.procs"));
      this.thaw();
    }
  }
  setLimits(limits: CgroupLimits): void {
    const memory = join(this.mem, "memory.limit_in_bytes");
    const memsw = join(this.mem, "memory.memsw.limit_in_bytes");
    // v1 keeps memory ≤ memory+swap: raise memsw first when growing, lower it last when shrinking.
    const grow = limits.memoryBytes >= readNumber(memory);
    // Without swap accounting memsw may be absent; where present, forbid swapping past the limit.
    const writeMemsw = (): void => {
      try {
        writeFileSync(memsw, String(limits.memoryBytes));
      } catch {
        // no swap accounting on this kernel
      }
    };
    if (grow) writeMemsw();
    writeFileSync(memory, String(limits.memoryBytes));
    if (!grow) writeMemsw();
    writeFileSync(join(this.pids, "pids.max"), String(limits.pidsMax));
    if (this.cpu !== undefined) writeFileSync(join(this.cpu, "cpu.shares"), String(cpuShares(limits)));
  }
  destroy(): void {
    this.peak.close();
    this.freezerState?.close();
    tryRmdir(this.mem);
    tryRmdir(this.pids);
    if (this.cpu !== undefined) tryRmdir(this.cpu);
    if (this.freezer !== undefined) tryRmdir(this.freezer);
  }
}

class CgroupV1Manager implements CgroupManager {
  readonly version = "v1";
  private readonly hasCpu: boolean;
  readonly canFreeze: boolean;
  constructor() {
    for (const c of ["memory", "pids"]) mkdirSync(join(ROOT, c, OWN), { recursive: true });
    this.hasCpu = existsSync(join(ROOT, "cpu", "cpu.shares"));
    if (this.hasCpu) mkdirSync(join(ROOT, "cpu", OWN), { recursive: true });
    this.canFreeze =
      existsSync(join(ROOT, "freezer", "freezer.self_freezing")) ||
      existsSync(join(ROOT, "freezer", "cgroup.procs"));
    if (this.canFreeze) mkdirSync(join(ROOT, "freezer", OWN), { recursive: true });
  }
  create(id: string, limits: CgroupLimits): Cgroup {
    const mem = join(ROOT, "memory", OWN, id);
    const pids = join(ROOT, "pids", OWN, id);
    mkdirSync(mem);
    mkdirSync(pids);
    let cpu: string | undefined;
    if (this.hasCpu) {
      cpu = join(ROOT, "cpu", OWN, id);
      mkdirSync(cpu);
    }
    let freezer: string | undefined;
    if (this.canFreeze) {
      freezer = join(ROOT, "freezer", OWN, id);
      mkdirSync(freezer);
    }
    const group = new CgroupV1(mem, pids, cpu, freezer);
    group.setLimits(limits);
    return group;
  }
}

class CgroupV2 implements Cgroup {
  readonly procsFiles: string[];
  /** cgroup.freeze exists from Linux 5.2. */
  readonly canFreeze: boolean;
  private readonly peak: CounterFile;
  private readonly freezeFile: ControlFile;
  constructor(private readonly dir: string) {
    this.procsFiles = [join(dir, "cgroup.procs")];
    this.canFreeze = existsSync(join(dir, "cgroup.freeze"));
    this.freezeFile = new ControlFile(join(dir, "cgroup.freeze"));
    // memory.peak exists from Linux 5.19; older kernels only offer the current usage.
    this.peak = new CounterFile(
      join(dir, existsSync(join(dir, "memory.peak")) ? "memory.peak" : "memory.current"),
    );
  }
  peakMemoryBytes(): number {
    return this.peak.read();
  }
  oomKilled(): boolean {
    try {
      const m = /oom_kill (\d+)/.exec(readFileSync(join(this.dir, "memory.events"), "utf8"));
      return m !== null && Number(m[1]) > 0;
    } catch {
      return false;
    }
  }
  freeze(): void {
    if (this.canFreeze) this.freezeFile.write("1");
  }
  thaw(): void {
    if (this.canFreeze) this.freezeFile.write("0");
  }
  killAll(): void {
    // cgroup.kill (Linux 5.14) kills frozen tasks too; without it, SIGKILL each task, then thaw.
    try {
      writeFileSync(join(this.dir, "cgroup.kill"), "1");
    } catch {
      killPids(join(this.dir, "cgroup.procs"));
      this.thaw();
    }
  }
  setLimits(limits: CgroupLimits): void {
    writeFileSync(join(this.dir, "memory.max"), String(limits.memoryBytes));
    writeFileSync(join(this.dir, "pids.max"), String(limits.pidsMax));
    try {
      writeFileSync(join(this.dir, "cpu.weight"), String(cpuWeight(limits)));
    } catch {
      // cpu controller not delegated
    }
  }
  destroy(): void {
    this.peak.close();
    this.freezeFile.close();
    tryRmdir(this.dir);
  }
}

class CgroupV2Manager implements CgroupManager {
  readonly version = "v2";
  readonly canFreeze: boolean;
  private readonly parent: string;
  constructor(root: string) {
    this.parent = join(root, OWN);
    mkdirSync(this.parent, { recursive: true });
    this.canFreeze = existsSync(join(this.parent, "cgroup.freeze"));
    for (const dir of [root, join(root, PARENT), this.parent]) {
      writeFileSync(join(dir, "cgroup.subtree_control"), "+memory +pids +cpu");
    }
  }
  create(id: string, limits: CgroupLimits): Cgroup {
    const dir = join(this.parent, id);
    mkdirSync(dir);
    try {
      writeFileSync(join(dir, "memory.swap.max"), "0");
    } catch {
      // no swap controller
    }
    const group = new CgroupV2(dir);
    group.setLimits(limits);
    return group;
  }
}

export interface CgroupDetection {
  manager?: CgroupManager;
  problem?: string;
}

/** Picks v2 when its memory controller is usable, else v1; explains what is missing otherwise. */
export function detectCgroups(): CgroupDetection {
  const unified = existsSync(join(ROOT, "cgroup.controllers")) ? ROOT : join(ROOT, "unified");
  try {
    const controllers = readFileSync(join(unified, "cgroup.controllers"), "utf8");
    if (controllers.includes("memory") && controllers.includes("pids")) {
      return { manager: new CgroupV2Manager(unified) };
    }
  } catch {
    // no v2 hierarchy with controllers; try v1
  }
  if (
    existsSync(join(ROOT, "memory", "memory.limit_in_bytes")) ||
    existsSync(join(ROOT, "memory", "cgroup.procs"))
  ) {
    if (!existsSync(join(ROOT, "pids", "cgroup.procs")))
      return { problem: "cgroup v1 pids controller not mounted" };
    try {
      return { manager: new CgroupV1Manager() };
    } catch (err) {
      return { problem: `cannot create cgroups under ${ROOT} (${(err as Error).message}); run as root` };
    }
  }
  return { problem: `no cgroup memory controller found under ${ROOT}` };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the groups of servers that are gone (a crash leaves them behind; their sandboxes died with
 * the server through --die-with-parent, but any straggler is killed here). Live servers' groups stay.
 */
export function sweepStaleCgroups(): void {
  for (const base of [
    join(ROOT, "memory", PARENT),
    join(ROOT, "pids", PARENT),
    join(ROOT, "cpu", PARENT),
    join(ROOT, "freezer", PARENT),
    join(ROOT, PARENT),
    join(ROOT, "unified", PARENT),
  ]) {
    let owners: string[];
    try {
      owners = readdirNames(base);
    } catch {
      continue;
    }
    for (const owner of owners) {
      const pid = Number(owner);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) continue;
      const dir = join(base, owner);
      for (const inst of safeNames(dir)) {
        killPids(join(dir, inst, "cgroup.procs"));
        thawDir(join(dir, inst));
        tryRmdir(join(dir, inst));
      }
      tryRmdir(dir);
    }
  }
}

function safeNames(dir: string): string[] {
  try {
    return readdirNames(dir);
  } catch {
    return [];
  }
}

function readdirNames(dir: string): string[] {
  // Only child directories are groups; the rest are control files.
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
}
