import { describe, expect, it } from "vitest";
import { unzipSync } from "fflate";
import {
  checkFolder,
  folderName,
  MAX_UNZIPPED_BYTES,
  packagePath,
  zipFiles,
  zipFolder,
} from "./zip-folder.ts";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The Unix mode of each entry, read from the zip's central directory (external attributes >> 16). */
function modes(zip: Uint8Array): Record<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const out: Record<string, number> = {};
  for (let i = 0; i + 46 <= zip.length; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    const nameLen = view.getUint16(i + 28, true);
    const name = new TextDecoder().decode(zip.subarray(i + 46, i + 46 + nameLen));
    out[name] = view.getUint32(i + 38, true) >>> 16;
  }
  return out;
}

describe("folder to zip", () => {
  it("ships the folder's contents, not the folder, and skips what the CLI skips", () => {
    expect(packagePath("hello/app.py")).toBe("app.py");
    expect(packagePath("hello/lib/util.py")).toBe("lib/util.py");
    expect(packagePath("hello/node_modules/x/index.js")).toBe("node_modules/x/index.js");
    expect(packagePath("hello/.git/config")).toBeUndefined();
    expect(packagePath("hello/lib/__pycache__/util.pyc")).toBeUndefined();
    expect(packagePath("app.py")).toBe("app.py");
    expect(folderName([{ path: "hello/app.py", size: 1 }])).toBe("hello");
  });

  it("refuses an empty folder and one over the unzipped limit before reading a file", () => {
    expect(checkFolder([])).toMatch(/no files/);
    expect(checkFolder([{ path: "f/.git/HEAD", size: 10 }])).toMatch(/no files/);
    expect(checkFolder([{ path: "f/app.py", size: 10 }])).toBeUndefined();
    expect(
      checkFolder([
        { path: "f/a.bin", size: MAX_UNZIPPED_BYTES },
        { path: "f/b.bin", size: 1 },
      ]),
    ).toMatch(/over the 250 MB limit/);
  });

  it("zips deterministically, sorted, with bootstrap executable", () => {
    const files = new Map([
      ["lib/b.py", text("b")],
      ["bootstrap", text("#!/bin/sh\n")],
      ["app.py", text("def handler(e, c):\n    return 1\n")],
    ]);
    const zip = zipFiles(files);
    expect(zipFiles(new Map([...files].reverse()))).toEqual(zip);
    const back = unzipSync(zip);
    expect(Object.keys(back)).toEqual(["app.py", "bootstrap", "lib/b.py"]);
    expect(new TextDecoder().decode(back["lib/b.py"])).toBe("b");
    const m = modes(zip);
    expect(m["bootstrap"]).toBe(0o100755);
    expect(m["app.py"]).toBe(0o100644);
  });

  it("reads File objects by their relative path", async () => {
    const f = new File(["print(1)"], "app.py");
    Object.defineProperty(f, "webkitRelativePath", { value: "proj/app.py" });
    const skipped = new File(["x"], "HEAD");
    Object.defineProperty(skipped, "webkitRelativePath", { value: "proj/.git/HEAD" });
    const back = unzipSync(await zipFolder([f, skipped]));
    expect(Object.keys(back)).toEqual(["app.py"]);
  });
});
