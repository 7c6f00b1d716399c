// Guesses the runtime and handler of a code package when `vajra deploy` is not told, following the
// conventions of AWS's own templates (lambda_function.lambda_handler, index.handler), and says why it
// chose them. When the guess would be a coin toss it asks for the option instead of guessing.

import type { RuntimeInfo } from "./api-types.js";
import type { CodeSource } from "./code-source.js";
import { CliError, UsageError } from "./errors.js";

export type RuntimeFamily = "python" | "nodejs";

export interface Choice {
  value: string;
  /** A short "because" for the message shown to the user. */
  reason: string;
}

const PY_FILE = /\.py$/;
const JS_FILE = /\.(js|mjs|cjs)$/;

export function familyOfRuntime(runtime: string): RuntimeFamily | undefined {
  if (/^python\d/.test(runtime)) return "python";
  if (/^nodejs\d/.test(runtime)) return "nodejs";
  return undefined;
}

/** Python if requirements.txt or a *.py is at the top level, Node.js if package.json or a *.js/mjs/cjs is. */
export function detectFamily(files: string[]): { family: RuntimeFamily; reason: string } {
  const py = files.find((f) => f === "requirements.txt") ?? files.find((f) => PY_FILE.test(f));
  const js = files.find((f) => f === "package.json") ?? files.find((f) => JS_FILE.test(f));
  if (py !== undefined && js !== undefined) {
    throw new UsageError(
      `the code has both Python (${py}) and Node.js (${js}) files; pass --runtime (e.g. --runtime python3.12 or --runtime nodejs20.x)`,
    );
  }
  if (py !== undefined) return { family: "python", reason: `found ${py}` };
  if (js !== undefined) return { family: "nodejs", reason: `found ${js}` };
  throw new UsageError(
    "cannot tell the runtime: no requirements.txt, *.py, package.json or *.js at the top level; pass --runtime",
  );
}

function version(id: string, family: RuntimeFamily): number | undefined {
  const m = family === "python" ? /^python3\.(\d+)$/.exec(id) : /^nodejs(\d+)\.x$/.exec(id);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * Picks the runtime id among those the server reports available: python3.12 (Lambda's current
 * default) or else the newest python3.x; nodejs20.x or else the newest nodejs<N>.x.
 */
export function chooseRuntime(family: RuntimeFamily, runtimes: RuntimeInfo[]): string {
  const preferred = family === "python" ? "python3.12" : "nodejs20.x";
  const candidates = runtimes
    .filter((r) => r.available)
    .map((r) => ({ id: r.id, v: version(r.id, family), deprecated: r.deprecated === true }))
    .filter((r): r is { id: string; v: number; deprecated: boolean } => r.v !== undefined);
  if (candidates.some((r) => r.id === preferred)) return preferred;
  // Newest first, and a supported runtime before a deprecated one.
  candidates.sort((a, b) => Number(a.deprecated) - Number(b.deprecated) || b.v - a.v);
  const best = candidates[0];
  if (best === undefined) {
    const name = family === "python" ? "Python" : "Node.js";
    throw new CliError(`no ${name} runtime is available on the server (see \`vajra runtimes\`)`, {
      code: "RuntimeUnavailable",
    });
  }
  return best.id;
}

const PY_CANDIDATES = ["app.py", "main.py", "handler.py", "index.py"];
const PY_HANDLER_DEF = /^def\s+(lambda_handler|handler)\s*\(/gm;

/** The handler function a Python module defines: `lambda_handler` wins over `handler` when both exist. */
function pythonHandlerName(source: string): string | undefined {
  const names = new Set([...source.matchAll(PY_HANDLER_DEF)].map((m) => m[1]));
  if (names.has("lambda_handler")) return "lambda_handler";
  if (names.has("handler")) return "handler";
  return undefined;
}

async function detectPythonHandler(code: CodeSource): Promise<Choice | undefined> {
  if (code.files.includes("lambda_function.py")) {
    return { value: "lambda_function.lambda_handler", reason: "found lambda_function.py" };
  }
  const pyFiles = code.files.filter((f) => PY_FILE.test(f));
  const candidates = PY_CANDIDATES.filter((f) => code.files.includes(f));
  const single = pyFiles.length === 1 ? pyFiles[0] : undefined;
  if (single !== undefined && !candidates.includes(single)) candidates.push(single);
  for (const file of candidates) {
    const text = await code.read(file);
    const fn = text === undefined ? undefined : pythonHandlerName(text);
    if (fn !== undefined)
      return { value: `${file.replace(PY_FILE, "")}.${fn}`, reason: `found def ${fn} in ${file}` };
  }
  return undefined;
}

async function detectNodeHandler(code: CodeSource): Promise<Choice | undefined> {
  const index = ["index.js", "index.mjs", "index.cjs"].find((f) => code.files.includes(f));
  if (index !== undefined) return { value: "index.handler", reason: `found ${index}` };
  if (!code.files.includes("package.json")) return undefined;
  const text = await code.read("package.json");
  let main: unknown;
  try {
    main = text === undefined ? undefined : (JSON.parse(text) as { main?: unknown }).main;
  } catch {
    return undefined;
  }
  if (typeof main !== "string" || main.trim() === "") return undefined;
  const module = main.replace(/^\.\//, "").replace(JS_FILE, "");
  return { value: `${module}.handler`, reason: `package.json "main" is ${main}` };
}

/** The default handler for a Python or Node.js package; a UsageError asking for --handler if none fits. */
export async function detectHandler(family: RuntimeFamily, code: CodeSource): Promise<Choice> {
  const found = family === "python" ? await detectPythonHandler(code) : await detectNodeHandler(code);
  if (found !== undefined) return found;
  const looked =
    family === "python"
      ? "lambda_function.py, or def handler / def lambda_handler in app.py, main.py, handler.py, index.py or a single .py file"
      : 'index.js, index.mjs, index.cjs, or a "main" in package.json';
  throw new UsageError(
    `cannot tell the handler (looked for ${looked}); pass --handler, e.g. --handler app.handler`,
  );
}
