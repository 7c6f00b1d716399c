import { test } from "node:test";
import assert from "node:assert/strict";
import { noUserNamespaceFilter } from "./seccomp.js";

test("the seccomp filter is a whole number of BPF instructions and checks the architecture first", () => {
  const f = noUserNamespaceFilter("x64");
  assert.ok(f !== undefined);
  assert.equal(f.length % 8, 0);
  assert.equal(f.readUInt16LE(0), 0x20); // load seccomp_data.arch
  assert.equal(f.readUInt32LE(4), 4);
  assert.equal(f.readUInt32LE(12), 0xc000003e); // AUDIT_ARCH_X86_64
  // Every jump lands inside the program.
  for (let i = 0; i < f.length / 8; i++) {
    const code = f.readUInt16LE(i * 8);
    if ((code & 0x07) === 0x05) {
      assert.ok(i + 1 + f.readUInt8(i * 8 + 2) < f.length / 8);
      assert.ok(i + 1 + f.readUInt8(i * 8 + 3) < f.length / 8);
    }
  }
  assert.equal(noUserNamespaceFilter("mips"), undefined);
});
