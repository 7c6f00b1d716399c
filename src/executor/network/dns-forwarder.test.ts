import { test } from "node:test";
import assert from "node:assert/strict";
import { inRanges, reachableOnly } from "./dns-forwarder.js";

const blocked = inRanges(["10.0.0.0/8", "127.0.0.0/8", "192.168.0.0/16"]);

function name(n: string): Buffer {
  return Buffer.concat([
    ...n.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
}

/** A reply to one question for `qname`, with the given records (owner names compressed to the question). */
function reply(qname: string, qtype: number, records: Array<{ type: number; data: Buffer }>): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0x1234, 0);
  header.writeUInt16BE(0x8180, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const question = Buffer.concat([name(qname), Buffer.from([0, qtype, 0, 1])]);
  const rrs = records.map((r) => {
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    fixed.writeUInt16BE(r.type, 2);
    fixed.writeUInt16BE(1, 4);
    fixed.writeUInt32BE(60, 6);
    fixed.writeUInt16BE(r.data.length, 10);
    return Buffer.concat([fixed, r.data]);
  });
  return Buffer.concat([header, question, ...rrs]);
}

const a = (ip: string) => ({ type: 1, data: Buffer.from(ip.split(".").map(Number)) });

test("inRanges matches addresses inside the CIDRs only", () => {
  const ip = (s: string) => s.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  assert.equal(blocked(ip("10.1.2.3")), true);
  assert.equal(blocked(ip("192.168.255.255")), true);
  assert.equal(blocked(ip("11.0.0.0")), false);
  assert.equal(blocked(ip("198.18.7.1")), false);
});

test("an answer with reachable addresses only is passed on unchanged", () => {
  const r = reply("example.test", 1, [a("198.18.7.1"), a("198.18.7.2")]);
  assert.deepEqual(reachableOnly(r, blocked), r);
});

test("an answer naming a blocked address comes back empty, with its question and id", () => {
  const r = reply("internal.test", 1, [a("198.18.7.1"), a("10.0.0.5")]);
  const out = reachableOnly(r, blocked);
  assert.equal(out.readUInt16BE(0), 0x1234);
  assert.equal(out.readUInt16BE(2) & 0x000f, 0, "NOERROR");
  assert.deepEqual(
    [4, 6, 8, 10].map((o) => out.readUInt16BE(o)),
    [1, 0, 0, 0],
  );
  assert.deepEqual(out.subarray(12), r.subarray(12, 12 + name("internal.test").length + 4));
});

test("IPv6 answers come back empty (egress is IPv4 only)", () => {
  const r = reply("example.test", 28, [{ type: 28, data: Buffer.alloc(16, 1) }]);
  assert.equal(reachableOnly(r, blocked).readUInt16BE(6), 0);
});

test("a reply cut short is answered with SERVFAIL", () => {
  const r = reply("example.test", 1, [a("198.18.7.1")]);
  const out = reachableOnly(r.subarray(0, r.length - 2), blocked);
  assert.equal(out.readUInt16BE(2) & 0x000f, 2);
  assert.equal(out.readUInt16BE(6), 0);
});
