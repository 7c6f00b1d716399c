// Starts the real `vajra server` (compiled CLI) on a free port with a temporary data directory, and
// drives it with the real CLI and plain HTTP. Every test file gets its own server and cleans it up;
// a server also stops when its test file exits or dies (an exit handler, and SIGTERM on parent death),
// and every test file has a deadline after which it stops its servers and fails.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { zipDirectory } from "../../src/blobs/zip-dir.js";
import { findExecutable } from "../../src/executor/host-check.js";
import { RUN_DIR_PREFIX } from "../support/test-run.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BIN = join(ROOT, "bin", "vajra.js");
export const FIXTURES = join(ROOT, "test", "fixtures");

/** A fresh data directory named for this test run (so the run's leftover check recognises its processes). */
export function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), RUN_DIR_PREFIX));
  made.add(dir);
  return dir;
}

/** Data directories this test file made; one still there when the file ends was not cleaned up. */
const made = new Set<string>();

/** Servers of this test file that have not exited yet. */
const live = new Set<ChildProcess>();

function running(proc: ChildProcess): boolean {
  return proc.exitCode === null && proc.signalCode === null;
}

// A test file that ends (or is ended) with a server still up takes it down: SIGTERM lets the server stop
// its sandboxes; a server that survives its parent gets SIGTERM from the kernel anyway (pdeathsig below).
process.on("exit", () => {
  for (const proc of live) if (running(proc)) proc.kill("SIGTERM");
  for (const dir of made)
    if (existsSync(dir))
      process.stderr.write(`harness: ${process.argv[1] ?? "this file"} left ${dir} behind\n`);
});
// The runner ends a file that overruns its timeout with a signal, which skips "exit" handlers by default.
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  process.once(signal, () => process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGHUP" ? 1 : 15)));
}

const DEFAULT_FILE_DEADLINE_MS = 300_000;
let deadlineTimer: NodeJS.Timeout | undefined;

/**
 * Gives this test file a deadline (every file importing the harness has one, 5 minutes by default):
 * past it, the file prints which deadline it missed, stops its servers and exits 1, so no test file can
 * hang the run whatever the host lacks. Call it at the top of a file that legitimately needs longer.
 */
export function fileDeadline(ms: number): void {
  if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
  deadlineTimer = setTimeout(() => {
    process.stderr.write(
      `${process.argv[1] ?? "this test file"} did not finish within its deadline of ${ms / 1000} s: stopping its servers\n`,
    );
    for (const proc of live) if (running(proc)) proc.kill("SIGTERM");
    setTimeout(() => {
      for (const proc of live) if (running(proc)) proc.kill("SIGKILL");
      process.exit(1);
    }, 10_000).unref();
  }, ms);
  deadlineTimer.unref();
}
fileDeadline(DEFAULT_FILE_DEADLINE_MS);

// setpriv --pdeathsig: the server gets SIGTERM when the test process that started it dies, even by SIGKILL.
const SETPRIV = findExecutable("setpriv");

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => (typeof addr === "object" && addr !== null ? res(addr.port) : rej(new Error("no port"))));
    });
  });
}

export interface ServerHandle {
  url: string;
  dataDir: string;
  key: string;
  proc: ChildProcess;
  output(): string;
  /** Calls the native API with the admin key. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Runs the CLI against this server. */
  cli(args: string[], opts?: { input?: string }): CliResult;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
}

export async function startServer(opts: StartOptions = {}): Promise<ServerHandle> {
  const dataDir = opts.dataDir ?? newDataDir();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const serverArgv = [BIN, "server", "--port", String(port), "--data-dir", dataDir, ...(opts.args ?? [])];
  const [exe, argv] =
    SETPRIV === undefined
      ? [process.execPath, serverArgv]
      : [SETPRIV, ["--pdeathsig", "SIGTERM", "--", process.execPath, ...serverArgv]];
  const proc = spawn(exe, argv, {
    stdio: ["ignore", "pipe", "pipe"],
    // The data directory as working directory: a process the server leaves behind is recognisable.
    cwd: dataDir,
    env: { ...process.env, VAJRA_LOG_LEVEL: "warn", ...opts.env },
  });
  live.add(proc);
  proc.once("exit", () => live.delete(proc));
  let out = "";
  proc.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 20_000;
  let key = "";
  for (;;) {
    if (!running(proc)) {
      // A start that was meant to fail (bad flags) must not leave the data directory it was given.
      if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`server exited early (${proc.exitCode ?? proc.signalCode}):\n${out}`);
    }
    try {
      key = readFileSync(join(dataDir, "admin-key"), "utf8").trim();
      const r = await fetch(`${url}/health`, { headers: { authorization: `Bearer ${key}` } });
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stopProcess(proc, "SIGTERM");
      if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`server did not start within 20 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const handle: ServerHandle = {
    url,
    dataDir,
    key,
    proc,
    output: () => out,
    api: (path, init = {}) =>
      fetch(url + path, {
        ...init,
        headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string> | undefined) },
      }),
    cli: (args, o = {}) => {
      const r = spawnSync(process.execPath, [BIN, ...args, "--endpoint", url, "--data-dir", dataDir], {
        encoding: "utf8",
        input: o.input ?? "",
        env: { ...process.env, NO_COLOR: "1" },
        timeout: 60_000,
        killSignal: "SIGKILL",
      });
      return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    },
    stop: (signal = "SIGTERM") => stopProcess(proc, signal),
  };
  return handle;
}

/** Sends `signal`; a server still up 20 s later is killed (its shutdown hung), so stop() always ends. */
async function stopProcess(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (!running(proc)) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), 20_000)));
  if ((await Promise.race([exited, late])) === "late" && running(proc)) {
    proc.kill("SIGKILL");
    await exited;
  }
  clearTimeout(timer);
}

export async function stopAndClean(s: ServerHandle): Promise<void> {
  await s.stop();
  rmSync(s.dataDir, { recursive: true, force: true });
}

export async function zipBase64(dir: string): Promise<string> {
  return (await zipDirectory(dir)).toString("base64");
}

/** Deploys a fixture folder through the native API; returns the parsed response and status. */
export async function deploy(
  s: ServerHandle,
  body: Record<string, unknown> & { name: string },
  fixture?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const payload =
    fixture === undefined ? body : { ...body, zipFile: await zipBase64(join(FIXTURES, fixture)) };
  const r = await s.api("/functions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(payload),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

export interface Invocation {
  status: number;
  headers: Headers;
  text: string;
  json(): Record<string, unknown>;
}

export async function invoke(
  s: ServerHandle,
  name: string,
  event: unknown = {},
  headers: Record<string, string> = {},
): Promise<Invocation> {
  const r = await s.api(`/functions/${name}/invoke`, {
    method: "POST",
    body: JSON.stringify(event),
    headers,
  });
  const text = await r.text();
  return {
    status: r.status,
    headers: r.headers,
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

/** Host processes whose command line contains `marker`. */
export function hostProcesses(marker: string): string[] {
  const r = spawnSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.includes(marker) && !l.includes("ps -eo"));
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/**
 * Creates execution roles (Lambda's `Role` must name an existing one) with a policy that allows
 * nothing: for tests that only need a valid Role ARN.
 */
export async function createRoles(s: ServerHandle, ...names: string[]): Promise<void> {
  for (const name of names) {
    const r = await s.api(`/roles/${encodeURIComponent(name)}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ policy: { Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] } }),
    });
    if (!r.ok) throw new Error(`creating role ${name}: ${r.status} ${await r.text()}`);
  }
}
