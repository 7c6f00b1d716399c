// Which sandbox specs a pre-initialised sandbox can serve, and the generic spec such a sandbox is started
// with. Two specs share a key when everything fixed at process start is the same: the command (the
// runtime's interpreter and Vajra's bootstrap), the host folders bound in, the /tmp size, the pids limit
// and the variables an interpreter reads only at start-up. What differs per function — its code, its
// Runtime API socket folder, its layers, its memory size and the rest of its environment — is given to
// the running sandbox when it is assigned. Pure: no I/O.

import { RUNTIME_ROOT, SOCKET_DIR, TASK_ROOT, type Mount, type SandboxSpec } from "../sandbox.js";

/**
 * The bootstraps that know how to wait for an assignment (runtimes/python, runtimes/nodejs, and the
 * Runtime API forwarder of custom runtimes with standard clients, runtimes/provided).
 */
export const PREINIT_BOOTSTRAPS: readonly string[] = [
  `${RUNTIME_ROOT}/bootstrap.py`,
  `${RUNTIME_ROOT}/bootstrap.mjs`,
  `${RUNTIME_ROOT}/forwarder.mjs`,
];

/**
 * The waiting program of a sandbox whose runtime does not wait by itself (custom runtimes, Go, Rust,
 * .NET, Java): Python without site or environment (`-S -E`), which writes the ready byte, reads the
 * assignment and then execs the runtime's real command with exactly the function's environment, stdin
 * on /dev/null and `/var/task` as its directory — the process the function sees is the one an ordinary
 * start makes, only its sandbox was made earlier. The real command follows the script in argv.
 */
export const EXEC_WAITER_SCRIPT = `import os, sys
os.write(1, b"\\x06")
line = sys.stdin.buffer.readline()
if not line.strip():
    sys.exit(0)
data = sys.stdin.buffer.read(int(line))
env = dict(i.split(b"=", 1) for i in data.split(b"\\0") if b"=" in i)
fd = os.open("/dev/null", os.O_RDONLY)
os.dup2(fd, 0)
os.close(fd)
os.chdir(env.get(b"LAMBDA_TASK_ROOT", b"/var/task"))
argv = [os.fsencode(a) for a in sys.argv[1:]]
try:
    os.execve(argv[0], argv, env)
except OSError as e:
    sys.stderr.write("exec %s: %s\\n" % (sys.argv[1], e.strerror))
    sys.exit(127)
`;

/** Mount points that are slots in a pre-initialised sandbox (filled at assignment). */
export const SLOT_PATHS = { task: TASK_ROOT, run: SOCKET_DIR, opt: "/opt" } as const;
export type SlotName = keyof typeof SLOT_PATHS;
const SLOT_MOUNT_PATHS: readonly string[] = Object.values(SLOT_PATHS);

/**
 * Variables read when the interpreter or the dynamic loader starts (search paths, locale, the runtime
 * socket) or when the bootstrap's modules load (AWS_EXECUTION_ENV picks Python's JSON escaping): a
 * pre-initialised sandbox must have been started with the function's own values of these.
 */
const STARTUP_ENV =
  /^(PATH|LANG|TZ|LD_.*|LC_.*|PYTHON.*|NODE_.*|UV_.*|VAJRA_RUNTIME_SOCKET|AWS_EXECUTION_ENV)$/;

export function startupEnvironment(env: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value !== undefined && STARTUP_ENV.test(name)) out[name] = value;
  }
  return out;
}

/** The pool key of a spec, or undefined when no pre-initialised sandbox can serve it. */
export function preinitKey(spec: SandboxSpec, execWaiter?: string): string | undefined {
  if (spec.network === true) return undefined;
  // Plain egress namespaces are alike (one policy for all), so a waiting sandbox has one of its own;
  // named networks differ per function and are not served from the pool.
  if (spec.netnsPath !== undefined && spec.networkKey !== "egress") return undefined;
  if (spec.stdin === true || spec.cwd !== TASK_ROOT) return undefined;
  if (waiterOf(spec.command, execWaiter) === undefined) return undefined;
  if (!spec.mounts.some((m) => m.path === TASK_ROOT) || !spec.mounts.some((m) => m.path === SOCKET_DIR))
    return undefined;
  // A slot is always read-only; a function that needs one of them writable is not served from the pool.
  if (spec.mounts.some((m) => SLOT_MOUNT_PATHS.includes(m.path) && m.writable === true)) return undefined;
  const fixed = spec.mounts
    .filter((m) => !SLOT_MOUNT_PATHS.includes(m.path))
    .map((m) => [m.host, m.path, m.writable === true]);
  return JSON.stringify([
    spec.command,
    spec.bindPaths,
    fixed,
    spec.tmpSizeMb,
    spec.pidsMax ?? null,
    spec.netnsPath === undefined ? "none" : "egress",
    spec.resolvConf ?? null,
    startupEnvironment(spec.env),
  ]);
}

/**
 * The command a waiting sandbox runs: the runtime's own where its bootstrap waits by itself, else the
 * exec waiter (`execWaiter` is the Python that runs it) in front of the real command; undefined when
 * neither can wait.
 */
function waiterOf(command: readonly string[], execWaiter: string | undefined): string[] | undefined {
  if (command.some((c) => PREINIT_BOOTSTRAPS.includes(c))) return [...command];
  if (execWaiter === undefined || command.length === 0 || !command[0]?.startsWith("/")) return undefined;
  return [execWaiter, "-S", "-E", "-c", EXEC_WAITER_SCRIPT, ...command];
}

/**
 * The spec a generic sandbox for `like`'s key starts with: slots at the function's mount points. An
 * egress sandbox gets a namespace of its own from the pool (`netnsPath`), never `like`'s.
 */
export function genericSpec(
  like: SandboxSpec,
  id: string,
  slotDirs: Readonly<Record<SlotName, string>>,
  memoryMb: number,
  netnsPath?: string,
  execWaiter?: string,
): SandboxSpec {
  const mounts: Mount[] = like.mounts.filter((m) => !SLOT_MOUNT_PATHS.includes(m.path));
  for (const [name, path] of Object.entries(SLOT_PATHS) as Array<[SlotName, string]>)
    mounts.push({ host: slotDirs[name], path });
  return {
    id,
    mounts,
    bindPaths: like.bindPaths,
    command: waiterOf(like.command, execWaiter) ?? [...like.command],
    cwd: like.cwd,
    env: { ...startupEnvironment(like.env), VAJRA_PREINIT: "1" },
    memoryMb,
    tmpSizeMb: like.tmpSizeMb,
    ...(like.pidsMax === undefined ? {} : { pidsMax: like.pidsMax }),
    ...(like.resolvConf === undefined ? {} : { resolvConf: like.resolvConf }),
    ...(netnsPath === undefined ? {} : { netnsPath, networkKey: "egress" }),
    stdin: true,
  };
}

/**
 * The byte a waiting bootstrap writes to its stdout once it has loaded everything and blocks on stdin:
 * the pool then knows the sandbox is ready (not only started). It is never passed on as log output.
 */
export const READY_BYTE = 0x06;

/** What the bootstrap reads on stdin: the byte length on a line, then NAME=value entries separated by NUL. */
export function assignmentMessage(env: Readonly<Record<string, string>>): Buffer {
  const body = Buffer.from(
    Object.entries(env)
      .map(([k, v]) => `${k}=${v}\0`)
      .join(""),
  );
  return Buffer.concat([Buffer.from(`${body.length}\n`), body]);
}
