// The runtime side of a Platform, wired in one place: where runtimes/ is, which runtimes this host has
// (RuntimeRegistry), the Java runtime folder, and the package builder with its settings from the
// environment (VAJRA_BUILD_TIMEOUT, VAJRA_BUILD_MEMORY_MB, VAJRA_BUILD_NETWORK, VAJRA_BUILD_CACHE_DIR).

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BlobStore } from "../blobs/code-package.js";
import { DEFAULT_SANDBOX_UID } from "../executor/host-check.js";
import { JACKSON_DIR, JavaRuntime } from "../executor/java-runtime.js";
import { compilePythonRuntime } from "../executor/python-bytecode.js";
import type { SandboxBackend } from "../executor/sandbox.js";
import type { Store } from "../store/store.js";
import { PackageBuilder } from "./builds.js";
import { RuntimeRegistry } from "./runtime-registry.js";

/** Where runtimes/<family>/ live: the project root above src/engine or dist/src/engine. */
function projectRuntimesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "runtimes")))
      return join(dir, "runtimes");
    dir = dirname(dir);
  }
  return resolve("runtimes");
}

export interface RuntimeServices {
  runtimesDir: string;
  registry: RuntimeRegistry;
  java: JavaRuntime;
  builder: PackageBuilder;
}

export async function openRuntimeServices(opts: {
  dataDir: string;
  store: Store;
  blobs: BlobStore;
  backend: SandboxBackend;
  /** Digests stored but not yet committed (shared with the deploy path and garbage collection). */
  pendingDigests: Set<string>;
  /** Where the Java runtime's class data sharing archive reports that it could not be made. */
  onWarning: (message: string) => void;
}): Promise<RuntimeServices> {
  const runtimesDir = projectRuntimesDir();
  const registry = await RuntimeRegistry.open(opts.dataDir);
  compilePythonRuntime(
    join(runtimesDir, "python"),
    [...registry.byId.values()].flatMap((r) =>
      r.spec.family === "python" && r.available && r.executable !== undefined ? [r.executable] : [],
    ),
  );
  // Any JDK with javac compiles the shim (for Java 11); the first one discovery found will do.
  const java = new JavaRuntime(
    runtimesDir,
    join(opts.dataDir, "runtimes"),
    () => {
      for (const r of registry.byId.values())
        if (r.spec.family === "java" && r.toolchain?.canCompile === true)
          return join(r.toolchain.home, "bin", "javac");
      return undefined;
    },
    JACKSON_DIR,
    { backend: opts.backend, warn: opts.onWarning },
  );
  const env = process.env;
  const builder = new PackageBuilder({
    store: opts.store,
    blobs: opts.blobs,
    backend: opts.backend,
    dataDir: opts.dataDir,
    cacheRoot: env.VAJRA_BUILD_CACHE_DIR ?? join(opts.dataDir, "build-cache"),
    runtimesDir,
    java,
    pendingDigests: opts.pendingDigests,
    uid: DEFAULT_SANDBOX_UID,
    timeoutMs: Number(env.VAJRA_BUILD_TIMEOUT ?? 600) * 1000,
    memoryMb: Number(env.VAJRA_BUILD_MEMORY_MB ?? 4096),
    allowNetwork: env.VAJRA_BUILD_NETWORK !== "off",
  });
  return { runtimesDir, registry, java, builder };
}
