// Named networks (the VPC analogue): what an operator defines (`vajra network create backend --allow
// 10.20.0.0/16:5432 --egress`) and what a function's `network` setting names. Pure parsing and
// validation, shared by the engine (which stores and enforces) and the Lambda API (VpcConfig mapping).

import { createHash } from "node:crypto";
import { invalid } from "./errors.js";

/** One allowed destination: a CIDR (a single address is a /32) or a host name, and a port range. */
export interface NetworkAllow {
  /** `10.20.0.0/16`, `10.0.0.5/32` or a host name such as `db.internal`. */
  target: string;
  protocol: "tcp" | "udp";
  fromPort: number;
  toPort: number;
}

/** A network as stored (host-wide, not per region). */
export interface NetworkDefinition {
  name: string;
  allow: NetworkAllow[];
  /** Also allows what mode `egress` allows (public addresses, any port). */
  egress: boolean;
  createdAt: string;
  lastModified: string;
}

/**
 * Network names: lower-case letters and digits, starting with a letter (they become `subnet-NAME` and
 * `sg-NAME` on the Lambda API, whose patterns allow no more, and nftables chain names).
 */
export const NETWORK_NAME = /^[a-z][a-z0-9]{0,29}$/;
/** The modes a network may not be named after. */
const RESERVED = new Set(["none", "egress"]);
/** Networks one function may join. */
export const MAX_NETWORKS_PER_FUNCTION = 5;
/** Allow rules in one network. */
export const MAX_ALLOW_RULES = 64;

export function validateNetworkName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || !NETWORK_NAME.test(name) || RESERVED.has(name))
    throw invalid(
      `${field} ${JSON.stringify(name)} is not a network name: 1-30 lower-case letters and digits, starting with a letter, not 'none' or 'egress'`,
      { field },
    );
  return name;
}

/** A dotted IPv4 address as an unsigned 32-bit number, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255) || m.slice(1).some((o) => o.length > 1 && o.startsWith("0")))
    return undefined;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** `a.b.c.d/len` with no host bits set, or a bare address (→ /32); undefined when it is neither. */
export function parseCidr(text: string): { base: number; bits: number } | undefined {
  const [addr = "", len, ...rest] = text.split("/");
  if (rest.length > 0) return undefined;
  const base = parseIpv4(addr);
  if (base === undefined) return undefined;
  if (len === undefined) return { base, bits: 32 };
  if (!/^\d{1,2}$/.test(len) || Number(len) > 32) return undefined;
  const bits = Number(len);
  if (base % 2 ** (32 - bits) !== 0) return undefined;
  return { base, bits };
}

/** RFC 1123 host names: labels of letters, digits and hyphens, at least one dot or a single label. */
const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

export function isHostName(text: string): boolean {
  // All-digit dotted text is a (bad) address, never a name.
  return HOST_NAME.test(text) && !/^[\d.]+$/.test(text);
}

/**
 * One `--allow` value: `TARGET:PORTS` where TARGET is a CIDR, an IPv4 address or a host name and PORTS
 * is `5432`, `8000-8100`, or either prefixed by `udp/` (or `tcp/`, the default).
 */
export function parseAllow(text: unknown, field = "allow"): NetworkAllow {
  if (typeof text !== "string")
    throw invalid(`${field} must be a string such as 10.20.0.0/16:5432`, { field });
  const at = text.lastIndexOf(":");
  if (at <= 0)
    throw invalid(`${field} '${text}' must be TARGET:PORT (e.g. 10.20.0.0/16:5432 or db.internal:6379)`, {
      field,
    });
  const target = text.slice(0, at).toLowerCase();
  let ports = text.slice(at + 1);
  let protocol: "tcp" | "udp" = "tcp";
  const proto = /^(tcp|udp)\//i.exec(ports);
  if (proto !== null) {
    protocol = (proto[1] as string).toLowerCase() as "tcp" | "udp";
    ports = ports.slice(proto[0].length);
  }
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(ports);
  const fromPort = Number(m?.[1]);
  const toPort = m?.[2] === undefined ? fromPort : Number(m[2]);
  if (m === null || fromPort < 1 || toPort > 65535 || toPort < fromPort)
    throw invalid(
      `${field} '${text}': the port must be 1-65535 or a range such as 8000-8100 (optionally udp/53)`,
      { field },
    );
  let normalized: string;
  if (/^[\d./]+$/.test(target)) {
    const cidr = parseCidr(target);
    if (cidr === undefined)
      throw invalid(
        `${field} '${text}': '${target}' is not an IPv4 address or CIDR (a.b.c.d or a.b.c.d/len with no host bits set)`,
        { field },
      );
    normalized = `${formatIpv4(cidr.base)}/${cidr.bits}`;
  } else if (isHostName(target)) {
    normalized = target.replace(/\.$/, "");
  } else {
    throw invalid(`${field} '${text}': '${target}' is neither an IPv4 CIDR nor a host name`, { field });
  }
  return { target: normalized, protocol, fromPort, toPort };
}

/** The allow rule as `--allow` takes it, e.g. `10.20.0.0/16:5432` or `dns.internal:udp/53`. */
export function formatAllow(a: NetworkAllow): string {
  const ports = a.fromPort === a.toPort ? `${a.fromPort}` : `${a.fromPort}-${a.toPort}`;
  return `${a.target}:${a.protocol === "udp" ? "udp/" : ""}${ports}`;
}

export function parseAllowList(values: unknown, field = "allow"): NetworkAllow[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) throw invalid(`${field} must be a list of TARGET:PORT strings`, { field });
  if (values.length > MAX_ALLOW_RULES)
    throw invalid(`${field} has ${values.length} rules; at most ${MAX_ALLOW_RULES}`, { field });
  const out = values.map((v) => parseAllow(v, field));
  const seen = new Set<string>();
  return out.filter((a) => {
    const k = formatAllow(a);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/** A function's network setting: a mode, or the networks it joins (sorted, no duplicates). */
export type NetworkChoice = { mode: "none" } | { mode: "egress" } | { mode: "named"; names: string[] };

/** Reads `none`, `egress` or `a,b` (names only checked for syntax; the engine checks they exist). */
export function parseNetworkSetting(value: unknown, field = "network"): NetworkChoice {
  if (value === "none" || value === "egress") return { mode: value };
  if (typeof value !== "string" || value.trim() === "")
    throw invalid(`${field} must be none, egress or a comma-separated list of network names`, { field });
  const names = [...new Set(value.split(",").map((n) => n.trim()))].sort();
  for (const n of names) validateNetworkName(n, field);
  if (names.length > MAX_NETWORKS_PER_FUNCTION)
    throw invalid(
      `${field} names ${names.length} networks; a function joins at most ${MAX_NETWORKS_PER_FUNCTION}`,
      {
        field,
      },
    );
  return { mode: "named", names };
}

/** The stored form of a setting: `none`, `egress` or the sorted names joined by commas. */
export function formatNetworkSetting(choice: NetworkChoice): string {
  return choice.mode === "named" ? choice.names.join(",") : choice.mode;
}

/** The networks a stored setting names (empty for `none` and `egress`). */
export function networkNames(setting: string | undefined): string[] {
  if (setting === undefined || setting === "none" || setting === "egress") return [];
  return setting.split(",");
}

/** A stable VPC id for a set of networks, as GetFunction reports it: `vpc-` and 17 hex digits. */
export function vpcIdFor(names: readonly string[]): string {
  const digest = createHash("sha256")
    .update([...names].sort().join(","))
    .digest("hex");
  return `vpc-${digest.slice(0, 17)}`;
}
