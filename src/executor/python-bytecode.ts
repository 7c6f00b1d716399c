// Bytecode of Vajra's Python runtime (runtimes/python/__pycache__), written by each interpreter the host
// offers when the server starts. Sandboxes see the runtime folder read-only, so without it every cold
// start compiled the runtime's modules again (several milliseconds). Python checks each file's bytecode
// against the source's size and time and writes it atomically, so a start racing the compile is safe: it
// compiles for itself, as before. Nothing is written where the folder is not writable.

import { spawn } from "node:child_process";

const COMPILE_TIMEOUT_MS = 60_000;

/** Starts `python -m compileall` on `dir` (not recursive) for each interpreter; never waits or throws. */
export function compilePythonRuntime(dir: string, executables: Iterable<string>): void {
  for (const exe of new Set(executables)) {
    try {
      const child = spawn(exe, ["-m", "compileall", "-q", "-l", dir], { stdio: "ignore" });
      child.on("error", () => undefined);
      const timer = setTimeout(() => child.kill("SIGKILL"), COMPILE_TIMEOUT_MS);
      timer.unref();
      child.on("exit", () => clearTimeout(timer));
    } catch {
      // no such interpreter after all: its cold starts compile for themselves
    }
  }
}
