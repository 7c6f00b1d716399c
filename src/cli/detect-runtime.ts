// Guesses the runtime and handler of a code package when `vajra deploy` is not told, following the
// conventions of AWS's own templates (lambda_function.lambda_handler, index.handler,
// example.Hello::handleRequest, a `bootstrap` for compiled and custom runtimes), and says why it chose
// them. When the guess would be a coin toss it asks for the option instead of guessing.

import type { RuntimeInfo } from "./api-types.js";
import type { CodeSource } from "./code-source.js";
import { CliError, UsageError } from "./errors.js";

export type RuntimeFamily = "python" | "nodejs" | "java" | "go" | "rust" | "dotnet" | "provided";

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
  if (/^java\d/.test(runtime)) return "java";
  if (/^go1\./.test(runtime)) return "go";
  if (/^rust\d/.test(runtime)) return "rust";
  if (/^dotnet\d/.test(runtime)) return "dotnet";
  if (/^provided/.test(runtime)) return "provided";
  return undefined;
}

/** Build files and sources of the compiled families, most specific first. */
function detectCompiled(
  files: string[],
  tree: string[],
): { family: RuntimeFamily; reason: string } | undefined {
  if (files.includes("Cargo.toml")) return { family: "rust", reason: "found Cargo.toml" };
  const go = files.find((f) => f === "go.mod") ?? files.find((f) => f.endsWith(".go"));
  if (go !== undefined) return { family: "go", reason: `found ${go}` };
  const java =
    files.find((f) => f === "pom.xml" || f === "build.gradle" || f.endsWith(".jar")) ??
    tree.find((f) => f.endsWith(".java"));
  if (java !== undefined) return { family: "java", reason: `found ${java}` };
  const dotnet = files.find((f) => /\.(csproj|fsproj)$/.test(f));
  if (dotnet !== undefined) return { family: "dotnet", reason: `found ${dotnet}` };
  return undefined;
}

/**
 * Rust (Cargo.toml), Go (go.mod, *.go), Java (pom.xml, *.jar, *.java), .NET (*.csproj), then Python
 * (requirements.txt, *.py) or Node.js (package.json, *.js/mjs/cjs) at the top level, and last a custom
 * runtime's `bootstrap`.
 */
export function detectFamily(
  files: string[],
  tree: string[] = files,
): { family: RuntimeFamily; reason: string } {
  const compiled = detectCompiled(files, tree);
  if (compiled !== undefined) return compiled;
  const py = files.find((f) => f === "requirements.txt") ?? files.find((f) => PY_FILE.test(f));
  const js = files.find((f) => f === "package.json") ?? files.find((f) => JS_FILE.test(f));
  if (py !== undefined && js !== undefined) {
    throw new UsageError(
      `the code has both Python (${py}) and Node.js (${js}) files; pass --runtime (e.g. --runtime python3.12 or --runtime nodejs20.x)`,
    );
  }
  if (py !== undefined) return { family: "python", reason: `found ${py}` };
  if (js !== undefined) return { family: "nodejs", reason: `found ${js}` };
  if (files.includes("bootstrap")) return { family: "provided", reason: "found bootstrap" };
  throw new UsageError(
    "cannot tell the runtime: no Cargo.toml, go.mod, *.go, pom.xml, *.java, *.jar, *.csproj, requirements.txt, " +
      "*.py, package.json, *.js or bootstrap at the top level; pass --runtime",
  );
}

/** A sortable version number of a runtime id within its family (python3.12 → 12, go1.21 → 21). */
function version(id: string, family: RuntimeFamily): number | undefined {
  const pattern: Record<RuntimeFamily, RegExp> = {
    python: /^python3\.(\d+)$/,
    nodejs: /^nodejs(\d+)\.x$/,
    java: /^java(\d+)$/,
    go: /^go1\.(\d+)$/,
    rust: /^rust1\.(\d+)$/,
    dotnet: /^dotnet(\d+)$/,
    provided: /^provided(?:\.al(\d+))?$/,
  };
  const m = pattern[family].exec(id);
  return m === null ? undefined : Number(m[1] ?? 0);
}

/** Lambda's current defaults where one version is the obvious choice; otherwise the newest available. */
const PREFERRED: Partial<Record<RuntimeFamily, string>> = {
  python: "python3.12",
  java: "java21",
  provided: "provided.al2023",
};

const FAMILY_NAMES: Record<RuntimeFamily, string> = {
  python: "Python",
  nodejs: "Node.js",
  java: "Java",
  go: "Go",
  rust: "Rust",
  dotnet: ".NET",
  provided: "custom (provided)",
};

/**
 * Picks the runtime id among those the server reports available: the family's preferred id when
 * available, else the newest supported one (a deprecated one only when nothing else is).
 */
export function chooseRuntime(family: RuntimeFamily, runtimes: RuntimeInfo[]): string {
  const preferred = PREFERRED[family];
  const candidates = runtimes
    .filter((r) => r.available)
    .map((r) => ({ id: r.id, v: version(r.id, family), deprecated: r.deprecated === true }))
    .filter((r): r is { id: string; v: number; deprecated: boolean } => r.v !== undefined);
  if (candidates.some((r) => r.id === preferred)) return preferred as string;
  // Newest first, and a supported runtime before a deprecated one.
  candidates.sort((a, b) => Number(a.deprecated) - Number(b.deprecated) || b.v - a.v);
  const best = candidates[0];
  if (best === undefined) {
    const why = runtimes.find((r) => version(r.id, family) !== undefined)?.reason;
    throw new CliError(
      `no ${FAMILY_NAMES[family]} runtime is available on the server (see \`vajra runtimes\`)${why === undefined ? "" : `: ${why}`}`,
      { code: "RuntimeUnavailable" },
    );
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

const JAVA_HANDLER_METHOD = /public\s+(?:static\s+)?[\w<>[\],.?\s]+?\s+(handleRequest|handler)\s*\(/;

/** `package.Class::handleRequest` of the one Java source that declares a handleRequest (or handler) method. */
async function detectJavaHandler(code: CodeSource): Promise<Choice | undefined> {
  const hits: Choice[] = [];
  for (const file of code.tree.filter((f) => f.endsWith(".java"))) {
    const text = await code.read(file);
    const method = text === undefined ? undefined : JAVA_HANDLER_METHOD.exec(text)?.[1];
    if (text === undefined || method === undefined) continue;
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(text)?.[1];
    const cls = (file.split("/").pop() ?? file).replace(/\.java$/, "");
    hits.push({
      value: `${pkg === undefined ? "" : pkg + "."}${cls}::${method}`,
      reason: `found ${method}() in ${file}`,
    });
  }
  return hits.length === 1 ? hits[0] : undefined;
}

/** The default handler of a package; a UsageError asking for --handler if none fits. */
export async function detectHandler(family: RuntimeFamily, code: CodeSource): Promise<Choice> {
  if (family === "go" || family === "rust" || family === "dotnet" || family === "provided") {
    // The package's (built) bootstrap is the entry point; the handler is only passed on in _HANDLER.
    return { value: "bootstrap", reason: "its bootstrap is the entry point" };
  }
  const found =
    family === "python"
      ? await detectPythonHandler(code)
      : family === "nodejs"
        ? await detectNodeHandler(code)
        : await detectJavaHandler(code);
  if (found !== undefined) return found;
  const looked = {
    python:
      "lambda_function.py, or def handler / def lambda_handler in app.py, main.py, handler.py, index.py or a single .py file",
    nodejs: 'index.js, index.mjs, index.cjs, or a "main" in package.json',
    java: "exactly one .java file with a public handleRequest or handler method",
  }[family];
  const example = { python: "app.handler", nodejs: "index.handler", java: "example.Hello::handleRequest" }[
    family
  ];
  throw new UsageError(
    `cannot tell the handler (looked for ${looked}); pass --handler, e.g. --handler ${example}`,
  );
}
