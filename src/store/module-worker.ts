// Starts a worker thread from a module that sits beside the caller's own module, built or not. Shared by
// the store's writer thread and the engine's span export thread (the engine may import store/; the
// helper has nothing store-specific, it lives here because the store had the first worker).

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * `name` is the worker module's base name (no extension), resolved against `callerUrl` (the caller's
 * import.meta.url). Built, the worker is a .js file beside the caller. Under tsx (the tests) both are .ts
 * sources, and a worker thread does not inherit the loader tsx registered (Node 20): it registers tsx's
 * hooks itself first.
 */
export function moduleWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  if (!callerUrl.endsWith(".ts")) return new Worker(new URL(`./${name}.js`, callerUrl), { workerData });
  const api = createRequire(callerUrl)
    .resolve("tsx/esm/api")
    .replace(/\.cjs$/, ".mjs");
  const tsx = pathToFileURL(api).href;
  const entry = new URL(`./${name}.ts`, callerUrl).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
