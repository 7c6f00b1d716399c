// Bind mounts made on the host while sandboxes run. A pre-initialised sandbox was started with empty
// slot folders at /var/task, /run/vajra and /opt; binding the function's folders onto those slots on the
// host reaches the running sandbox through mount propagation (the slots live under a shared mount, which
// bubblewrap's namespaces receive as slaves). Node cannot call mount(2), and spawning mount(8) from the
// server forks a large process each time, so one small root helper stays up and runs the commands it is
// sent, one per line: Python calling mount(2) where the host has python3 (microseconds a mount), else a
// shell running mount(8) (a few processes a mount). When the server goes away the helper's stdin closes
// and it unmounts everything.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { VajraError } from "../../core/errors.js";

/** Run by either helper at the end: unmount everything, then remove the (empty) slot folders. */
const CLEANUP = `umount -R -l "$root" 2>/dev/null
umount -R -l "$stage" 2>/dev/null
# Detached, only empty slot folders are left: remove them (never a file, never another filesystem).
find "$root" -xdev -depth -type d -empty -delete 2>/dev/null
rmdir "$stage" 2>/dev/null
exit 0`;

/**
 * Both helpers read "op<TAB>a<TAB>b" lines and answer "rc<TAB>message" per line. A bind is made
 * read-only on a private staging folder first and only then bound into the slot: a mount propagates
 * with the flags it has when it is made, so binding straight into the slot and remounting it read-only
 * afterwards would leave the sandbox's copy writable.
 */
const SHELL_LOOP = `root="$1"; stage="$2"
while IFS='\t' read -r op a b; do
  case "$op" in
    bind) out=$(mount --bind -o ro "$a" "$stage" 2>&1 && mount --bind "$stage" "$b" 2>&1; rc=$?; umount -l "$stage" 2>/dev/null; exit $rc) ;;
    umount) out=$(umount -l "$a" 2>&1) ;;
    *) out="unknown command $op"; false ;;
  esac
  rc=$?
  printf '%s\\t%s\\n' "$rc" "$(printf '%s' "$out" | tr '\\n\\t' '  ')"
done
${CLEANUP}`;

const PYTHON_LOOP = `import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
MS_RDONLY, MS_REMOUNT, MS_BIND, MNT_DETACH = 1, 32, 4096, 2
stage = sys.argv[2].encode()
def check(rc, what):
    if rc != 0:
        raise OSError(what + ": " + os.strerror(ctypes.get_errno()))
def bind(src, dst):
    check(libc.mount(src, stage, None, MS_BIND, None), "bind")
    try:
        check(libc.mount(None, stage, None, MS_REMOUNT | MS_BIND | MS_RDONLY, None), "read-only")
        check(libc.mount(stage, dst, None, MS_BIND, None), "bind into the slot")
    finally:
        libc.umount2(stage, MNT_DETACH)
for line in sys.stdin.buffer:
    try:
        op, a, b = line.rstrip(b"\\n").split(b"\\t")
        if op == b"bind":
            bind(a, b)
        elif op == b"umount":
            check(libc.umount2(a, MNT_DETACH), "umount")
        else:
            raise ValueError("unknown command")
        out = "0\\t"
    except Exception as e:
        out = "1\\t" + str(e).replace("\\t", " ").replace("\\n", " ")
    sys.stdout.write(out + "\\n")
    sys.stdout.flush()
os.execv("/bin/sh", ["sh", "-c", ${JSON.stringify(`root="$1"; stage="$2"\n${CLEANUP}`)}, "sh"] + sys.argv[1:3])
`;

/** The system's Python (not a pyenv one: its ctypes and libc are the host's). */
const PYTHON = "/usr/bin/python3";

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class Mounter {
  private readonly child: ChildProcess;
  private readonly waiters: Waiter[] = [];
  private buffered = "";
  private closed = false;

  /**
   * Makes `root` a shared mount (a bind of itself) so that what is mounted below it later propagates
   * into sandboxes that bound a folder under it. Throws when the host refuses (not root, no mount).
   */
  constructor(readonly root: string) {
    const stage = `${root}-stage`;
    mkdirSync(root, { recursive: true, mode: 0o755 });
    mkdirSync(stage, { recursive: true, mode: 0o700 });
    // A server killed before its shell could clean up leaves mounts: take them away first.
    for (const dir of [root, stage])
      spawnSync("umount", ["-R", "-l", dir], { stdio: "ignore", timeout: 10_000 });
    for (const args of [
      ["--bind", root, root],
      ["--make-shared", root],
      // The staging folder is private: what is mounted there reaches no other namespace.
      ["--bind", stage, stage],
      ["--make-private", stage],
    ]) {
      const r = spawnSync("mount", args, { encoding: "utf8", timeout: 10_000 });
      if (r.status !== 0)
        throw new VajraError(
          "SandboxUnavailable",
          `mount ${args.join(" ")} failed: ${(r.stderr ?? "").trim()}`,
        );
    }
    const [exe, script] = existsSync(PYTHON) ? [PYTHON, PYTHON_LOOP] : ["/bin/sh", SHELL_LOOP];
    this.child = spawn(exe, ["-c", script, ...(exe === PYTHON ? [] : ["sh"]), root, stage], {
      stdio: ["pipe", "pipe", "ignore"],
    });
    this.child.stdin?.on("error", () => undefined);
    this.child.stdout?.setEncoding("utf8");
    this.child.stdout?.on("data", (chunk: string) => this.onData(chunk));
    this.child.once("exit", () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error("the mount helper exited"));
    });
  }

  /** Binds `host` read-only onto `target` (a slot folder under the root). */
  bind(host: string, target: string): Promise<void> {
    return this.send("bind", host, target);
  }

  /** Detaches whatever is mounted on `target` (lazily: a process still using it keeps its view). */
  unmount(target: string): Promise<void> {
    return this.send("umount", target, "");
  }

  /** Ends the helper, which unmounts everything below the root (and the root's own bind). */
  async close(): Promise<void> {
    if (this.closed) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private send(op: string, a: string, b: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the mount helper is closed"));
    if (/[\t\n]/.test(a + b))
      return Promise.reject(new Error(`path with a tab or newline: ${JSON.stringify(a + b)}`));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.child.stdin?.write(`${op}\t${a}\t${b}\n`);
    });
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf("\n"); nl >= 0; nl = this.buffered.indexOf("\n")) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      const tab = line.indexOf("\t");
      const rc = line.slice(0, tab);
      const w = this.waiters.shift();
      if (rc === "0") w?.resolve();
      else w?.reject(new Error(line.slice(tab + 1) || `exit ${rc}`));
    }
  }
}
