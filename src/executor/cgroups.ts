// Resource limits for sandboxes through Linux cgroups. Two implementations behind one interface:
// cgroup v2 (unified hierarchy with the memory controller) and v1 (separate memory/pids/cpu
// hierarchies, as on this project's CI machines). Either gives a memory limit (MemorySize), a pids
// limit, a CPU weight proportional to memory, the peak memory for "Max Memory Used", and OOM detection.

import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
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
  /** Kills every process still in the group. */
  killAll(): void;
  /** Removes the group; processes must be gone. Errors are swallowed (the group may already be gone). */
  destroy(): void;
}

export interface CgroupManager {
  readonly version: "v1" | "v2";
  create(id: string, limits: CgroupLimits): Cgroup;
}

const ROOT = "/sys/fs/cgroup";
const PARENT = "vajra";

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

function tryRmdir(path: string): void {
  try {
    rmdirSync(path);
  } catch {
    // busy or gone: a later startup sweep removes leftovers
  }
}

class CgroupV1 implements Cgroup {
  readonly procsFiles: string[];
  constructor(
    private readonly mem: string,
    private readonly pids: string,
    private readonly cpu: string | undefined,
  ) {
    this.procsFiles = [join(mem, "cgroup.procs"), join(pids, "cgroup.procs")];
    if (cpu !== undefined) this.procsFiles.push(join(cpu, "cgroup.procs"));
  }
  peakMemoryBytes(): number {
    return readNumber(join(this.mem, "memory.max_usage_in_bytes"));
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
  }
  destroy(): void {
    tryRmdir(this.mem);
    tryRmdir(this.pids);
    if (this.cpu !== undefined) tryRmdir(this.cpu);
  }
}

class CgroupV1Manager implements CgroupManager {
  readonly version = "v1";
  private readonly hasCpu: boolean;
  constructor() {
    for (const c of ["memory", "pids"]) mkdirSync(join(ROOT, c, PARENT), { recursive: true });
    this.hasCpu = existsSync(join(ROOT, "cpu", "cpu.shares"));
    if (this.hasCpu) mkdirSync(join(ROOT, "cpu", PARENT), { recursive: true });
  }
  create(id: string, limits: CgroupLimits): Cgroup {
    const mem = join(ROOT, "memory", PARENT, id);
    const pids = join(ROOT, "pids", PARENT, id);
    mkdirSync(mem);
    mkdirSync(pids);
    writeFileSync(join(mem, "memory.limit_in_bytes"), String(limits.memoryBytes));
    // Without swap accounting memsw may be absent; where present, forbid swapping past the limit.
    try {
      writeFileSync(join(mem, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
    } catch {
      // no swap accounting on this kernel
    }
    writeFileSync(join(pids, "pids.max"), String(limits.pidsMax));
    let cpu: string | undefined;
    if (this.hasCpu) {
      cpu = join(ROOT, "cpu", PARENT, id);
      mkdirSync(cpu);
      writeFileSync(join(cpu, "cpu.shares"), String(Math.max(2, Math.round((limits.memoryMbForCpu * 1024) / 1769))));
    }
    return new CgroupV1(mem, pids, cpu);
  }
}

class CgroupV2 implements Cgroup {
  readonly procsFiles: string[];
  constructor(private readonly dir: string) {
    this.procsFiles = [join(dir, "cgroup.procs")];
  }
  peakMemoryBytes(): number {
    return readNumber(join(this.dir, "memory.peak")) || readNumber(join(this.dir, "memory.current"));
  }
  oomKilled(): boolean {
    try {
      const m = /oom_kill (\d+)/.exec(readFileSync(join(this.dir, "memory.events"), "utf8"));
      return m !== null && Number(m[1]) > 0;
    } catch {
      return false;
    }
  }
  killAll(): void {
    try {
      writeFileSync(join(this.dir, "cgroup.kill"), "1");
    } catch {
      killPids(join(this.dir, "cgroup.procs"));
    }
  }
  destroy(): void {
    tryRmdir(this.dir);
  }
}

class CgroupV2Manager implements CgroupManager {
  readonly version = "v2";
  private readonly parent: string;
  constructor(root: string) {
    this.parent = join(root, PARENT);
    mkdirSync(this.parent, { recursive: true });
    writeFileSync(join(root, "cgroup.subtree_control"), "+memory +pids +cpu");
    writeFileSync(join(this.parent, "cgroup.subtree_control"), "+memory +pids +cpu");
  }
  create(id: string, limits: CgroupLimits): Cgroup {
    const dir = join(this.parent, id);
    mkdirSync(dir);
    writeFileSync(join(dir, "memory.max"), String(limits.memoryBytes));
    try {
      writeFileSync(join(dir, "memory.swap.max"), "0");
    } catch {
      // no swap controller
    }
    writeFileSync(join(dir, "pids.max"), String(limits.pidsMax));
    try {
      writeFileSync(join(dir, "cpu.weight"), String(Math.min(10000, Math.max(1, Math.round(limits.memoryMbForCpu / 18)))));
    } catch {
      // cpu controller not delegated
    }
    return new CgroupV2(dir);
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
  if (existsSync(join(ROOT, "memory", "memory.limit_in_bytes")) || existsSync(join(ROOT, "memory", "cgroup.procs"))) {
    if (!existsSync(join(ROOT, "pids", "cgroup.procs"))) return { problem: "cgroup v1 pids controller not mounted" };
    try {
      return { manager: new CgroupV1Manager() };
    } catch (err) {
      return { problem: `cannot create cgroups under ${ROOT} (${(err as Error).message}); run as root` };
    }
  }
  return { problem: `no cgroup memory controller found under ${ROOT}` };
}

/** Removes groups left behind by a previous run that crashed (their processes died with it). */
export function sweepStaleCgroups(): void {
  for (const dir of [join(ROOT, "memory", PARENT), join(ROOT, "pids", PARENT), join(ROOT, "cpu", PARENT), join(ROOT, PARENT), join(ROOT, "unified", PARENT)]) {
    let entries: string[] = [];
    try {
      entries = readdirNames(dir);
    } catch {
      continue;
    }
    for (const e of entries) {
      killPids(join(dir, e, "cgroup.procs"));
      tryRmdir(join(dir, e));
    }
  }
}

function readdirNames(dir: string): string[] {
  // Only child directories are groups; the rest are control files.
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
}
