// A folder chosen in the browser (<input type=file webkitdirectory>) zipped in the page, so it can be
// sent as the same base64 `zipFile` the CLI sends for a folder. Mirrors the CLI's zip-dir.ts: the
// folder's contents (not the folder itself) at the zip's root, the same names skipped, sorted entries
// and one fixed timestamp so an unchanged folder gives the same digest.
import { zipSync, type Zippable } from "fflate";
import { MAX_ZIP_BYTES } from "./upload.ts";

/** Lambda's limit on a function's unzipped code: a folder bigger than this is refused before reading. */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/** Names never worth shipping (as the CLI's zip-dir.ts); node_modules is kept (Node functions need it). */
const SKIPPED_NAMES = new Set([".git", "__pycache__", ".DS_Store"]);

/** What the page knows of a chosen file before reading it. */
export interface FolderEntry {
  /** `webkitRelativePath`: the chosen folder's name, then the path inside it. */
  path: string;
  size: number;
}

/** The path inside the package, or undefined for a file that is not shipped. */
export function packagePath(relativePath: string): string | undefined {
  const parts = relativePath.split("/").filter((p) => p !== "");
  // The first part is the folder the user picked; the package holds what is inside it.
  const inside = parts.length > 1 ? parts.slice(1) : parts;
  if (inside.length === 0 || inside.some((p) => SKIPPED_NAMES.has(p))) return undefined;
  return inside.join("/");
}

/** Checks a folder from its listing alone (no file is read): empty, or over the unzipped limit. */
export function checkFolder(entries: readonly FolderEntry[]): string | undefined {
  const shipped = entries.filter((e) => packagePath(e.path) !== undefined);
  if (shipped.length === 0) return "the folder holds no files to deploy.";
  const total = shipped.reduce((n, e) => n + e.size, 0);
  if (total > MAX_UNZIPPED_BYTES)
    return `the folder holds ${(total / 1048576).toFixed(1)} MB, over the 250 MB limit of a function's unzipped code.`;
  return undefined;
}

/** The folder name the user picked (for messages). */
export function folderName(entries: readonly FolderEntry[]): string {
  return entries[0]?.path.split("/")[0] ?? "folder";
}

// Executables lose their mode in the browser (File has none): these names are made executable, as a
// custom runtime's `bootstrap` must be.
const EXECUTABLE = /(^|\/)bootstrap$|\.sh$/;
// 1980-01-01 00:00 local time: the earliest DOS timestamp, the CLI's fixed time too.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** Zips read files (package path → bytes) deterministically, with Unix modes. */
export function zipFiles(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const data: Zippable = {};
  for (const path of [...files.keys()].sort()) {
    const bytes = files.get(path) as Uint8Array; // a key of the same map
    const mode = EXECUTABLE.test(path) ? 0o100755 : 0o100644;
    data[path] = [bytes, { os: 3, attrs: mode * 0x10000, mtime: FIXED_MTIME }];
  }
  return zipSync(data, { level: 6 });
}

/** Reads and zips the chosen files; refuses a result over the direct-upload limit. */
export async function zipFolder(files: readonly File[]): Promise<Uint8Array> {
  const read = new Map<string, Uint8Array>();
  for (const f of files) {
    const path = packagePath(f.webkitRelativePath || f.name);
    if (path !== undefined) read.set(path, new Uint8Array(await f.arrayBuffer()));
  }
  const zip = zipFiles(read);
  if (zip.length > MAX_ZIP_BYTES)
    throw new Error(
      `the folder zips to ${(zip.length / 1048576).toFixed(1)} MB, over the 50 MB limit of a direct upload.`,
    );
  return zip;
}
