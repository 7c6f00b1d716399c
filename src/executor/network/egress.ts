// Mode `egress`: each instance runs in a network namespace of its own, joined by a veth pair to a
// Vajra bridge; nftables rules, loaded once for the bridge, let it open connections to public addresses
// (masqueraded behind the host's) and nothing else: not the host (every address of it, every port —
// the admin API, PostgreSQL, Redis), not private or shared ranges, loopback, link-local or cloud
// metadata (169.254.0.0/16), not another instance (isolated bridge ports), never IPv6, and nothing can
// connect in. The only host service an instance reaches is the DNS forwarder on the bridge's address.
// Instances have no capabilities, so they cannot change their addresses, routes or rules.
//
// Named networks (the VPC analogue) share the bridge: instances of a function on networks {a,b} get an
// address from a /24 of their own for that set (the bridge's upper half), and the block's chain lets
// them reach exactly the networks' listed address:port pairs (plus egress's destinations when a network
// has --egress). Lists change with `setNetworks` (a network changed, a host name re-resolved): the
// whole table is replaced in one `nft -f`, never per instance or invocation.
//
// The host side is set up the first time an egress instance starts (nothing changes on a host whose
// functions stay `none`), and swept at start-up: namespaces, the bridge and the rules a killed server
// left are removed before anything else runs. Needs root, `ip` (iproute2) and `nft` (nftables).

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IP, NFT, missingTools, run, type EgressOptions } from "./host-tools.js";
import { DnsForwarder, hostResolvers } from "./dns-forwarder.js";
import type { NetworkAttachment, NetworkBackend } from "./network.js";
import { AddressPool, dnsPolicy, type NetworkRules } from "./blocks.js";
import { bridgeRuleset, type BlockRules } from "./nft-rules.js";
import { claimBridge, releaseBridge } from "./bridge-owner.js";

export { BLOCKED_IPV4 } from "./nft-rules.js";
export { egressSettings, type EgressOptions } from "./host-tools.js";
export type { NetworkRules } from "./blocks.js";

/** Distinct sets of networks with instances at once: one /24 each in the bridge's upper half. */
const MAX_BLOCKS = 127;
/** How long a named block without instances keeps its /24, rules and spares. */
const BLOCK_IDLE_MS = 60_000;

/** Namespaces kept ready for the next egress instances. */
const SPARES = 4;
const REFILL_DELAY_MS = 1000;
const REMOVE_DELAY_MS = 1000;

interface Prepared {
  n: number;
  ns: string;
  veth: string;
}

/** Instances of one set of networks (or of egress: key ""), with their spare namespaces. */
interface Block {
  key: string;
  names: readonly string[];
  /** -1 for egress (the lower /17), else the /24 `${prefix}.${128 + index}.0/24`. */
  index: number;
  spares: Prepared[];
  preparing: number;
  /** Instances using it (and starting); a named block with none for BLOCK_IDLE_MS is given up. */
  live: number;
  idleTimer?: NodeJS.Timeout;
}

export class EgressNetwork implements NetworkBackend {
  readonly mode = "egress" as const;
  readonly unavailable: string | undefined;
  private readonly bridge: string;
  private readonly prefix: string;
  private readonly gateway: string;
  private readonly table: string;
  /** Namespaces are named `${bridge}-N`, host-side veths `v${tag}N`: a sweep finds exactly ours. */
  private readonly tag: string;
  private readonly stateFile: string;
  private readonly resolvConf: string;
  private host: Promise<void> | undefined;
  private dns: DnsForwarder | undefined;
  private next = 0;
  private readonly addresses = new AddressPool();
  private readonly egressBlock: Block = { key: "", names: [], index: -1, spares: [], preparing: 0, live: 0 };
  /** Named-network blocks by their sorted names joined with commas. */
  private readonly blocks = new Map<string, Block>();
  private networks: ReadonlyMap<string, NetworkRules> = new Map();
  private ownForwardingOnly = false;
  /** Rule set reloads, one after the other. */
  private reloading: Promise<void> = Promise.resolve();
  private readonly removals: Prepared[] = [];
  private removalTimer: NodeJS.Timeout | undefined;
  private closing = false;
  /** Whether a DNS answer naming an address must be withheld from the instance asking. */
  private readonly withheld: ReturnType<typeof dnsPolicy>;

  constructor(private readonly opts: EgressOptions) {
    this.bridge = opts.bridge ?? "vajra0";
    this.prefix = opts.subnetPrefix ?? "10.213";
    this.gateway = `${this.prefix}.0.1`;
    this.table = this.bridge;
    this.withheld = dnsPolicy(this.prefix);
    this.tag = createHash("sha256").update(this.bridge).digest("hex").slice(0, 4);
    const dir = join(opts.dataDir, "network");
    this.stateFile = join(dir, `${this.bridge}.json`);
    this.resolvConf = join(dir, `${this.bridge}-resolv.conf`);
    const missing = EgressNetwork.missing();
    this.unavailable =
      missing === undefined ? claimBridge(this.bridge, opts.dataDir) : `${missing.reason}: ${missing.fix}`;
    if (this.unavailable === undefined) mkdirSync(dir, { recursive: true, mode: 0o755 });
  }

  /** What this host lacks for egress (root, iproute2, nftables), with its fix, or undefined. */
  static missing(): { reason: string; fix: string; aptPackages?: string[] } | undefined {
    return missingTools();
  }

  /**
   * Removes what a previous run with this bridge left (namespaces, the bridge, the rules) and turns IPv4
   * forwarding back off if that run turned it on. Called at start-up, before any instance runs.
   */
  async sweep(): Promise<void> {
    if (this.unavailable !== undefined) return;
    for (const n of await this.namespaces()) await run(IP, ["netns", "del", n]).catch(() => undefined);
    // A namespace outlives its name while the kernel cleans it up, and its veth with it: delete the
    // host ends now, so a new instance never finds its interface name taken.
    const links = await run(IP, ["-j", "link", "show"]).catch(() => "[]");
    const veths = (JSON.parse(links.trim() === "" ? "[]" : links) as Array<{ ifname: string }>)
      .map((l) => l.ifname)
      .filter((n) => n.startsWith(`v${this.tag}`));
    for (const v of veths) await run(IP, ["link", "del", v]).catch(() => undefined);
    await this.teardownHost();
  }

  /** This bridge's namespaces that exist now. */
  private async namespaces(): Promise<string[]> {
    const list = await run(IP, ["-j", "netns", "list"]).catch(() => "[]");
    return (JSON.parse(list.trim() === "" ? "[]" : list) as Array<{ name: string }>)
      .map((n) => n.name)
      .filter((n) => n.startsWith(`${this.bridge}-`));
  }

  private async teardownHost(): Promise<void> {
    await run(NFT, ["delete", "table", "inet", this.table]).catch(() => undefined);
    await run(IP, ["link", "del", this.bridge]).catch(() => undefined);
    if (existsSync(this.stateFile)) {
      const state = JSON.parse(readFileSync(this.stateFile, "utf8")) as { enabledForwarding?: boolean };
      if (state.enabledForwarding === true) writeFileSync("/proc/sys/net/ipv4/ip_forward", "0\n");
      rmSync(this.stateFile, { force: true });
    }
  }

  private setupHost(): Promise<void> {
    this.host ??= (async () => {
      const forwarding = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim() === "1";
      // Record first, so a crash right after still lets the next start undo it.
      writeFileSync(this.stateFile, JSON.stringify({ enabledForwarding: !forwarding }));
      await run(IP, ["link", "add", this.bridge, "type", "bridge"]).catch((err: Error) => {
        if (!/exists/i.test(err.message)) throw err;
      });
      // A bridge takes the lowest MAC address of its ports unless it has one of its own: without this,
      // every port added or removed could change the gateway's MAC under the instances' ARP caches, and
      // their traffic would go nowhere until the entries expire.
      await run(IP, ["link", "set", this.bridge, "address", this.bridgeMac()]);
      await run(IP, ["addr", "replace", `${this.gateway}/16`, "dev", this.bridge]);
      await run(IP, ["link", "set", this.bridge, "up"]);
      const route = await run(IP, ["-o", "route", "get", `${this.prefix}.255.254`]);
      if (!route.includes(`dev ${this.bridge}`))
        throw new Error(`${this.prefix}.0.0/16 is routed elsewhere on this host (${route.trim()})`);
      this.ownForwardingOnly = !forwarding;
      await run(NFT, ["-f", "-"], this.rules());
      if (!forwarding) writeFileSync("/proc/sys/net/ipv4/ip_forward", "1\n");
      this.dns = await DnsForwarder.listen(
        this.gateway,
        this.opts.dnsUpstreams ?? hostResolvers(),
        // What an instance may see depends on its block (its source address says which).
        (ip, client) => this.withheld(ip, client, [...this.blocks.values()], this.networks),
      );
      writeFileSync(this.resolvConf, `nameserver ${this.gateway}\noptions timeout:2 attempts:2\n`, {
        mode: 0o644,
      });
    })();
    this.host.catch(() => {
      this.host = undefined;
    });
    return this.host;
  }

  /** A fixed, locally administered unicast MAC address named after the bridge. */
  private bridgeMac(): string {
    const h = createHash("sha256").update(`mac:${this.bridge}`).digest();
    return ["02", ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, "0"))].join(":");
  }

  /** The bridge's whole rule set, replaced atomically. */
  private rules(closed = false): string {
    const blocks: BlockRules[] = [...this.blocks.values()].map((k) => {
      const rules = closed ? [] : k.names.map((n) => this.networks.get(n));
      return {
        index: k.index,
        allow: rules.flatMap((r) => r?.allow ?? []),
        egress: rules.some((r) => r?.egress === true),
      };
    });
    return bridgeRuleset({
      table: this.table,
      bridge: this.bridge,
      gateway: this.gateway,
      prefix: this.prefix,
      ownForwardingOnly: this.ownForwardingOnly,
      blocks,
    });
  }

  /** Loads the rule set again (serialized), once the host is set up; a failure is reported, not thrown. */
  private reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      if (this.host === undefined || this.closing) return;
      await this.host.catch(() => undefined);
      try {
        await run(NFT, ["-f", "-"], this.rules());
      } catch (err) {
        // The old lists may allow more than the new ones: rather nothing for named blocks than that.
        await run(NFT, ["-f", "-"], this.rules(true)).catch(() => undefined);
        throw err;
      }
    });
    const done = this.reloading;
    this.reloading = done.catch((err: Error) => {
      this.opts.onWarning?.(`could not update the network rules: ${err.message}`);
    });
    return done;
  }

  /**
   * The named networks' rules (host names resolved), replacing the previous ones: blocks already made
   * follow at once, in one `nft -f`. A network missing here reaches nothing.
   */
  setNetworks(networks: ReadonlyMap<string, NetworkRules>): Promise<void> {
    this.networks = new Map(networks);
    return this.reload().catch(() => undefined);
  }

  /** The block for a set of networks (egress's for none), made (with its rules loaded) on first use. */
  private async blockFor(names: readonly string[]): Promise<Block> {
    if (names.length === 0) return this.egressBlock;
    const key = [...names].sort().join(",");
    const known = this.blocks.get(key);
    if (known !== undefined) return known;
    const missing = names.filter((n) => !this.networks.has(n));
    if (missing.length > 0) throw new Error(`network ${missing.join(", ")} does not exist`);
    const taken = new Set([...this.blocks.values()].map((k) => k.index));
    let index = 0;
    while (taken.has(index)) index++;
    if (index >= MAX_BLOCKS)
      throw new Error(`more than ${MAX_BLOCKS} distinct sets of networks are in use on ${this.bridge}`);
    const block: Block = { key, names: [...names].sort(), index, spares: [], preparing: 0, live: 0 };
    this.blocks.set(key, block);
    // Its chain exists before any of its instances does (until then its addresses reach nothing).
    await this.reload();
    return block;
  }

  /** An instance's attachment: egress's, or (with `networks`) that set of named networks'. */
  async attach(networks: readonly string[] = []): Promise<NetworkAttachment> {
    if (this.unavailable !== undefined) throw new Error(this.unavailable);
    await this.setupHost();
    const block = await this.blockFor(networks);
    block.live++;
    clearTimeout(block.idleTimer);
    let p: Prepared;
    try {
      // A namespace made ahead of demand keeps its setup (three `ip` runs) off the cold start.
      p = block.spares.pop() ?? (await this.prepare(block));
    } catch (err) {
      this.unuse(block);
      throw err;
    }
    // Refilled a moment later: the `ip` runs would otherwise compete with this cold start for the CPU.
    // (At once when none is left: a burst is under way.) Only blocks in use get spares.
    setTimeout(() => this.refill(block), block.spares.length === 0 ? 0 : REFILL_DELAY_MS).unref();
    let released = false;
    return {
      netnsPath: `/run/netns/${p.ns}`,
      resolvConf: this.resolvConf,
      release: () => {
        if (released) return;
        released = true;
        this.remove(p);
        this.unuse(block);
      },
    };
  }

  /** One instance fewer in the block; a named block left without any is given up a while later. */
  private unuse(block: Block): void {
    block.live--;
    if (block.index < 0 || block.live > 0) return;
    clearTimeout(block.idleTimer);
    block.idleTimer = setTimeout(() => this.retire(block), BLOCK_IDLE_MS);
    block.idleTimer.unref();
  }

  /** Frees an idle named block: its spares, its /24 and its chain. */
  private retire(block: Block): void {
    if (block.live > 0 || this.closing || this.blocks.get(block.key) !== block) return;
    this.blocks.delete(block.key);
    for (const p of block.spares.splice(0)) this.remove(p);
    this.reload().catch(() => undefined);
  }

  /** A block still in use (egress's always is). */
  private current(block: Block): boolean {
    return block.index < 0 || this.blocks.get(block.key) === block;
  }

  /** Keeps SPARES namespaces ready (a stopped or closing network makes no more). */
  private refill(block: Block): void {
    while (!this.closing && this.current(block) && block.spares.length + block.preparing < SPARES) {
      block.preparing++;
      this.prepare(block).then(
        (p) => {
          block.preparing--;
          if (this.closing || !this.current(block)) this.remove(p);
          else block.spares.push(p);
        },
        (err: Error) => {
          block.preparing--;
          this.opts.onWarning?.(`could not prepare a network namespace: ${err.message}`);
        },
      );
    }
  }

  /** A namespace with its veth on the bridge, its address, loopback and default route. */
  private async prepare(block: Block): Promise<Prepared> {
    const n = this.addresses.allocate(block.index, this.prefix);
    const p = { n, ns: `${this.bridge}-${n.toString(36)}`, veth: `v${this.tag}${n.toString(36)}` };
    const addr = `${this.prefix}.${Math.floor(n / 256)}.${n % 256}`;
    try {
      await run(IP, ["netns", "add", p.ns]);
      await run(
        IP,
        ["-batch", "-"],
        [
          `link add ${p.veth} type veth peer name eth0 netns ${p.ns}`,
          `link set ${p.veth} master ${this.bridge}`,
          // Isolated bridge ports never exchange frames: instances cannot reach each other.
          `link set dev ${p.veth} type bridge_slave isolated on`,
          `link set ${p.veth} up`,
          "",
        ].join("\n"),
      );
      await run(
        IP,
        ["-n", p.ns, "-batch", "-"],
        [
          `addr add ${addr}/16 dev eth0`,
          "link set lo up",
          "link set eth0 up",
          `route add default via ${this.gateway}`,
          "",
        ].join("\n"),
      );
      return p;
    } catch (err) {
      this.remove(p);
      throw err;
    }
  }

  /**
   * Deletes namespaces a moment later, together in one `ip -batch` (the host end of each veth first,
   * which deletes the pair at once; a namespace's own cleanup is deferred by the kernel): a removal
   * would otherwise compete with the cold start that often follows it. Addresses and interface names
   * are free again once that is done.
   */
  private remove(p: Prepared): void {
    this.removals.push(p);
    this.removalTimer ??= setTimeout(() => void this.flushRemovals(), REMOVE_DELAY_MS);
  }

  private flushRemovals(): Promise<void> {
    clearTimeout(this.removalTimer);
    this.removalTimer = undefined;
    const batch = this.removals.splice(0);
    if (batch.length === 0) return Promise.resolve();
    const lines = [...batch.map((p) => `link del ${p.veth}`), ...batch.map((p) => `netns del ${p.ns}`), ""];
    // -force: a line that fails (an interface already gone) does not stop the rest.
    return run(IP, ["-force", "-batch", "-"], lines.join("\n")).then(
      () => {
        for (const p of batch) this.addresses.free(p.n);
      },
      async (err: Error) => {
        // Whatever was removed is free; what is left is swept at the next start.
        const left = new Set(await this.namespaces());
        for (const p of batch) if (!left.has(p.ns)) this.addresses.free(p.n);
        if (batch.some((p) => left.has(p.ns)))
          this.opts.onWarning?.(`could not remove network namespaces: ${err.message}`);
      },
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const b of [this.egressBlock, ...this.blocks.values()]) {
      clearTimeout(b.idleTimer);
      for (const p of b.spares.splice(0)) this.remove(p);
    }
    await this.flushRemovals();
    await this.host?.catch(() => undefined);
    this.dns?.close();
    await this.sweep();
    releaseBridge(this.bridge);
  }
}
