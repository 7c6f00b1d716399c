// Names the processes one test run starts, so the run can prove it left none behind. Every test file
// of a `node --test` run is a child of the same runner process, whose pid and start time name the run;
// a process belongs to the run when its environment carries VAJRA_TEST_RUN=<run id> (servers, CLIs,
// tools the tests spawn) or its command line, working directory or mounts name a data directory of the
// run (`vajra-it-<run id>-…`: sandboxes, whose environment is the function's). Other runs on the
// same machine have another id and are never touched.

import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: count fields after its last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function runId(): string {
  const given = process.env.VAJRA_TEST_RUN;
  if (given !== undefined && /^[A-Za-z0-9]{1,40}$/.test(given)) return given;
  return `r${process.ppid}t${startTime(process.ppid) ?? "0"}`;
}

export const RUN_ID = runId();
/** Every data directory of the run starts with this name (under the temporary directory). */
export const RUN_DIR_PREFIX = `vajra-it-${RUN_ID}-`;
/** Marks everything this test file spawns from now on (children inherit process.env). */
process.env.VAJRA_TEST_RUN = RUN_ID;

export interface RunProcess {
  pid: number;
  command: string;
  /** Which mark tied it to the run. */
  mark: string;
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function parentOf(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
}

/** This process and its ancestors (the runner, npm, the shell): they carry the mark but are not leftovers. */
function selfAndAncestors(): Set<number> {
  const out = new Set<number>();
  let pid: number | undefined = process.pid;
  for (let i = 0; i < 64 && pid !== undefined && !out.has(pid); i++) {
    out.add(pid);
    pid = parentOf(pid);
  }
  return out;
}

/** The live processes of run `runId` other than this one and its ancestors (zombies are not counted). */
export function processesOfRun(runId: string = RUN_ID): RunProcess[] {
  const envMark = `\0VAJRA_TEST_RUN=${runId}\0`;
  const dirMark = `vajra-it-${runId}-`;
  const skip = selfAndAncestors();
  const out: RunProcess[] = [];
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (skip.has(pid)) continue;
    const stat = read(`/proc/${pid}/stat`);
    if (stat === "" || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
    const command = read(`/proc/${pid}/cmdline`).replaceAll("\0", " ").trim();
    let cwd = "";
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // gone, or not ours to read
    }
    let mark: string | undefined;
    if (`\0${read(`/proc/${pid}/environ`)}\0`.includes(envMark)) mark = "VAJRA_TEST_RUN in its environment";
    else if (command.includes(dirMark)) mark = "a data directory of the run in its command line";
    else if (cwd.includes(dirMark)) mark = `working directory ${cwd}`;
    else if (read(`/proc/${pid}/mountinfo`).includes(dirMark)) mark = "mounts a data directory of the run";
    if (mark !== undefined)
      out.push({ pid, command: command === "" ? `[${read(`/proc/${pid}/comm`).trim()}]` : command, mark });
  }
  return out;
}
