import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { bridgeRuleset, setElements } from "./nft-rules.js";

const tcp = (cidr: string, fromPort: number, toPort = fromPort) => ({
  cidr,
  protocol: "tcp" as const,
  fromPort,
  toPort,
});

test("set elements are disjoint: overlapping rules are cut and merged", () => {
  assert.deepEqual(setElements([tcp("10.1.2.3/32", 5432)]), ["10.1.2.3 . tcp . 5432"]);
  assert.deepEqual(setElements([tcp("10.0.0.0/8", 80), tcp("10.1.0.0/16", 80)]), [
    "10.0.0.0-10.255.255.255 . tcp . 80",
  ]);
  assert.deepEqual(setElements([tcp("10.0.0.0/8", 80), tcp("10.1.0.0/16", 81, 90)]), [
    "10.0.0.0-10.0.255.255 . tcp . 80",
    "10.1.0.0-10.1.255.255 . tcp . 80-90",
    "10.2.0.0-10.255.255.255 . tcp . 80",
  ]);
  assert.deepEqual(
    setElements([
      tcp("10.0.0.1/32", 53),
      { ...tcp("10.0.0.1/32", 53), protocol: "udp" },
      tcp("10.0.0.1/32", 53),
    ]),
    ["10.0.0.1 . tcp . 53", "10.0.0.1 . udp . 53"],
  );
  assert.deepEqual(setElements([tcp("10.0.0.1/32", 1), tcp("10.0.0.1/32", 3)]), [
    "10.0.0.1 . tcp . 1",
    "10.0.0.1 . tcp . 3",
  ]);
  assert.deepEqual(setElements([]), []);
});

test("the rule set with overlapping named-network rules is accepted by nft (checked, not loaded)", (t) => {
  if (process.getuid?.() !== 0 || !existsSync("/usr/sbin/nft"))
    return t.skip("needs root and nft (apt-get install -y nftables)");
  const text = bridgeRuleset({
    table: "vjcheck",
    bridge: "vjcheck",
    gateway: "10.219.0.1",
    prefix: "10.219",
    ownForwardingOnly: true,
    blocks: [
      {
        index: 0,
        allow: [tcp("10.0.0.0/8", 80), tcp("10.1.0.0/16", 80, 90), tcp("10.1.2.3/32", 70, 95)],
        egress: true,
      },
      { index: 1, allow: [], egress: false },
    ],
  });
  // `table …; delete table …` first: the text replaces a table; -c checks the transaction only.
  const r = spawnSync("/usr/sbin/nft", ["-c", "-f", "-"], { input: text, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});
