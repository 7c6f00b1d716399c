// What every command runs with: the resolved endpoint, data directory and API key (flag, then env, then
// default), the output channels, and the process's stdin. Keeping the process behind `CliIo` lets the
// tests drive the whole CLI in-process.

import { fstatSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { ApiClient } from "./client.js";
import type { Output, Writer } from "./output.js";
import type { StdinSource } from "./payload.js";

export const DEFAULT_PORT = 8700;

export interface CliStdin extends StdinSource {
  isTTY: boolean;
  /** Asks a question on the terminal (the prompt goes to stderr) and returns the answer. */
  question(prompt: string): Promise<string>;
}

export interface CliIo {
  stdout: Writer;
  stderr: Writer;
  stdin: CliStdin;
  env: NodeJS.ProcessEnv;
}

export interface GlobalOptions {
  endpoint?: string;
  json?: boolean;
  dataDir?: string;
}

export interface CommandContext {
  io: CliIo;
  out: Output;
  json: boolean;
  endpoint: string;
  /** The data directory the user named (--data-dir or VAJRA_DATA_DIR), or undefined for the default. */
  dataDirOption: string | undefined;
  /** The data directory in effect: where the admin key is looked for. */
  dataDir: string;
  /** A client of the server at `endpoint`, with the API key loaded on first use. */
  client(): Promise<ApiClient>;
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path;
}

/**
 * Resolves the global settings. The default endpoint follows VAJRA_PORT, which `vajra server` also
 * reads, so a shell that moved the server to another port finds it without also setting VAJRA_ENDPOINT.
 */
export function resolveSettings(
  global: GlobalOptions,
  env: NodeJS.ProcessEnv,
): { endpoint: string; dataDir: string; dataDirOption: string | undefined } {
  const port =
    env.VAJRA_PORT !== undefined && /^\d+$/.test(env.VAJRA_PORT) ? env.VAJRA_PORT : String(DEFAULT_PORT);
  const endpoint = global.endpoint ?? nonEmpty(env.VAJRA_ENDPOINT) ?? `http://127.0.0.1:${port}`;
  const given = global.dataDir ?? nonEmpty(env.VAJRA_DATA_DIR);
  const dataDirOption = given === undefined ? undefined : expandHome(given);
  return { endpoint, dataDir: dataDirOption ?? join(homedir(), ".vajra"), dataDirOption };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** VAJRA_API_KEY wins; otherwise `<data-dir>/admin-key`, written (mode 0600) by the server's first start. */
export async function loadApiKey(
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ key: string | undefined; hint: string }> {
  const fromEnv = nonEmpty(env.VAJRA_API_KEY);
  if (fromEnv !== undefined) return { key: fromEnv.trim(), hint: "from VAJRA_API_KEY" };
  const path = join(dataDir, "admin-key");
  try {
    const key = (await readFile(path, "utf8")).trim();
    return { key: key === "" ? undefined : key, hint: `from ${path}` };
  } catch {
    return { key: undefined, hint: `looked for ${path}` };
  }
}

export function createContext(io: CliIo, out: Output, global: GlobalOptions): CommandContext {
  const settings = resolveSettings(global, io.env);
  let client: Promise<ApiClient> | undefined;
  return {
    io,
    out,
    json: out.json,
    ...settings,
    client() {
      client ??= loadApiKey(settings.dataDir, io.env).then(
        ({ key, hint }) => new ApiClient({ endpoint: settings.endpoint, apiKey: key, keyHint: hint }),
      );
      return client;
    },
  };
}

/**
 * Whether stdin should be read when no --payload is given: only for a shell pipe or a redirected file.
 * A socket (what child_process.spawn gives by default) or /dev/null is not read, so a CLI started by
 * another program without input does not wait forever for an end-of-file that never comes.
 */
function stdinHasData(): boolean {
  if (process.stdin.isTTY) return false;
  try {
    const st = fstatSync(0);
    return st.isFIFO() || st.isFile();
  } catch {
    return false;
  }
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdin: {
      isTTY: process.stdin.isTTY === true,
      hasData: stdinHasData(),
      async read() {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      },
      async question(prompt) {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        try {
          return await rl.question(prompt);
        } finally {
          rl.close();
        }
      },
    },
  };
}
