// Packages a folder into a Lambda code zip for the CLI. The output is deterministic (sorted entries, one
// fixed timestamp), so deploying an unchanged folder yields the same CodeSha256 and no new version.
import fs from "node:fs/promises";
import path from "node:path";
import yazl from "yazl";
import { invalid } from "../core/errors.js";

/** Names never worth shipping; everything else goes in, node_modules included (Node functions need it). */
const SKIPPED_NAMES = new Set([".git", "__pycache__", ".DS_Store"]);
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
// Built from local-time fields, so its DOS timestamp is 1980-01-01 00:00 in every time zone; with
// forceDosTimestamp no UTC extra field is written, which would otherwise vary with the zone.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

type Item =
  | { kind: "file"; abs: string; rel: string; mode: number }
  | { kind: "symlink"; rel: string; target: string }
  | { kind: "emptyDir"; rel: string };

/** Byte order of the UTF-16 code units; independent of locale, unlike localeCompare. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function collect(root: string, rel: string, out: Item[]): Promise<void> {
  const names = (await fs.readdir(path.join(root, rel))).filter((n) => !SKIPPED_NAMES.has(n)).sort(byName);
  if (names.length === 0 && rel !== "") out.push({ kind: "emptyDir", rel });
  for (const name of names) {
    // Zip names always use "/", whatever the host.
    const childRel = rel === "" ? name : `${rel}/${name}`;
    const abs = path.join(root, childRel);
    const stat = await fs.lstat(abs);
    if (stat.isSymbolicLink()) {
      out.push({ kind: "symlink", rel: childRel, target: await fs.readlink(abs) });
    } else if (stat.isDirectory()) {
      await collect(root, childRel, out);
    } else if (stat.isFile()) {
      out.push({ kind: "file", abs, rel: childRel, mode: stat.mode & 0o777 });
    } else {
      throw invalid(`cannot package '${abs}': it is not a file, directory or symlink`);
    }
  }
}

/** Zips the contents of `dir` (not the folder itself), keeping Unix modes and symlinks. */
export async function zipDirectory(dir: string): Promise<Buffer> {
  let isDir = false;
  try {
    isDir = (await fs.stat(dir)).isDirectory();
  } catch {
    // A missing or unreadable path gets the same answer as a file: not a directory.
  }
  if (!isDir) throw invalid(`'${dir}' is not a directory`);

  const items: Item[] = [];
  await collect(dir, "", items);
  if (!items.some((i) => i.kind !== "emptyDir")) throw invalid(`'${dir}' holds no files to package`);

  const zip = new yazl.ZipFile();
  for (const item of items) {
    switch (item.kind) {
      case "file":
        zip.addFile(item.abs, item.rel, {
          mode: S_IFREG | item.mode,
          mtime: FIXED_MTIME,
          forceDosTimestamp: true,
        });
        break;
      case "symlink":
        zip.addBuffer(Buffer.from(item.target, "utf8"), item.rel, {
          mode: S_IFLNK | 0o777,
          mtime: FIXED_MTIME,
          forceDosTimestamp: true,
          compress: false,
        });
        break;
      case "emptyDir":
        zip.addEmptyDirectory(item.rel, {
          mode: S_IFDIR | 0o755,
          mtime: FIXED_MTIME,
          forceDosTimestamp: true,
        });
        break;
    }
  }
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on("data", (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on("error", reject);
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    // addFile reports a file that vanished or cannot be read on the ZipFile itself.
    zip.on("error", reject);
  });
  zip.end();
  return done;
}
