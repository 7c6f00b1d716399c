// Named-network blocks of the egress bridge, as pure logic: which address an instance gets (egress's in
// the bridge's lower /17, each set of networks' in a /24 of the upper half) and which DNS answers an
// instance may see (what its block may reach). egress.ts holds the state; this holds the rules.

import { inRanges } from "./dns-forwarder.js";
import { BLOCKED_IPV4, NEVER_IPV4, blockCidr, type AllowedDestination } from "./nft-rules.js";

/** What a named network lets its instances reach, its host names resolved. */
export interface NetworkRules {
  allow: readonly AllowedDestination[];
  egress: boolean;
}

/** A block as the DNS policy sees it: its index and the networks it serves. */
export interface BlockView {
  index: number;
  names: readonly string[];
}

/**
 * Whether a DNS answer naming `ip` must be withheld from the instance at `client`: egress instances see
 * public addresses only, a block's instances what its networks list (any port) and, with --egress,
 * public addresses; loopback, link-local, multicast and the bridge's own /16 never.
 */
export function dnsPolicy(
  prefix: string,
): (
  ip: number,
  client: string,
  blocks: readonly BlockView[],
  networks: ReadonlyMap<string, NetworkRules>,
) => boolean {
  const never = inRanges([...NEVER_IPV4, `${prefix}.0.0/16`]);
  const blockedForEgress = inRanges([...BLOCKED_IPV4, `${prefix}.0.0/16`]);
  return (ip, client, blocks, networks) => {
    if (never(ip)) return true;
    const third = Number(client.split(".")[2] ?? 0);
    if (third < 128) return blockedForEgress(ip);
    const block = blocks.find((k) => k.index === third - 128);
    if (block === undefined) return true;
    const rules = block.names.map((n) => networks.get(n));
    if (rules.some((r) => r?.allow.some((a) => inRanges([a.cidr])(ip)) === true)) return false;
    return !rules.some((r) => r?.egress === true) || blockedForEgress(ip);
  };
}

/** Host numbers in the bridge's /16 that are taken (by a live or not yet removed namespace). */
export class AddressPool {
  private readonly used = new Set<number>();
  private next = 0;

  free(n: number): void {
    this.used.delete(n);
  }

  /**
   * A free host number: egress's (block -1) are 2 … 32767 of the /16 (.0.1 is the gateway), numbers
   * reused last; a named block's .2 … .254 of its /24.
   */
  allocate(block: number, prefix: string): number {
    if (block >= 0) {
      const base = (128 + block) * 256;
      for (let h = 2; h < 255; h++)
        if (!this.used.has(base + h)) {
          this.used.add(base + h);
          return base + h;
        }
      throw new Error(`no free address in ${blockCidr(prefix, block)}`);
    }
    for (let i = 0; i < 32766; i++) {
      this.next = (this.next % 32766) + 1;
      const n = this.next + 1;
      if (n % 256 === 0 || n % 256 === 255) continue;
      if (!this.used.has(n)) {
        this.used.add(n);
        return n;
      }
    }
    throw new Error("no free address on the egress bridge");
  }
}
