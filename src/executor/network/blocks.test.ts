import { test } from "node:test";
import assert from "node:assert/strict";
import { AddressPool, dnsPolicy, type NetworkRules } from "./blocks.js";

const ip = (a: string): number => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);

test("DNS answers are withheld unless the asking instance's block may reach the address", () => {
  const withheld = dnsPolicy("10.213");
  const networks = new Map<string, NetworkRules>([
    [
      "db",
      { allow: [{ cidr: "192.168.5.0/24", protocol: "tcp", fromPort: 5432, toPort: 5432 }], egress: false },
    ],
    ["web", { allow: [], egress: true }],
  ]);
  const blocks = [
    { index: 0, names: ["db"] },
    { index: 1, names: ["web"] },
  ];
  const egress = "10.213.3.7";
  const db = "10.213.128.9";
  const web = "10.213.129.9";
  assert.equal(withheld(ip("198.18.0.5"), egress, blocks, networks), false);
  assert.equal(withheld(ip("192.168.5.1"), egress, blocks, networks), true);
  assert.equal(withheld(ip("192.168.5.1"), db, blocks, networks), false);
  assert.equal(withheld(ip("198.18.0.5"), db, blocks, networks), true, "db has no --egress");
  assert.equal(withheld(ip("198.18.0.5"), web, blocks, networks), false);
  assert.equal(withheld(ip("192.168.5.1"), web, blocks, networks), true);
  assert.equal(withheld(ip("127.0.0.1"), db, blocks, networks), true);
  assert.equal(withheld(ip("169.254.169.254"), web, blocks, networks), true);
  assert.equal(withheld(ip("10.213.128.10"), db, blocks, networks), true, "never another instance");
  assert.equal(withheld(ip("198.18.0.5"), "10.213.140.2", blocks, networks), true, "no such block");
});

test("addresses: egress in the lower half, each block in its /24, freed ones reused", () => {
  const pool = new AddressPool();
  const a = pool.allocate(-1, "10.213");
  assert.ok(a >= 2 && a < 128 * 256);
  assert.equal(pool.allocate(0, "10.213"), 128 * 256 + 2);
  assert.equal(pool.allocate(0, "10.213"), 128 * 256 + 3);
  assert.equal(pool.allocate(2, "10.213"), 130 * 256 + 2);
  pool.free(128 * 256 + 2);
  assert.equal(pool.allocate(0, "10.213"), 128 * 256 + 2);
  for (let i = 4; i < 255; i++) pool.allocate(0, "10.213");
  assert.throws(() => pool.allocate(0, "10.213"), /no free address in 10\.213\.128\.0\/24/);
});
