import { test } from "node:test";
import assert from "node:assert/strict";
import { VajraError } from "./errors.js";
import {
  formatAllow,
  parseAllow,
  parseAllowList,
  parseCidr,
  parseNetworkSetting,
  validateNetworkName,
  vpcIdFor,
} from "./networks.js";

function rejects(fn: () => unknown, message: RegExp): void {
  assert.throws(
    fn,
    (err: unknown) =>
      err instanceof VajraError && err.code === "InvalidParameter" && message.test(err.message),
  );
}

test("network names are lower-case letters and digits, not a mode", () => {
  assert.equal(validateNetworkName("backend2"), "backend2");
  for (const bad of ["", "Backend", "2nets", "db-net", "none", "egress", "a".repeat(31), 5])
    rejects(() => validateNetworkName(bad), /not a network name/);
});

test("an allow rule is a CIDR, an address or a host name with a port or range", () => {
  assert.deepEqual(parseAllow("10.20.0.0/16:5432"), {
    target: "10.20.0.0/16",
    protocol: "tcp",
    fromPort: 5432,
    toPort: 5432,
  });
  assert.deepEqual(parseAllow("10.0.0.5:8000-8100"), {
    target: "10.0.0.5/32",
    protocol: "tcp",
    fromPort: 8000,
    toPort: 8100,
  });
  assert.deepEqual(parseAllow("DB.Internal:udp/53"), {
    target: "db.internal",
    protocol: "udp",
    fromPort: 53,
    toPort: 53,
  });
  assert.equal(formatAllow(parseAllow("10.0.0.5:tcp/1-2")), "10.0.0.5/32:1-2");
  assert.equal(formatAllow(parseAllow("dns.internal:udp/53")), "dns.internal:udp/53");
});

test("bad CIDRs, ports and names are refused naming the value", () => {
  rejects(() => parseAllow("10.20.0.0/33:80"), /not an IPv4 address or CIDR/);
  rejects(() => parseAllow("10.20.0.1/16:80"), /no host bits set/);
  rejects(() => parseAllow("300.1.1.1:80"), /not an IPv4 address or CIDR/);
  rejects(() => parseAllow("10.0.0.1:0"), /port must be 1-65535/);
  rejects(() => parseAllow("10.0.0.1:65536"), /port must be 1-65535/);
  rejects(() => parseAllow("10.0.0.1:90-80"), /port must be 1-65535/);
  rejects(() => parseAllow("10.0.0.1"), /must be TARGET:PORT/);
  rejects(() => parseAllow("bad_host!:80"), /neither an IPv4 CIDR nor a host name/);
  rejects(() => parseAllow("10.0.0.1:sctp/80"), /port must be/);
  rejects(() => parseAllowList("10.0.0.1:80"), /must be a list/);
});

test("duplicates in an allow list are dropped", () => {
  assert.equal(parseAllowList(["10.0.0.1:80", "10.0.0.1/32:80", "10.0.0.1:81"]).length, 2);
});

test("CIDRs parse to base and length", () => {
  assert.deepEqual(parseCidr("192.168.0.0/16"), { base: 0xc0a80000, bits: 16 });
  assert.deepEqual(parseCidr("1.2.3.4"), { base: 0x01020304, bits: 32 });
  assert.equal(parseCidr("01.2.3.4"), undefined);
  assert.equal(parseCidr("1.2.3.4/8/1"), undefined);
});

test("a function's network setting is a mode or sorted, unique network names", () => {
  assert.deepEqual(parseNetworkSetting("none"), { mode: "none" });
  assert.deepEqual(parseNetworkSetting("egress"), { mode: "egress" });
  assert.deepEqual(parseNetworkSetting("b, a,b"), { mode: "named", names: ["a", "b"] });
  rejects(() => parseNetworkSetting(""), /none, egress or a comma-separated list/);
  rejects(() => parseNetworkSetting("a,egress"), /not a network name/);
  rejects(() => parseNetworkSetting("a,b,c,d,e,f"), /at most 5/);
});

test("the VPC id is stable and independent of order", () => {
  assert.match(vpcIdFor(["a", "b"]), /^vpc-[0-9a-f]{17}$/);
  assert.equal(vpcIdFor(["b", "a"]), vpcIdFor(["a", "b"]));
  assert.notEqual(vpcIdFor(["a"]), vpcIdFor(["b"]));
});
