import { describe, expect, it } from "vitest";
import { checkZip, MAX_ZIP_BYTES, toBase64 } from "./upload.ts";

describe("code upload", () => {
  it("refuses what is not a zip, an empty one and one over 50 MB", () => {
    expect(checkZip({ name: "code.zip", size: 10 })).toBeUndefined();
    expect(checkZip({ name: "code.tar.gz", size: 10 })).toMatch(/not a .zip file/);
    expect(checkZip({ name: "code.zip", size: 0 })).toMatch(/empty/);
    expect(checkZip({ name: "big.zip", size: MAX_ZIP_BYTES + 1 })).toMatch(/50.0 MB, over the 50 MB limit/);
  });

  it("encodes bytes as base64, also past one slice", () => {
    expect(toBase64(new TextEncoder().encode("hello"))).toBe("aGVsbG8=");
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    expect(toBase64(big)).toBe(Buffer.from(big).toString("base64"));
  });
});
