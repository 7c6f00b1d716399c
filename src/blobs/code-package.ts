// Code packages as Lambda takes them: a zip checked against the AWS quotas and unsafe entries, stored once
// per SHA-256 digest, and unpacked once per digest into a read-only tree the sandbox mounts.
// Quotas: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
import { createHash, randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { VajraError, invalid } from "../core/errors.js";
import { checkZippedSize, openZipBuffer, openZipFile, walkZip } from "./zip-walk.js";
import type { PackageSink, ResolvedLimits } from "./zip-walk.js";

export const MAX_ZIPPED_BYTES = 50 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/** Overrides of the AWS size limits, in bytes; tests use small ones. */
export interface CodePackageLimits {
  maxZippedBytes?: number;
  maxUnzippedBytes?: number;
}

export interface ZipInspection {
  /** Bytes actually inflated, files and symlink targets together. */
  unzippedSize: number;
  /** Normalized paths of files and symlinks, sorted; directories are left out. */
  entries: string[];
  /** The content of the files asked for with `keep` (those present). */
  files: Map<string, Buffer>;
}

function resolveLimits(limits: CodePackageLimits): ResolvedLimits {
  return {
    maxZippedBytes: limits.maxZippedBytes ?? MAX_ZIPPED_BYTES,
    maxUnzippedBytes: limits.maxUnzippedBytes ?? MAX_UNZIPPED_BYTES,
  };
}

/** Inspection inflates every entry (to count real bytes) and keeps nothing. */
const DISCARD: PackageSink = {
  directory: () => Promise.resolve(),
  file: async (_relPath, _mode, data) => {
    for await (const chunk of data) void chunk;
  },
  symlink: () => Promise.resolve(),
};

/**
 * Checks that `zip` is a code package Vajra can run: a valid zip within the size limits, with no entry
 * that escapes the package (absolute path, '..', escaping symlink), no device or fifo, no duplicate.
 * Every entry is inflated and counted, so a zip bomb fails here rather than at unpack time.
 */
export async function inspectZip(
  zip: Buffer,
  limits: CodePackageLimits = {},
  /** Package paths whose content to keep while walking (small manifests such as package.json). */
  keep: readonly string[] = [],
): Promise<ZipInspection> {
  const resolved = resolveLimits(limits);
  checkZippedSize(zip.length, resolved);
  const files = new Map<string, Buffer>();
  const sink: PackageSink =
    keep.length === 0
      ? DISCARD
      : {
          ...DISCARD,
          file: async (relPath, _mode, data) => {
            const chunks: Buffer[] = [];
            for await (const chunk of data) if (keep.includes(relPath)) chunks.push(chunk);
            if (keep.includes(relPath)) files.set(relPath, Buffer.concat(chunks));
          },
        };
  const walked = await walkZip(await openZipBuffer(zip), resolved, sink);
  return { ...walked, files };
}

const DIGEST = /^[0-9a-f]{64}$/;
const BLOB_NAME = /^([0-9a-f]{64})\.zip$/;
const TEMP_PREFIX = ".tmp-";

function checkDigest(sha256: string): void {
  if (!DIGEST.test(sha256)) throw invalid(`sha256 must be 64 lowercase hex digits, got '${sha256}'`);
}

function hasCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && "code" in err && codes.includes(String(err.code));
}

/** A function refers to a digest the store lacks: Vajra's own data is inconsistent, not the user's input. */
function missingBlob(sha256: string, cause?: unknown): VajraError {
  return new VajraError("Internal", `code package ${sha256} is not in the blob store`, { cause });
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (err) {
    if (hasCode(err, "ENOENT")) return false;
    throw err;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if (hasCode(err, "ENOENT")) return [];
    throw err;
  }
}

/** Makes a rename or a new entry in `dir` durable (POSIX wants the directory itself fsynced). */
async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a checked package under `root`; the tree is made readable by the sandbox's unprivileged uid. */
class ExtractSink implements PackageSink {
  readonly dirs = new Set<string>();
  constructor(private readonly root: string) {}

  private async parent(relPath: string): Promise<void> {
    const dir = path.posix.dirname(relPath);
    if (dir === ".") return;
    await this.directory(dir);
  }

  async directory(relPath: string): Promise<void> {
    if (this.dirs.has(relPath)) return;
    await fs.mkdir(path.join(this.root, relPath), { recursive: true, mode: 0o755 });
    for (let dir = relPath; dir !== "."; dir = path.posix.dirname(dir)) this.dirs.add(dir);
  }

  async file(relPath: string, mode: number, data: AsyncIterable<Buffer>): Promise<void> {
    await this.parent(relPath);
    const file = path.join(this.root, relPath);
    // "wx" (O_EXCL) never follows or overwrites: the layout check already ruled out duplicates.
    await fs.writeFile(file, data, { flag: "wx", mode: 0o600 });
    // Explicit chmod, because the mode given at creation is filtered by the umask.
    await fs.chmod(file, mode | 0o444);
  }

  async symlink(relPath: string, target: string): Promise<void> {
    await this.parent(relPath);
    await fs.symlink(target, path.join(this.root, relPath));
  }

  /** Directories are 0o755 whatever the zip says, so the sandbox uid can traverse them. */
  async finish(): Promise<void> {
    for (const dir of this.dirs) await fs.chmod(path.join(this.root, dir), 0o755);
    await fs.chmod(this.root, 0o755);
  }
}

/** Unpacks a checked package into an existing empty folder (a build's writable copy of its sources). */
export async function extractZip(zip: Buffer, dir: string, limits: CodePackageLimits = {}): Promise<void> {
  const sink = new ExtractSink(dir);
  await walkZip(await openZipBuffer(zip), resolveLimits(limits), sink);
  await sink.finish();
}

/**
 * Content-addressed store of code packages under a data directory:
 * `<dataDir>/blobs/<sha256>.zip` (the zip as uploaded) and `<dataDir>/code/<sha256>/` (unpacked).
 * Writers create `.tmp-*` names and rename them into place, so a reader never sees a partial blob or
 * tree; `gc` removes the temp names a crash left behind.
 */
export class BlobStore {
  private readonly blobsDir: string;
  private readonly codeRoot: string;
  private readonly unpacking = new Map<string, Promise<string>>();
  /** Temp paths being written by this process right now; gc leaves them alone. */
  private readonly activeTemps = new Set<string>();

  constructor(dataDir: string) {
    this.blobsDir = path.join(dataDir, "blobs");
    this.codeRoot = path.join(dataDir, "code");
  }

  private blobPath(sha256: string): string {
    return path.join(this.blobsDir, `${sha256}.zip`);
  }

  /** The directory `ensureUnpacked` fills for this digest. Pure: it touches no file. */
  codeDir(sha256: string): string {
    checkDigest(sha256);
    return path.join(this.codeRoot, sha256);
  }

  /** Stores `zip` under its SHA-256; storing the same bytes again changes nothing. */
  async put(zip: Buffer): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash("sha256").update(zip).digest("hex");
    const result = { sha256, size: zip.length };
    const target = this.blobPath(sha256);
    if (await exists(target)) return result;

    // Blobs are only the source for unpacking; the sandbox never reads them.
    await fs.mkdir(this.blobsDir, { recursive: true, mode: 0o700 });
    const temp = path.join(this.blobsDir, `${TEMP_PREFIX}${sha256}-${randomBytes(6).toString("hex")}`);
    this.activeTemps.add(temp);
    try {
      const handle = await fs.open(temp, "wx", 0o600);
      try {
        await handle.writeFile(zip);
        await handle.sync();
      } finally {
        await handle.close();
      }
      // A concurrent put of the same bytes may have renamed first; rename replaces it atomically
      // with identical content, which is harmless.
      await fs.rename(temp, target);
      await fsyncDir(this.blobsDir);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    } finally {
      this.activeTemps.delete(temp);
    }
    return result;
  }

  async has(sha256: string): Promise<boolean> {
    checkDigest(sha256);
    return exists(this.blobPath(sha256));
  }

  async read(sha256: string): Promise<Buffer> {
    checkDigest(sha256);
    try {
      return await fs.readFile(this.blobPath(sha256));
    } catch (err) {
      throw hasCode(err, "ENOENT") ? missingBlob(sha256, err) : err;
    }
  }

  /**
   * Unpacks the blob into `codeDir(sha256)` unless already there, and returns that directory. The tree
   * appears complete or not at all; concurrent calls in this process share one extraction, and a race
   * with another process ends with one winner and the loser's copy removed.
   */
  ensureUnpacked(sha256: string, limits: CodePackageLimits = {}): Promise<string> {
    // unpack() checks the digest first, so a malformed one rejects without touching the disk.
    const pending = this.unpacking.get(sha256);
    if (pending !== undefined) return pending;
    const started = this.unpack(sha256, resolveLimits(limits)).finally(() => this.unpacking.delete(sha256));
    this.unpacking.set(sha256, started);
    return started;
  }

  private async unpack(sha256: string, limits: ResolvedLimits): Promise<string> {
    const target = this.codeDir(sha256);
    if (await exists(target)) return target;

    await fs.mkdir(this.codeRoot, { recursive: true, mode: 0o755 });
    await fs.chmod(this.codeRoot, 0o755);
    const temp = await fs.mkdtemp(path.join(this.codeRoot, `${TEMP_PREFIX}${sha256}-`));
    this.activeTemps.add(temp);
    try {
      const sink = new ExtractSink(temp);
      const blob = this.blobPath(sha256);
      // openZipFile would report a missing file as an invalid zip; say what really happened.
      if (!(await exists(blob))) throw missingBlob(sha256);
      await walkZip(await openZipFile(blob), limits, sink);
      await sink.finish();
      try {
        await fs.rename(temp, target);
      } catch (err) {
        // Another process renamed its copy first: keep the winner's, drop ours.
        if (!hasCode(err, "EEXIST", "ENOTEMPTY")) throw err;
        await fs.rm(temp, { recursive: true, force: true });
        return target;
      }
      await fsyncDir(this.codeRoot);
      return target;
    } catch (err) {
      await fs.rm(temp, { recursive: true, force: true });
      throw err;
    } finally {
      this.activeTemps.delete(temp);
    }
  }

  /** Deletes the blob and the unpacked tree of one digest; a digest not stored is not an error. */
  async remove(sha256: string): Promise<void> {
    checkDigest(sha256);
    await fs.rm(this.blobPath(sha256), { force: true });
    await fs.rm(path.join(this.codeRoot, sha256), { recursive: true, force: true });
  }

  /** Digests that have a blob, sorted. */
  async list(): Promise<string[]> {
    const digests: string[] = [];
    for (const name of await readdirOrEmpty(this.blobsDir)) {
      const match = BLOB_NAME.exec(name);
      if (match?.[1] !== undefined) digests.push(match[1]);
    }
    return digests.sort();
  }

  /**
   * Removes every digest not in `keep` (blob and unpacked tree) and the temp files a crash left.
   * Returns how many digests were removed. The caller must pass every digest a function or version
   * still refers to, including ones being created right now.
   */
  async gc(keep: ReadonlySet<string>): Promise<number> {
    const digests = new Set(await this.list());
    const leftovers: string[] = [];
    for (const name of await readdirOrEmpty(this.codeRoot)) {
      if (DIGEST.test(name)) digests.add(name);
      else if (name.startsWith(TEMP_PREFIX)) leftovers.push(path.join(this.codeRoot, name));
    }
    for (const name of await readdirOrEmpty(this.blobsDir)) {
      if (name.startsWith(TEMP_PREFIX)) leftovers.push(path.join(this.blobsDir, name));
    }

    let removed = 0;
    for (const digest of digests) {
      if (keep.has(digest) || this.unpacking.has(digest)) continue;
      await this.remove(digest);
      removed += 1;
    }
    for (const leftover of leftovers) {
      if (this.activeTemps.has(leftover)) continue;
      await fs.rm(leftover, { recursive: true, force: true });
    }
    return removed;
  }
}
