import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import yazl from "yazl";
import { VajraError } from "../core/errors.js";
import type { ErrorCode } from "../core/errors.js";
import { BlobStore, MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES, inspectZip } from "./code-package.js";
import { zipDirectory } from "./zip-dir.js";
import { rawZip, type RawEntry } from "../../test/support/raw-zip.js";

async function yazlZip(build: (zip: yazl.ZipFile) => void): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  build(zip);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "vajra-blobs-"));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function rejectsWith(code: ErrorCode, message?: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof VajraError, `expected a VajraError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  };
}

const SMALL = { maxZippedBytes: 64 * 1024, maxUnzippedBytes: 1024 * 1024 };

async function modeOf(p: string): Promise<number> {
  return (await fs.lstat(p)).mode & 0o7777;
}

void test("the default limits are the AWS quotas", () => {
  assert.equal(MAX_ZIPPED_BYTES, 50 * 1024 * 1024);
  assert.equal(MAX_UNZIPPED_BYTES, 250 * 1024 * 1024);
});

void test("a packaged folder round-trips through inspect, put and unpack with modes and symlinks kept", async () => {
  await withTempDir(async (tmp) => {
    const src = path.join(tmp, "src");
    await fs.mkdir(path.join(src, "bin"), { recursive: true });
    await fs.mkdir(path.join(src, "lib"));
    await fs.mkdir(path.join(src, "node_modules/tool"), { recursive: true });
    await fs.mkdir(path.join(src, "node_modules/.bin"));
    const handler = "export const handler = async () => 1;\n";
    const script = "#!/bin/sh\necho hi\n";
    const shebang = "#!/usr/bin/env node\n";
    await fs.writeFile(path.join(src, "index.mjs"), handler);
    await fs.writeFile(path.join(src, "bin/run.sh"), script);
    await fs.chmod(path.join(src, "bin/run.sh"), 0o750);
    await fs.writeFile(path.join(src, "secret.txt"), "s");
    await fs.chmod(path.join(src, "secret.txt"), 0o600);
    await fs.writeFile(path.join(src, "lib/libfoo.so.1"), "ELF");
    await fs.symlink("libfoo.so.1", path.join(src, "lib/libfoo.so"));
    await fs.writeFile(path.join(src, "node_modules/tool/cli.js"), shebang);
    await fs.chmod(path.join(src, "node_modules/tool/cli.js"), 0o755);
    await fs.symlink("../tool/cli.js", path.join(src, "node_modules/.bin/tool"));

    const zip = await zipDirectory(src);
    const inspection = await inspectZip(zip);
    assert.deepEqual(inspection.entries, [
      "bin/run.sh",
      "index.mjs",
      "lib/libfoo.so",
      "lib/libfoo.so.1",
      "node_modules/.bin/tool",
      "node_modules/tool/cli.js",
      "secret.txt",
    ]);
    // File contents plus the two symlink targets.
    const contents = [handler, script, "s", "ELF", shebang, "libfoo.so.1", "../tool/cli.js"];
    assert.equal(inspection.unzippedSize, contents.join("").length);

    const store = new BlobStore(path.join(tmp, "data"));
    const { sha256, size } = await store.put(zip);
    assert.equal(sha256, createHash("sha256").update(zip).digest("hex"));
    assert.equal(size, zip.length);
    assert.equal(await store.has(sha256), true);
    assert.deepEqual(await store.read(sha256), zip);
    assert.deepEqual(await store.list(), [sha256]);
    assert.deepEqual(await store.put(zip), { sha256, size }, "storing the same bytes again is a no-op");

    const code = await store.ensureUnpacked(sha256);
    assert.equal(code, store.codeDir(sha256));
    assert.equal(code, path.join(tmp, "data", "code", sha256));
    assert.equal(await fs.readFile(path.join(code, "bin/run.sh"), "utf8"), script);
    assert.equal(await modeOf(path.join(code, "bin/run.sh")), 0o754, "exec bits kept, readable by all");
    assert.equal(await modeOf(path.join(code, "secret.txt")), 0o644, "private files become readable by all");
    assert.equal(await modeOf(path.join(code, "index.mjs")), 0o644);
    assert.equal(await modeOf(path.join(code, "node_modules/tool/cli.js")), 0o755);
    for (const dir of ["", "bin", "lib", "node_modules", "node_modules/.bin", "node_modules/tool"]) {
      assert.equal(await modeOf(path.join(code, dir)), 0o755, `directory '${dir}'`);
    }
    assert.equal(await fs.readlink(path.join(code, "lib/libfoo.so")), "libfoo.so.1");
    assert.equal(await fs.readFile(path.join(code, "lib/libfoo.so"), "utf8"), "ELF");
    assert.equal(await fs.readlink(path.join(code, "node_modules/.bin/tool")), "../tool/cli.js");
    assert.equal(await store.ensureUnpacked(sha256), code, "a second call reuses the tree");
  });
});

void test("entries without a Unix mode get 0644, and setuid bits are dropped", async () => {
  await withTempDir(async (tmp) => {
    const zip = rawZip([
      { name: "dos.txt", data: "d", host: 0, mode: 0 },
      { name: "suid", data: "x", mode: 0o104755 },
      { name: "plain", data: "p", mode: 0o640 },
      { name: "sub/", mode: 0o040700 },
    ]);
    const store = new BlobStore(tmp);
    const { sha256 } = await store.put(zip);
    const code = await store.ensureUnpacked(sha256);
    assert.equal(await modeOf(path.join(code, "dos.txt")), 0o644);
    assert.equal(await modeOf(path.join(code, "suid")), 0o755);
    assert.equal(await modeOf(path.join(code, "plain")), 0o644);
    assert.equal(await modeOf(path.join(code, "sub")), 0o755);
  });
});

void test("bytes that are not a zip are an invalid code package", async () => {
  await assert.rejects(
    inspectZip(Buffer.from("this is not a zip file, just some text")),
    rejectsWith("InvalidCodePackage", /^code package is not a valid zip file: /),
  );
  await assert.rejects(inspectZip(Buffer.alloc(0)), rejectsWith("InvalidCodePackage"));
});

void test("a truncated zip is an invalid code package", async () => {
  const zip = rawZip([{ name: "index.js", data: "exports.handler = async () => 1;" }]);
  await assert.rejects(inspectZip(zip.subarray(0, zip.length - 10)), rejectsWith("InvalidCodePackage"));
  await assert.rejects(inspectZip(zip.subarray(0, 40)), rejectsWith("InvalidCodePackage"));
});

void test("a zip whose entry data is corrupt is an invalid code package", async () => {
  const zip = rawZip([{ name: "a.txt", data: "hello hello hello hello", deflate: true }]);
  const bad = Buffer.from(zip);
  // Overwrite the deflate stream (after the 30-byte header and 5-byte name) with invalid block bits.
  bad.fill(0xff, 35, 40);
  await assert.rejects(inspectZip(bad), rejectsWith("InvalidCodePackage", /not a valid zip file/));
});

void test("an entry with '..' escapes the package", async () => {
  await assert.rejects(
    inspectZip(rawZip([{ name: "../x", data: "x" }])),
    rejectsWith("InvalidCodePackage", /^zip entry '\.\.\/x' escapes the package$/),
  );
  await assert.rejects(
    inspectZip(rawZip([{ name: "a/../../etc/x", data: "x" }])),
    rejectsWith("InvalidCodePackage", /escapes the package/),
  );
  await assert.rejects(
    inspectZip(rawZip([{ name: "..\\..\\evil", data: "x" }])),
    rejectsWith("InvalidCodePackage", /escapes the package/),
  );
});

void test("an entry with an absolute path or a drive letter is rejected", async () => {
  await assert.rejects(
    inspectZip(rawZip([{ name: "/etc/x", data: "x" }])),
    rejectsWith("InvalidCodePackage", /^zip entry '\/etc\/x' has an absolute path$/),
  );
  await assert.rejects(
    inspectZip(rawZip([{ name: "C:/windows/x", data: "x" }])),
    rejectsWith("InvalidCodePackage", /absolute path/),
  );
});

void test("a symlink whose target leaves the package is rejected", async () => {
  const link = (name: string, target: string): RawEntry => ({ name, data: target, mode: 0o120777 });
  await assert.rejects(
    inspectZip(rawZip([link("link", "../../etc/passwd")])),
    rejectsWith(
      "InvalidCodePackage",
      /^zip entry 'link' is a symlink to '\.\.\/\.\.\/etc\/passwd', which escapes/,
    ),
  );
  await assert.rejects(
    inspectZip(rawZip([link("a/link", "/etc/passwd")])),
    rejectsWith("InvalidCodePackage"),
  );
  await assert.rejects(inspectZip(rawZip([link("a/link", "../../x")])), rejectsWith("InvalidCodePackage"));
  // "l" points at the root, so "l/../x" is outside although it normalizes to "x".
  await assert.rejects(
    inspectZip(rawZip([link("l", "."), link("s", "l/../x")])),
    rejectsWith("InvalidCodePackage", /only at its start/),
  );
  const ok = await inspectZip(
    rawZip([{ name: "a/b/f", data: "f" }, link("a/b/l", "../../a/b/f"), link("r", ".")]),
  );
  assert.deepEqual(ok.entries, ["a/b/f", "a/b/l", "r"]);
});

void test("an entry stored beneath a symlink is rejected", async () => {
  const zip = rawZip([
    { name: "d/l", data: "..", mode: 0o120777 },
    { name: "d/l/x", data: "x" },
  ]);
  await assert.rejects(inspectZip(zip), rejectsWith("InvalidCodePackage", /lies beneath the symlink 'd\/l'/));
});

void test("device, fifo and socket entries are rejected", async () => {
  for (const mode of [0o020644, 0o060644, 0o010644, 0o140644]) {
    await assert.rejects(
      inspectZip(rawZip([{ name: "dev", data: "", mode }])),
      rejectsWith("InvalidCodePackage", /device, fifo or socket/),
    );
  }
});

void test("duplicate names and file/directory clashes are rejected", async () => {
  await assert.rejects(
    inspectZip(
      rawZip([
        { name: "a.js", data: "1" },
        { name: "./a.js", data: "2" },
      ]),
    ),
    rejectsWith("InvalidCodePackage", /^zip entry 'a.js' appears more than once$/),
  );
  await assert.rejects(
    inspectZip(
      rawZip([
        { name: "a", data: "1" },
        { name: "a/b", data: "2" },
      ]),
    ),
    rejectsWith("InvalidCodePackage", /lies beneath the file 'a'/),
  );
});

void test("a zip over the zipped limit is too large", async () => {
  const zip = rawZip([{ name: "big", data: Buffer.alloc(SMALL.maxZippedBytes + 1, 7) }]);
  await assert.rejects(
    inspectZip(zip, SMALL),
    rejectsWith("CodePackageTooLarge", /^code package is 65\d{3} bytes zipped, over the 65536 bytes limit$/),
  );
});

void test("a zip bomb is too large unzipped", async () => {
  const bomb = await yazlZip((zip) => zip.addBuffer(Buffer.alloc(8 * 1024 * 1024), "zeros.bin"));
  assert.ok(bomb.length < 16 * 1024, `the bomb itself is small (${bomb.length} bytes)`);
  await assert.rejects(
    inspectZip(bomb, SMALL),
    rejectsWith("CodePackageTooLarge", /^code package unzips to 8 MB, over the 1 MB limit$/),
  );
});

void test("an entry whose declared size understates its content is rejected while streaming", async () => {
  const liar = rawZip([
    { name: "zeros", data: Buffer.alloc(4 * 1024 * 1024), deflate: true, declaredSize: 10 },
  ]);
  await assert.rejects(inspectZip(liar, SMALL), (err) => {
    assert.ok(err instanceof VajraError);
    assert.ok(["InvalidCodePackage", "CodePackageTooLarge"].includes(err.code), err.message);
    return true;
  });
});

void test("unpacking re-checks the limits and leaves nothing behind on failure", async () => {
  await withTempDir(async (tmp) => {
    const store = new BlobStore(tmp);
    const bomb = await yazlZip((zip) => {
      zip.addBuffer(Buffer.from("ok"), "a.txt");
      zip.addBuffer(Buffer.alloc(4 * 1024 * 1024), "zeros.bin");
    });
    const { sha256 } = await store.put(bomb);
    await assert.rejects(store.ensureUnpacked(sha256, SMALL), rejectsWith("CodePackageTooLarge"));
    assert.deepEqual(await fs.readdir(path.join(tmp, "code")), []);

    const unsafe = await store.put(
      rawZip([
        { name: "ok.txt", data: "x" },
        { name: "../x", data: "x" },
      ]),
    );
    await assert.rejects(store.ensureUnpacked(unsafe.sha256), rejectsWith("InvalidCodePackage"));
    assert.deepEqual(await fs.readdir(path.join(tmp, "code")), []);
    await assert.rejects(fs.access(path.join(tmp, "x")));
  });
});

void test("concurrent unpacks of one digest share one extraction and leave one tree", async () => {
  await withTempDir(async (tmp) => {
    const files: RawEntry[] = [];
    for (let i = 0; i < 50; i++) files.push({ name: `dir${i % 5}/f${i}.txt`, data: `file ${i}` });
    const zip = rawZip(files);
    const store = new BlobStore(tmp);
    // A second store on the same data dir stands in for another process racing on the rename.
    const other = new BlobStore(tmp);
    const { sha256 } = await store.put(zip);
    const first = store.ensureUnpacked(sha256);
    assert.equal(store.ensureUnpacked(sha256), first, "same promise for the same digest");
    const dirs = await Promise.all([first, store.ensureUnpacked(sha256), other.ensureUnpacked(sha256)]);
    assert.ok(dirs.every((d) => d === store.codeDir(sha256)));
    assert.deepEqual(await fs.readdir(path.join(tmp, "code")), [sha256], "no temp dir left");
    assert.equal(await fs.readFile(path.join(store.codeDir(sha256), "dir3/f8.txt"), "utf8"), "file 8");
    assert.equal((await inspectZip(zip)).entries.length, 50);
  });
});

void test("gc removes unreferenced digests and leftover temp files", async () => {
  await withTempDir(async (tmp) => {
    const store = new BlobStore(tmp);
    const kept = await store.put(rawZip([{ name: "keep.js", data: "1" }]));
    const dropped = await store.put(rawZip([{ name: "drop.js", data: "2" }]));
    await store.ensureUnpacked(kept.sha256);
    await store.ensureUnpacked(dropped.sha256);
    // What a crash mid-put and mid-unpack leaves, plus a tree whose blob is already gone.
    await fs.writeFile(path.join(tmp, "blobs", `.tmp-${dropped.sha256}-abc`), "partial");
    await fs.mkdir(path.join(tmp, "code", `.tmp-${kept.sha256}-xyz`, "sub"), { recursive: true });
    const orphan = "f".repeat(64);
    await fs.mkdir(path.join(tmp, "code", orphan));

    assert.equal(await store.gc(new Set([kept.sha256])), 2);
    assert.deepEqual(await store.list(), [kept.sha256]);
    assert.deepEqual(await fs.readdir(path.join(tmp, "blobs")), [`${kept.sha256}.zip`]);
    assert.deepEqual(await fs.readdir(path.join(tmp, "code")), [kept.sha256]);
    assert.equal(await store.has(dropped.sha256), false);
    assert.equal(await fs.readFile(path.join(store.codeDir(kept.sha256), "keep.js"), "utf8"), "1");
    assert.equal(await store.gc(new Set([kept.sha256])), 0);
  });
});

void test("gc and list on an empty data dir find nothing", async () => {
  await withTempDir(async (tmp) => {
    const store = new BlobStore(path.join(tmp, "never-created"));
    assert.deepEqual(await store.list(), []);
    assert.equal(await store.gc(new Set()), 0);
  });
});

void test("a malformed digest is rejected before touching the disk", async () => {
  await withTempDir(async (tmp) => {
    const store = new BlobStore(tmp);
    assert.throws(() => store.codeDir("../../etc"), rejectsWith("InvalidParameter"));
    await assert.rejects(store.has("ABC"), rejectsWith("InvalidParameter"));
    await assert.rejects(store.ensureUnpacked("../x"), rejectsWith("InvalidParameter"));
    await assert.rejects(store.remove(""), rejectsWith("InvalidParameter"));
  });
});

void test("reading or unpacking a digest that was never stored is an internal error", async () => {
  await withTempDir(async (tmp) => {
    const store = new BlobStore(tmp);
    const absent = "0".repeat(64);
    await assert.rejects(store.read(absent), rejectsWith("Internal", /not in the blob store/));
    await assert.rejects(store.ensureUnpacked(absent), rejectsWith("Internal", /not in the blob store/));
    await store.remove(absent);
  });
});
