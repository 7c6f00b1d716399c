// The one place that reads an untrusted code package: it checks every entry name, type and size, then
// streams the content to a sink, so inspection and extraction apply exactly the same rules (zip-slip,
// escaping symlinks, devices, zip bombs) and can never drift apart.
import path from "node:path";
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import type { Entry, ZipFile } from "yauzl";
import { VajraError } from "../core/errors.js";

/** Resolved size limits in bytes; see MAX_ZIPPED_BYTES and MAX_UNZIPPED_BYTES. */
export interface ResolvedLimits {
  maxZippedBytes: number;
  maxUnzippedBytes: number;
}

/** Receives the checked content of a package, in order: directories, files, then symlinks. */
export interface PackageSink {
  directory(relPath: string): Promise<void>;
  file(relPath: string, mode: number, data: AsyncIterable<Buffer>): Promise<void>;
  symlink(relPath: string, target: string): Promise<void>;
}

export interface WalkResult {
  unzippedSize: number;
  /** Normalized paths of files and symlinks, sorted; directories are left out. */
  entries: string[];
}

// yauzl options: decodeStrings is off so that yauzl does not reject unsafe names with its own wording;
// we decode with its helper and reject them ourselves, naming the entry.
const YAUZL_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  decodeStrings: false,
  validateEntrySizes: true,
};

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** Files whose zip carries no Unix mode (made on Windows, or by Java) get the AWS default. */
const DEFAULT_FILE_MODE = 0o644;
// "Version made by" hosts whose external attributes hold a Unix mode in the high 16 bits (APPNOTE 4.4.2),
// as Go's archive/zip reads them; other hosts (FAT, NTFS) put MS-DOS attributes there.
const UNIX_HOSTS = new Set([3, 19]);
const MAX_SYMLINK_TARGET_BYTES = 4096;
const MAX_NAME_SEGMENT_BYTES = 255;
const MAX_PATH_BYTES = 4096;
const MB = 1024 * 1024;

type Planned =
  | { kind: "dir"; relPath: string }
  | { kind: "file"; relPath: string; mode: number; entry: Entry }
  | { kind: "symlink"; relPath: string; entry: Entry };

export function formatSize(bytes: number): string {
  if (bytes < MB / 10) return `${bytes} bytes`;
  const mb = bytes / MB;
  return `${Number.isInteger(mb) ? mb.toString() : mb.toFixed(1)} MB`;
}

function notAZip(err: unknown): VajraError {
  const reason = err instanceof Error ? err.message : String(err);
  return new VajraError("InvalidCodePackage", `code package is not a valid zip file: ${reason}`, {
    cause: err,
  });
}

/** Keeps our own errors, turns anything yauzl or zlib threw into InvalidCodePackage. */
function asZipError(err: unknown): VajraError {
  return err instanceof VajraError ? err : notAZip(err);
}

function unsafe(message: string, entry: string): VajraError {
  return new VajraError("InvalidCodePackage", message, { details: { entry } });
}

export function checkZippedSize(zippedBytes: number, limits: ResolvedLimits): void {
  if (zippedBytes > limits.maxZippedBytes) {
    throw new VajraError(
      "CodePackageTooLarge",
      `code package is ${formatSize(zippedBytes)} zipped, over the ${formatSize(limits.maxZippedBytes)} limit`,
      { details: { zippedBytes, limitBytes: limits.maxZippedBytes } },
    );
  }
}

function tooLargeUnzipped(bytes: number, limit: number, atLeast: boolean): VajraError {
  const size = `${atLeast ? "at least " : ""}${formatSize(bytes)}`;
  return new VajraError(
    "CodePackageTooLarge",
    `code package unzips to ${size}, over the ${formatSize(limit)} limit`,
    { details: { unzippedBytes: bytes, limitBytes: limit } },
  );
}

/** Opens a zip held in memory; a buffer that is not a zip becomes InvalidCodePackage. */
export async function openZipBuffer(zip: Buffer): Promise<ZipFile> {
  try {
    return await yauzl.fromBufferPromise(zip, YAUZL_OPTIONS);
  } catch (err) {
    throw notAZip(err);
  }
}

/** Opens a zip on disk; yauzl reads it by offset, so the whole file is never held in memory. */
export async function openZipFile(file: string): Promise<ZipFile> {
  try {
    return await yauzl.openPromise(file, YAUZL_OPTIONS);
  } catch (err) {
    throw notAZip(err);
  }
}

/** Splits a decoded entry name into safe segments, or throws naming the entry. */
function normalizeName(name: string): string {
  if (name.includes("\0")) throw unsafe(`zip entry '${name}' has a NUL character in its name`, name);
  // yauzl's decoder already turned backslashes into slashes, so "..\\x" is caught as ".." below.
  if (name.startsWith("/") || /^[a-zA-Z]:/.test(name)) {
    throw unsafe(`zip entry '${name}' has an absolute path`, name);
  }
  const segments = name.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw unsafe(`zip entry '${name}' escapes the package`, name);
  const relPath = segments.join("/");
  if (
    Buffer.byteLength(relPath) > MAX_PATH_BYTES ||
    segments.some((s) => Buffer.byteLength(s) > MAX_NAME_SEGMENT_BYTES)
  ) {
    throw unsafe(`zip entry '${name}' has a name too long for the file system`, name);
  }
  return relPath;
}

function plan(entry: Entry): Planned | undefined {
  const name = yauzl.getFileNameLowLevel(
    entry.generalPurposeBitFlag,
    entry.fileNameRaw,
    entry.extraFields,
    false,
  );
  const relPath = normalizeName(name);
  const unixMode = UNIX_HOSTS.has(entry.versionMadeBy >>> 8) ? entry.externalFileAttributes >>> 16 : 0;
  const type = unixMode & S_IFMT;
  if (type === S_IFLNK) {
    if (relPath === "") throw unsafe(`zip entry '${name}' is a symlink without a name`, name);
    return { kind: "symlink", relPath, entry };
  }
  if (type === S_IFDIR || name.endsWith("/")) return relPath === "" ? undefined : { kind: "dir", relPath };
  if (type !== 0 && type !== S_IFREG) {
    throw unsafe(`zip entry '${name}' is a device, fifo or socket, which a code package cannot hold`, name);
  }
  if (relPath === "") throw unsafe(`zip entry '${name}' is a file without a name`, name);
  // setuid/setgid/sticky bits are dropped: the files end up owned by root on the host.
  const mode = unixMode === 0 ? DEFAULT_FILE_MODE : unixMode & 0o777;
  return { kind: "file", relPath, mode, entry };
}

function ancestors(relPath: string): string[] {
  const out: string[] = [];
  for (let dir = path.posix.dirname(relPath); dir !== "."; dir = path.posix.dirname(dir)) out.push(dir);
  return out;
}

/**
 * Rejects duplicates, names that are both file and directory, and anything stored beneath a symlink:
 * writing through a symlink made earlier in the same extraction is how chained-symlink escapes work.
 */
function checkLayout(planned: readonly Planned[]): void {
  const leaves = new Map<string, Planned["kind"]>();
  for (const p of planned) {
    if (p.kind === "dir") continue;
    if (leaves.has(p.relPath)) throw unsafe(`zip entry '${p.relPath}' appears more than once`, p.relPath);
    leaves.set(p.relPath, p.kind);
  }
  for (const p of planned) {
    if (p.kind === "dir" && leaves.has(p.relPath)) {
      throw unsafe(`zip entry '${p.relPath}' is both a file and a directory`, p.relPath);
    }
    for (const dir of ancestors(p.relPath)) {
      const kind = leaves.get(dir);
      if (kind !== undefined) {
        throw unsafe(`zip entry '${p.relPath}' lies beneath the ${kind} '${dir}'`, p.relPath);
      }
    }
  }
}

/**
 * A symlink may point only to a plain relative path whose '..' steps all come first and do not climb
 * above the package root. Those steps walk real directories (nothing lies beneath a symlink), so the
 * lexical check is exact; a '..' after a name could climb out of whatever that name links to.
 */
function checkSymlinkTarget(relPath: string, target: string): void {
  const escapes = (): VajraError =>
    unsafe(`zip entry '${relPath}' is a symlink to '${target}', which escapes the package`, relPath);
  if (target === "" || target.includes("\0")) {
    throw unsafe(`zip entry '${relPath}' is a symlink with an empty or invalid target`, relPath);
  }
  if (target.startsWith("/")) throw escapes();
  const segments = target.split("/").filter((s) => s !== "" && s !== ".");
  const ups = segments.findIndex((s) => s !== "..");
  const leadingUps = ups === -1 ? segments.length : ups;
  if (segments.slice(leadingUps).includes("..")) {
    throw unsafe(
      `zip entry '${relPath}' is a symlink to '${target}'; a target may use '..' only at its start`,
      relPath,
    );
  }
  if (leadingUps > ancestors(relPath).length) throw escapes();
}

async function readEntries(zipfile: ZipFile): Promise<Entry[]> {
  const entries: Entry[] = [];
  try {
    for await (const entry of zipfile.eachEntry()) entries.push(entry);
  } catch (err) {
    throw asZipError(err);
  }
  return entries;
}

/** Counts the bytes actually inflated across the whole package; declared sizes are only a first check. */
class ByteBudget {
  used = 0;
  constructor(private readonly limit: number) {}

  async *stream(zipfile: ZipFile, entry: Entry): AsyncGenerator<Buffer> {
    let stream: Readable;
    try {
      stream = await zipfile.openReadStreamPromise(entry);
    } catch (err) {
      throw notAZip(err);
    }
    try {
      for await (const chunk of stream) {
        const buf = chunk as Buffer;
        this.used += buf.length;
        if (this.used > this.limit) throw tooLargeUnzipped(this.used, this.limit, true);
        yield buf;
      }
    } catch (err) {
      throw asZipError(err);
    } finally {
      stream.destroy();
    }
  }

  async readSmall(zipfile: ZipFile, entry: Entry, max: number, relPath: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of this.stream(zipfile, entry)) {
      length += chunk.length;
      if (length > max)
        throw unsafe(`zip entry '${relPath}' is a symlink with a target over ${max} bytes`, relPath);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
}

/**
 * Checks every rule on an opened zip and feeds the content to `sink`. Closes the zip. Errors from the
 * zip itself become InvalidCodePackage or CodePackageTooLarge; errors from the sink pass through.
 */
export async function walkZip(
  zipfile: ZipFile,
  limits: ResolvedLimits,
  sink: PackageSink,
): Promise<WalkResult> {
  try {
    checkZippedSize(zipfile.fileSize, limits);
    const planned: Planned[] = [];
    for (const entry of await readEntries(zipfile)) {
      const p = plan(entry);
      if (p !== undefined) planned.push(p);
    }
    checkLayout(planned);

    let declared = 0;
    for (const p of planned) if (p.kind !== "dir") declared += p.entry.uncompressedSize;
    if (declared > limits.maxUnzippedBytes) throw tooLargeUnzipped(declared, limits.maxUnzippedBytes, false);

    const budget = new ByteBudget(limits.maxUnzippedBytes);
    // Symlink targets are read and checked before anything is written, and created after all files.
    const links: { relPath: string; target: string }[] = [];
    for (const p of planned) {
      if (p.kind !== "symlink") continue;
      const raw = await budget.readSmall(zipfile, p.entry, MAX_SYMLINK_TARGET_BYTES, p.relPath);
      const target = raw.toString("utf8");
      checkSymlinkTarget(p.relPath, target);
      links.push({ relPath: p.relPath, target });
    }
    for (const p of planned) if (p.kind === "dir") await sink.directory(p.relPath);
    for (const p of planned) {
      if (p.kind === "file") await sink.file(p.relPath, p.mode, budget.stream(zipfile, p.entry));
    }
    for (const link of links) await sink.symlink(link.relPath, link.target);

    const entries = planned.filter((p) => p.kind !== "dir").map((p) => p.relPath);
    entries.sort();
    return { unzippedSize: budget.used, entries };
  } finally {
    zipfile.close();
  }
}
