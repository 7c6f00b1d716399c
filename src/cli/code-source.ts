// A uniform view of the code being deployed (a directory or a .zip), so runtime and handler detection
// can look at the top-level files the same way in both cases. Lambda loads handlers from the package
// root, so only top-level files matter.

import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import yauzl from "yauzl";
import { UsageError } from "./errors.js";

export interface CodeSource {
  /** Names of the regular files at the top level of the package. */
  files: string[];
  /** The text of a top-level file, or undefined if it cannot be read. */
  read(name: string): Promise<string | undefined>;
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
    if (!entry.fileName.includes("/")) entries.set(entry.fileName, entry);
  }
  return {
    files: [...entries.keys()].sort(),
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
