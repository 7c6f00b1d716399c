// Named networks (the VPC analogue): an operator defines what a network's functions may reach
// (`vajra network create backend --allow 10.20.0.0/16:5432 --allow db.internal:6379 --egress`), and a
// function joins one or more. Networks are host-wide (not per region). This catalog validates and
// stores them, resolves their host names (at once when it can, then every minute; a name that does not
// resolve is kept and shown as unresolved) and hands the executor's bridge the resolved rules, which
// it turns into nftables sets.

import { Resolver, promises as dnsPromises } from "node:dns";
import { VajraError, invalid } from "../core/errors.js";
import {
  formatNetworkSetting,
  networkNames,
  parseAllowList,
  parseCidr,
  parseNetworkSetting,
  validateNetworkName,
  type NetworkAllow,
  type NetworkDefinition,
} from "../core/networks.js";
import type { Store } from "../store/store.js";
import type { NetworkRules } from "../executor/network/egress.js";
import type { AllowedDestination } from "../executor/network/nft-rules.js";
import { hostResolvers } from "../executor/network/dns-forwarder.js";

/** How often host names are resolved again. */
const REFRESH_MS = 60_000;
/** One resolution's bound (a refresh asks at most MAX_HOST_NAMES names, a few at a time). */
const RESOLVE_TIMEOUT_MS = 3000;
const MAX_HOST_NAMES = 256;

export interface NetworkInput {
  name?: unknown;
  /** `TARGET:PORT` strings; replaces the list on update. */
  allow?: unknown;
  egress?: unknown;
}

/** A network as the API shows it: its rules, and what each host name currently resolves to. */
export interface NetworkView extends NetworkDefinition {
  /** Host name → its IPv4 addresses, or null while it does not resolve. */
  resolved: Record<string, string[] | null>;
}

/** Who pushes rules to the bridge (the executor's egress backend). */
export interface RulesSink {
  setNetworks(networks: ReadonlyMap<string, NetworkRules>): Promise<void>;
}

export class NetworkCatalog {
  private readonly networks = new Map<string, NetworkDefinition>();
  private readonly resolved = new Map<string, string[] | null>();
  private readonly timer: NodeJS.Timeout;
  private refreshing: Promise<void> | undefined;

  private constructor(
    private readonly store: Store,
    private readonly sink: RulesSink,
    private readonly onWarning: (message: string) => void,
  ) {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  static async open(store: Store, sink: RulesSink, onWarning: (m: string) => void): Promise<NetworkCatalog> {
    const c = new NetworkCatalog(store, sink, onWarning);
    for (const n of await store.listNetworks()) c.networks.set(n.name, n);
    await c.push();
    // Host names resolve in the background: a slow resolver does not hold up the start.
    void c.refresh();
    return c;
  }

  list(): NetworkView[] {
    return [...this.networks.values()].sort((a, b) => a.name.localeCompare(b.name)).map((n) => this.view(n));
  }

  get(name: string): NetworkView {
    return this.view(this.require(name));
  }

  async create(input: NetworkInput): Promise<NetworkView> {
    const name = validateNetworkName(input.name);
    const allow = parseAllowList(input.allow);
    const egress = input.egress === undefined ? false : validateEgress(input.egress);
    if (this.networks.has(name)) throw new VajraError("AlreadyExists", `network '${name}' already exists`);
    const now = new Date().toISOString();
    return this.save({ name, allow, egress, createdAt: now, lastModified: now });
  }

  async update(name: string, input: NetworkInput): Promise<NetworkView> {
    const old = this.require(name);
    const allow = input.allow === undefined ? old.allow : parseAllowList(input.allow);
    const egress = input.egress === undefined ? old.egress : validateEgress(input.egress);
    return this.save({ ...old, allow, egress, lastModified: new Date().toISOString() });
  }

  /** Refused (nothing changed) while `users` names anything that still joins it. */
  async delete(name: string, users: (network: string) => Promise<string[]>): Promise<void> {
    this.require(name);
    const using = await users(name);
    if (using.length > 0)
      throw new VajraError(
        "NetworkInUse",
        `network '${name}' is used by ${using.join(", ")}; move them to another network first`,
        { details: { functions: using } },
      );
    await this.store.deleteNetwork(name);
    this.networks.delete(name);
    await this.push();
  }

  /** A function's `network` value checked and normalised: `none`, `egress` or existing names. */
  check(value: unknown, field = "network"): string {
    const choice = parseNetworkSetting(value, field);
    if (choice.mode === "named") {
      const unknown = choice.names.filter((n) => !this.networks.has(n));
      if (unknown.length > 0) {
        const known = [...this.networks.keys()].sort().join(", ");
        throw invalid(
          `network must be one of none, egress or existing network names: ${unknown.map((n) => `'${n}'`).join(", ")} does not exist (known networks: ${known === "" ? "none yet; create one with `vajra network create`" : known})`,
          { field, networks: unknown },
        );
      }
    }
    return formatNetworkSetting(choice);
  }

  close(): void {
    clearInterval(this.timer);
  }

  private notFound(name: string): VajraError {
    const known = [...this.networks.keys()].sort();
    return new VajraError(
      "NetworkNotFound",
      `network '${name}' does not exist (known: ${known.length === 0 ? "none; create one with `vajra network create`" : known.join(", ")})`,
      { details: { network: name } },
    );
  }

  private require(name: string): NetworkDefinition {
    const n = this.networks.get(name);
    if (n === undefined) throw this.notFound(name);
    return n;
  }

  private async save(n: NetworkDefinition): Promise<NetworkView> {
    await this.store.putNetwork(n);
    this.networks.set(n.name, n);
    // New host names get one bounded try now, so `show` can say what they resolve to.
    await this.resolveAll(hostNames([n]).filter((h) => !this.resolved.has(h)));
    await this.push();
    return this.view(n);
  }

  private view(n: NetworkDefinition): NetworkView {
    const resolved: Record<string, string[] | null> = {};
    for (const h of hostNames([n])) resolved[h] = this.resolved.get(h) ?? null;
    return { ...n, resolved };
  }

  /** Resolves every host name again; the rules follow when an answer changed. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const before = JSON.stringify([...this.resolved]);
        const names = hostNames(this.networks.values());
        // Names no network lists any more are forgotten.
        for (const h of [...this.resolved.keys()]) if (!names.includes(h)) this.resolved.delete(h);
        await this.resolveAll(names);
        if (JSON.stringify([...this.resolved]) !== before) await this.push();
      } catch (err) {
        this.onWarning(`could not refresh the networks' host names: ${(err as Error).message}`);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async resolveAll(names: readonly string[]): Promise<void> {
    const todo = names.slice(0, MAX_HOST_NAMES);
    for (let i = 0; i < todo.length; i += 8) {
      const batch = todo.slice(i, i + 8);
      const answers = await Promise.all(batch.map((h) => resolve4(h)));
      batch.forEach((h, k) => this.resolved.set(h, answers[k] ?? null));
    }
  }

  /** The rules of every network, host names replaced by their addresses (unresolved ones by nothing). */
  private push(): Promise<void> {
    const rules = new Map<string, NetworkRules>();
    for (const n of this.networks.values())
      rules.set(n.name, { egress: n.egress, allow: n.allow.flatMap((a) => this.destinations(a)) });
    return this.sink.setNetworks(rules);
  }

  private destinations(a: NetworkAllow): AllowedDestination[] {
    const ports = { protocol: a.protocol, fromPort: a.fromPort, toPort: a.toPort };
    if (parseCidr(a.target.split("/")[0] ?? "") !== undefined) return [{ cidr: a.target, ...ports }];
    return (this.resolved.get(a.target) ?? []).map((ip) => ({ cidr: `${ip}/32`, ...ports }));
  }
}

function validateEgress(v: unknown): boolean {
  if (typeof v !== "boolean") throw invalid("egress must be true or false", { field: "egress" });
  return v;
}

function hostNames(networks: Iterable<NetworkDefinition>): string[] {
  const out = new Set<string>();
  for (const n of networks)
    for (const a of n.allow) if (parseCidr(a.target.split("/")[0] ?? "") === undefined) out.add(a.target);
  return [...out];
}

/**
 * A host name's IPv4 addresses, or undefined when it does not resolve (in time). With VAJRA_DNS_UPSTREAM
 * the forwarder's upstreams are asked (as instances' queries are); otherwise the host's own lookup.
 */
async function resolve4(host: string): Promise<string[] | undefined> {
  const upstream = process.env.VAJRA_DNS_UPSTREAM;
  const work = (async (): Promise<string[]> => {
    if (upstream !== undefined && upstream !== "") {
      const r = new Resolver({ timeout: RESOLVE_TIMEOUT_MS, tries: 1 });
      r.setServers(hostResolvers().map((u) => `${u.host}:${u.port}`));
      return new Promise((ok, fail) => r.resolve4(host, (err, a) => (err === null ? ok(a) : fail(err))));
    }
    return (await dnsPromises.lookup(host, { all: true, family: 4 })).map((a) => a.address);
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((ok) => {
    timer = setTimeout(() => ok(undefined), RESOLVE_TIMEOUT_MS);
  });
  try {
    const answer = await Promise.race([work.catch(() => undefined), timeout]);
    return answer === undefined || answer.length === 0 ? undefined : [...answer].sort();
  } finally {
    clearTimeout(timer);
  }
}

/** Every function (and published version) in any region whose network setting names `network`. */
export async function networkUsers(store: Store, network: string): Promise<string[]> {
  const out: string[] = [];
  for (const region of await store.listRegions()) {
    const s = store.inRegion(region);
    for (const fn of await s.listFunctions())
      if (networkNames(fn.network).includes(network)) out.push(`${region}/${fn.name}`);
    for (const v of await s.listAllVersions())
      if (networkNames(v.config.network).includes(network))
        out.push(`${region}/${v.functionName}:${v.version}`);
  }
  return out;
}
