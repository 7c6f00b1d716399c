// The directory watcher in process, with a short quiet period: what a restart reports, a touch, a failed
// emit retried, a missing root that must not look like every file deleted.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReportedFile } from "../../core/storage-event.js";
import { DirWatcher, type DirChange } from "./dir-watcher.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs a watcher (quiet 100 ms, rescan 200 ms) until `cond` holds on its changes, at most `maxMs`. */
async function watchUntil(
  root: string,
  reported: Map<string, ReportedFile>,
  cond: (changes: DirChange[]) => boolean,
  emit?: (c: DirChange) => Promise<void>,
  maxMs = 10_000,
): Promise<{ changes: DirChange[]; problems: string[] }> {
  const changes: DirChange[] = [];
  const problems: string[] = [];
  const w = new DirWatcher({
    root,
    filter: () => true,
    reported,
    emit: async (c) => {
      await emit?.(c);
      changes.push(c);
    },
    onProblem: (m) => void (m === undefined ? undefined : problems.push(m)),
    quietMs: 100,
    rescanMs: 200,
  });
  w.start();
  try {
    const deadline = Date.now() + maxMs;
    while (!cond(changes) && Date.now() < deadline) await sleep(50);
    await sleep(600); // room for anything extra
    await w.idle();
  } finally {
    w.stop();
  }
  return { changes, problems };
}

test("a restart reports only what changed; a touched file is recorded silently", async () => {
  const root = mkdtempSync(join(tmpdir(), "vajra-dirwatch-"));
  try {
    writeFileSync(join(root, "a"), "one");
    writeFileSync(join(root, "b"), "two");
    const reported = new Map<string, ReportedFile>();
    const first = await watchUntil(root, reported, (c) => c.length >= 2);
    assert.deepEqual(first.changes.map((c) => `${c.type}:${c.path}`).sort(), ["created:a", "created:b"]);

    // While "down": a changed, b touched (same content), c new.
    writeFileSync(join(root, "a"), "ONE!");
    const later = new Date(Date.now() - 5000);
    utimesSync(join(root, "b"), later, later);
    writeFileSync(join(root, "c"), "three");
    const second = await watchUntil(root, reported, (c) => c.length >= 3);
    assert.deepEqual(second.changes.map((c) => `${c.type ?? "touched"}:${c.path}`).sort(), [
      "created:c",
      "modified:a",
      "touched:b",
    ]);
    rmSync(join(root, "c"));
    const third = await watchUntil(root, reported, (c) => c.length >= 1);
    assert.deepEqual(
      third.changes.map((c) => `${c.type}:${c.path}`),
      ["deleted:c"],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a failed emit is retried by a later scan; a missing root reports no deletes", async () => {
  const root = mkdtempSync(join(tmpdir(), "vajra-dirwatch-"));
  try {
    writeFileSync(join(root, "a"), "one");
    const reported = new Map<string, ReportedFile>();
    let fail = 1;
    const r = await watchUntil(
      root,
      reported,
      (c) => c.length >= 1,
      () => (fail-- > 0 ? Promise.reject(new Error("store busy")) : Promise.resolve()),
    );
    assert.deepEqual(
      r.changes.map((c) => `${c.type}:${c.path}`),
      ["created:a"],
    );
    assert.ok(r.problems.some((p) => p.includes("store busy")));
    rmSync(root, { recursive: true });
    const gone = await watchUntil(root, reported, () => false, undefined, 1000);
    assert.deepEqual(gone.changes, []);
    assert.ok(gone.problems.some((p) => p.includes("cannot read")));
    assert.equal(reported.size, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
