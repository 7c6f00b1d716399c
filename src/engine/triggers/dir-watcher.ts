// Watches one directory tree for a directory trigger and reports each settled change once. fs.watch
// (recursive, Node 20 on Linux) only hints that something moved; what counts is a scan that compares
// the tree with what was last reported (kept in the store by the caller), so a missed watch event, an
// inotify limit or a server restart loses nothing and re-reports nothing. A file is reported only after
// its size and mtime stayed the same for a quiet period, so a write in progress is reported once, whole.

import { createHash } from "node:crypto";
import { createReadStream, watch, type FSWatcher } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ReportedFile, StorageEventType } from "../../core/storage-event.js";

/** How long a file must stay unchanged before it is reported. */
export const QUIET_MS = 1000;
/** The periodic full rescan that catches what watch events missed. */
export const RESCAN_MS = 5000;
/** A bound on one scan, so a huge tree cannot stall the server. */
const MAX_FILES = 200_000;

export interface DirChange {
  /** undefined: the content is unchanged (only the mtime moved); the bookkeeping is updated silently. */
  type: StorageEventType | undefined;
  path: string;
  file?: ReportedFile;
}

export interface DirWatcherOptions {
  root: string;
  filter: (relPath: string) => boolean;
  /** What was reported before (from the store); the watcher keeps it current as `emit` succeeds. */
  reported: Map<string, ReportedFile>;
  /** Records one change (and queues its invocation); a throw leaves the change for the next scan. */
  emit: (change: DirChange) => Promise<void>;
  onProblem: (message: string | undefined) => void;
  quietMs?: number;
  rescanMs?: number;
}

interface Seen {
  size: number;
  mtimeMs: number;
  since: number;
}

function md5(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("md5");
    createReadStream(path)
      .on("data", (c) => h.update(c))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

export class DirWatcher {
  private watcher: FSWatcher | undefined;
  private interval: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Files seen but not yet settled (or settled and not yet reported). */
  private readonly seen = new Map<string, Seen>();
  private readonly quietMs: number;
  /** The last walk stopped at MAX_FILES: what it did not see is not taken as deleted. */
  private truncated = false;

  constructor(private readonly opts: DirWatcherOptions) {
    this.quietMs = opts.quietMs ?? QUIET_MS;
  }

  start(): void {
    try {
      this.watcher = watch(this.opts.root, { recursive: true }, () => this.scanSoon(this.quietMs / 4));
      this.watcher.on("error", () => {
        // The periodic rescan still covers the tree.
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined; // e.g. an inotify limit: rescans alone still find every change
    }
    this.interval = setInterval(() => this.scanSoon(0), this.opts.rescanMs ?? RESCAN_MS);
    this.interval.unref();
    this.scanSoon(0);
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.interval);
    clearTimeout(this.soon);
  }

  /** Resolves after the scan under way (if any) has finished. */
  async idle(): Promise<void> {
    await this.scanning;
  }

  private scanSoon(ms: number): void {
    if (this.stopped || this.soon !== undefined) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      if (this.scanning !== undefined) {
        this.again = true;
        return;
      }
      this.scanning = this.scan()
        .catch((err: unknown) => this.opts.onProblem(`scan failed: ${(err as Error).message}`))
        .finally(() => {
          this.scanning = undefined;
          if (this.again) {
            this.again = false;
            this.scanSoon(0);
          }
        });
    }, ms);
    this.soon.unref();
  }

  /** The regular files under root that pass the filter (symbolic links are not followed). */
  private async walk(): Promise<Map<string, { size: number; mtimeMs: number }> | undefined> {
    const files = new Map<string, { size: number; mtimeMs: number }>();
    const dirs = [""];
    while (dirs.length > 0 && files.size < MAX_FILES) {
      const rel = dirs.pop() as string;
      let entries;
      try {
        entries = await readdir(join(this.opts.root, rel), { withFileTypes: true });
      } catch (err) {
        // The root itself unreadable or gone: report nothing (not "everything was deleted").
        if (rel === "") {
          this.opts.onProblem(`cannot read ${this.opts.root}: ${(err as Error).message}`);
          return undefined;
        }
        continue; // a subdirectory removed during the walk
      }
      for (const e of entries) {
        const p = rel === "" ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) dirs.push(p);
        else if (e.isFile() && this.opts.filter(p)) {
          const st = await stat(join(this.opts.root, p)).catch(() => undefined);
          if (st?.isFile() === true) files.set(p, { size: st.size, mtimeMs: st.mtimeMs });
        }
      }
    }
    if (dirs.length > 0 || files.size >= MAX_FILES) this.truncated = true;
    else this.truncated = false;
    return files;
  }

  private async scan(): Promise<void> {
    const files = await this.walk();
    if (files === undefined || this.stopped) return;
    this.opts.onProblem(
      this.truncated
        ? `more than ${MAX_FILES} files under ${this.opts.root}: only the first are watched, deletes are not reported`
        : undefined,
    );
    const now = Date.now();
    let unsettled = false;
    for (const [path, cur] of files) {
      if (this.stopped) return;
      const prev = this.opts.reported.get(path);
      if (prev !== undefined && prev.size === cur.size && prev.mtimeMs === cur.mtimeMs) {
        this.seen.delete(path);
        continue;
      }
      const s = this.seen.get(path);
      if (s === undefined || s.size !== cur.size || s.mtimeMs !== cur.mtimeMs) {
        this.seen.set(path, { ...cur, since: now });
        unsettled = true;
        continue;
      }
      if (now - s.since < this.quietMs || now - cur.mtimeMs < this.quietMs) {
        unsettled = true;
        continue;
      }
      const etag = await md5(join(this.opts.root, path)).catch(() => undefined);
      const after = await stat(join(this.opts.root, path)).catch(() => undefined);
      if (
        etag === undefined ||
        after === undefined ||
        after.size !== cur.size ||
        after.mtimeMs !== cur.mtimeMs
      ) {
        this.seen.delete(path); // changed while hashed: it settles again first
        unsettled = true;
        continue;
      }
      const file: ReportedFile = { path, size: cur.size, mtimeMs: cur.mtimeMs, etag };
      const type =
        prev === undefined
          ? "created"
          : prev.etag === etag && prev.size === cur.size
            ? undefined
            : "modified";
      await this.opts.emit({ type, path, file });
      this.opts.reported.set(path, file);
      this.seen.delete(path);
    }
    for (const path of [...this.opts.reported.keys()]) {
      if (this.stopped) return;
      if (files.has(path) || this.truncated) continue;
      await this.opts.emit({ type: "deleted", path });
      this.opts.reported.delete(path);
    }
    for (const path of this.seen.keys()) if (!files.has(path)) this.seen.delete(path);
    if (unsettled) this.scanSoon(this.quietMs / 2);
  }
}
