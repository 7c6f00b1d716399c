import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import yauzl from "yauzl";
import { VajraError } from "../core/errors.js";
import { zipDirectory } from "./zip-dir.js";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "vajra-zipdir-"));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

interface ListedEntry {
  name: string;
  mode: number;
  content: string;
}

async function listZip(zip: Buffer): Promise<ListedEntry[]> {
  const zipfile = await yauzl.fromBufferPromise(zip, { lazyEntries: true, autoClose: false });
  const out: ListedEntry[] = [];
  try {
    for await (const entry of zipfile.eachEntry()) {
      const chunks: Buffer[] = [];
      if (!entry.fileName.endsWith("/")) {
        for await (const chunk of await zipfile.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      }
      out.push({
        name: entry.fileName,
        mode: entry.externalFileAttributes >>> 16,
        content: Buffer.concat(chunks).toString(),
      });
    }
  } finally {
    zipfile.close();
  }
  return out;
}

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content);
  }
}

function sha256(buf: Buffer): string {
  return createHash("sha256").update(buf).digest("hex");
}

void test("the same tree gives the same bytes, whatever the timestamps", async () => {
  await withTempDir(async (tmp) => {
    const files = { "index.js": "exports.handler = 1;", "lib/a.js": "a", "node_modules/x/index.js": "x" };
    const a = path.join(tmp, "a");
    const b = path.join(tmp, "b");
    await writeTree(a, files);
    await writeTree(b, files);
    await fs.utimes(path.join(b, "lib/a.js"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const first = await zipDirectory(a);
    assert.equal(sha256(first), sha256(await zipDirectory(b)));
    assert.equal(sha256(first), sha256(await zipDirectory(a)));
  });
});

void test("entries are sorted and keep Unix modes and symlinks", async () => {
  await withTempDir(async (tmp) => {
    await writeTree(tmp, { "z.txt": "z", "bin/run": "#!/bin/sh\n", "a.txt": "a", "B.txt": "b" });
    await fs.chmod(path.join(tmp, "bin/run"), 0o755);
    await fs.chmod(path.join(tmp, "a.txt"), 0o640);
    await fs.symlink("bin/run", path.join(tmp, "run-link"));
    await fs.mkdir(path.join(tmp, "empty"));

    const entries = await listZip(await zipDirectory(tmp));
    assert.deepEqual(
      entries.map((e) => e.name),
      ["B.txt", "a.txt", "bin/run", "empty/", "run-link", "z.txt"],
    );
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.equal(byName.get("bin/run")?.mode, 0o100755);
    assert.equal(byName.get("a.txt")?.mode, 0o100640);
    assert.equal(byName.get("empty/")?.mode, 0o040755);
    assert.equal(byName.get("run-link")?.mode, 0o120777);
    assert.equal(byName.get("run-link")?.content, "bin/run");
    assert.equal(byName.get("z.txt")?.content, "z");
  });
});

void test("skips .git, __pycache__ and .DS_Store but keeps node_modules and other dotfiles", async () => {
  await withTempDir(async (tmp) => {
    await writeTree(tmp, {
      ".git/HEAD": "ref",
      "pkg/__pycache__/m.cpython-312.pyc": "pyc",
      "pkg/.DS_Store": "ds",
      ".DS_Store": "ds",
      "pkg/m.py": "m",
      "node_modules/dep/index.js": "d",
      ".env.example": "E=1",
    });
    const names = (await listZip(await zipDirectory(tmp))).map((e) => e.name);
    assert.deepEqual(names, [".env.example", "node_modules/dep/index.js", "pkg/m.py"]);
  });
});

void test("a path that is not a directory, or holds no files, is an invalid parameter", async () => {
  await withTempDir(async (tmp) => {
    const isInvalid = (pattern: RegExp) => (err: unknown) => {
      assert.ok(err instanceof VajraError);
      assert.equal(err.code, "InvalidParameter");
      assert.match(err.message, pattern);
      return true;
    };
    await writeTree(tmp, { "file.txt": "x" });
    await assert.rejects(zipDirectory(path.join(tmp, "file.txt")), isInvalid(/is not a directory/));
    await assert.rejects(zipDirectory(path.join(tmp, "missing")), isInvalid(/is not a directory/));
    const empty = path.join(tmp, "empty");
    await fs.mkdir(path.join(empty, "sub", ".git"), { recursive: true });
    await assert.rejects(zipDirectory(empty), isInvalid(/holds no files/));
  });
});
