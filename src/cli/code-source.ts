// A uniform view of the code being deployed (a directory or a .zip), so runtime and handler detection
// can look at its files the same way in both cases. Lambda loads handlers from the package root, so
// mostly the top-level files matter; Java sources are looked for deeper (src/main/java/…).

import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import yauzl from "yauzl";
import { UsageError } from "./errors.js";

export interface CodeSource {
  /** Names of the regular files at the top level of the package. */
  files: string[];
  /** Paths of every regular file, at any depth (without node_modules, .git and build output). */
  tree: string[];
  /** The text of a file (by its path in the package), or undefined if it cannot be read. */
  read(name: string): Promise<string | undefined>;
}

/** Folders that never hold what detection looks for, and can be huge. */
const SKIPPED_DIRS = new Set(["node_modules", ".git", "target", "build", "__pycache__", ".venv", "venv"]);
const MAX_TREE = 10_000;

async function walkTree(dir: string, prefix = "", out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    if (out.length >= MAX_TREE) break;
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) await walkTree(dir, rel, out);
    } else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** Files bigger than this are not worth scanning for a `def handler`. */
const MAX_SCAN_BYTES = 1024 * 1024;

export async function directorySource(dir: string): Promise<CodeSource> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.isFile()) files.push(entry.name);
    else if (entry.isSymbolicLink()) {
      // A symlinked file still ends up in the zip as a file; follow it to find out.
      const target = await stat(join(dir, entry.name)).catch(() => undefined);
      if (target?.isFile() === true) files.push(entry.name);
    }
  }
  files.sort();
  return {
    files,
    tree: (await walkTree(dir)).sort(),
    async read(name) {
      try {
        const path = join(dir, name);
        if ((await stat(path)).size > MAX_SCAN_BYTES) return undefined;
        return await readFile(path, "utf8");
      } catch {
        return undefined;
      }
    },
  };
}

export async function zipSource(zip: Buffer, label: string): Promise<CodeSource> {
  let zipfile: yauzl.ZipFile;
  try {
    zipfile = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  } catch (err) {
    throw new UsageError(`${label} is not a valid zip file: ${(err as Error).message}`, "InvalidCodePackage");
  }
  const entries = new Map<string, yauzl.Entry>();
  for await (const entry of zipfile.eachEntry()) {
    if (!entry.fileName.endsWith("/")) entries.set(entry.fileName, entry);
  }
  const tree = [...entries.keys()].sort();
  return {
    files: tree.filter((f) => !f.includes("/")),
    tree,
    async read(name) {
      const entry = entries.get(name);
      if (entry === undefined || entry.uncompressedSize > MAX_SCAN_BYTES) return undefined;
      try {
        const stream = await zipfile.openReadStreamPromise(entry);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString("utf8");
      } catch {
        return undefined;
      }
    },
  };
}
