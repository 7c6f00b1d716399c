// The nftables rule set of one Vajra bridge, as text for `nft -f` (which replaces the whole table in one
// transaction, so no instance ever sees a half-written set of rules). Egress instances and each block of
// named-network instances (one /24 per distinct set of networks) get their own verdicts; everything not
// listed is dropped, and the host, loopback and link-local are dropped before any list is looked at.

/** Destinations an egress instance may never reach (IPv4; IPv6 is refused as a whole). */
export const BLOCKED_IPV4 = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "224.0.0.0/3",
];

/** Destinations no instance ever reaches, whatever a network lists (the host's own are `fib` local). */
export const NEVER_IPV4 = ["0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3"];

/** One allowed destination with its address resolved: a CIDR, a protocol and a port range. */
export interface AllowedDestination {
  cidr: string;
  protocol: "tcp" | "udp";
  fromPort: number;
  toPort: number;
}

/** What one block of named-network instances may reach. */
export interface BlockRules {
  /** 0-126: the block is `${prefix}.${128 + index}.0/24`. */
  index: number;
  allow: readonly AllowedDestination[];
  /** Also what egress reaches. */
  egress: boolean;
}

export interface RulesetInput {
  table: string;
  bridge: string;
  gateway: string;
  /** The bridge's /16 as its first two octets. */
  prefix: string;
  /** Forwarding was off before Vajra turned it on: forward nothing that is not ours. */
  ownForwardingOnly: boolean;
  blocks: readonly BlockRules[];
}

/** Block `index`'s /24 inside the bridge's /16: the upper half (the lower half is egress's). */
export function blockCidr(prefix: string, index: number): string {
  return `${prefix}.${128 + index}.0/24`;
}

function ipv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

function range(lo: number, hi: number, format: (n: number) => string): string {
  return lo === hi ? format(lo) : `${format(lo)}-${format(hi)}`;
}

/** Sorted, merged intervals (touching ones joined). */
function union(intervals: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of [...intervals].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/**
 * The set's elements: the kernel refuses elements of an interval set that overlap (two networks
 * listing 10.0.0.0/8:80 and 10.1.0.0/16:80, say), so the rules are cut into disjoint address ranges,
 * each with the merged port ranges of every rule covering it; neighbours with the same ports are joined.
 */
export function setElements(allow: readonly AllowedDestination[]): string[] {
  const out: string[] = [];
  for (const protocol of ["tcp", "udp"] as const) {
    const rules = allow
      .filter((a) => a.protocol === protocol)
      .map((a) => {
        const [addr = "", bits = "32"] = a.cidr.split("/");
        const base = addr.split(".").reduce((n, o) => n * 256 + Number(o), 0);
        return {
          lo: base,
          hi: base + 2 ** (32 - Number(bits)) - 1,
          ports: [a.fromPort, a.toPort] as [number, number],
        };
      });
    const cuts = [...new Set(rules.flatMap((r) => [r.lo, r.hi + 1]))].sort((a, b) => a - b);
    let run: { lo: number; hi: number; ports: string } | undefined;
    const flush = (): void => {
      if (run === undefined || run.ports === "") return;
      for (const p of run.ports.split(",")) out.push(`${range(run.lo, run.hi, ipv4)} . ${protocol} . ${p}`);
    };
    for (let i = 0; i + 1 < cuts.length; i++) {
      const lo = cuts[i] as number;
      const hi = (cuts[i + 1] as number) - 1;
      const ports = union(rules.filter((r) => r.lo <= lo && lo <= r.hi).map((r) => r.ports))
        .map(([a, b]) => range(a, b, String))
        .join(",");
      if (run !== undefined && run.ports === ports && run.hi + 1 === lo) run.hi = hi;
      else {
        flush();
        run = { lo, hi, ports };
      }
    }
    flush();
  }
  return out;
}

/** The bridge's whole rule set. */
export function bridgeRuleset(r: RulesetInput): string {
  const b = `"${r.bridge}"`;
  const blockSets = r.blocks.flatMap((k) => {
    const elements = setElements(k.allow);
    return [
      `  set allow${k.index} { type ipv4_addr . inet_proto . inet_service; flags interval;` +
        (elements.length === 0 ? " }" : ` elements = { ${elements.join(", ")} } }`),
      `  chain block${k.index} {`,
      `    ip daddr . meta l4proto . th dport @allow${k.index} accept`,
      ...(k.egress ? ["    ip daddr @blocked4 drop", "    accept"] : []),
      "    drop",
      "  }",
    ];
  });
  return [
    `table inet ${r.table}`,
    `delete table inet ${r.table}`,
    `table inet ${r.table} {`,
    `  set blocked4 { type ipv4_addr; flags interval; elements = { ${BLOCKED_IPV4.join(", ")} } }`,
    `  set never4 { type ipv4_addr; flags interval; elements = { ${NEVER_IPV4.join(", ")} } }`,
    ...blockSets,
    "  chain input {",
    "    type filter hook input priority -10; policy accept;",
    // The DNS forwarder is the one host service an instance reaches; every other address and port
    // of the host (including 127.0.0.1 services bound to all addresses) is dropped.
    `    iifname ${b} ip daddr ${r.gateway} udp dport 53 accept`,
    `    iifname ${b} drop`,
    "  }",
    "  chain forward {",
    "    type filter hook forward priority -10; policy accept;",
    `    iifname ${b} oifname ${b} drop`,
    `    iifname ${b} meta nfproto ipv6 drop`,
    `    iifname ${b} fib daddr type { local, broadcast, multicast } drop`,
    `    iifname ${b} ip daddr @never4 drop`,
    // Named-network instances: their block's list (and egress's rules when the network has --egress);
    // an address of the named half with no block (yet) reaches nothing.
    ...r.blocks.map((k) => `    iifname ${b} ip saddr ${blockCidr(r.prefix, k.index)} jump block${k.index}`),
    `    iifname ${b} ip saddr ${r.prefix}.128.0/17 drop`,
    `    iifname ${b} ip daddr @blocked4 drop`,
    `    iifname ${b} accept`,
    `    oifname ${b} ct state established,related accept`,
    `    oifname ${b} drop`,
    // Forwarding was off before Vajra: the host forwards bridged traffic (its instances', or another
    // Vajra server's) and still routes nothing between its other interfaces.
    ...(r.ownForwardingOnly ? ['    meta iifkind != "bridge" meta oifkind != "bridge" drop'] : []),
    "  }",
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    ip saddr ${r.prefix}.0.0/16 oifname != ${b} masquerade`,
    "  }",
    "}",
    "",
  ].join("\n");
}
