// The host-side tools of the egress bridge: the `ip` and `nft` commands, how they are run, what the
// host lacks to offer the mode, and the bridge's settings from the environment. Kept apart from
// egress.ts so the bridge's logic reads on its own.

import { spawn } from "node:child_process";
import { findExecutable } from "../toolchains.js";

export interface EgressOptions {
  /** Holds the instances' resolv.conf and what the host setup changed (to undo it). */
  dataDir: string;
  /** The bridge (default vajra0); its name also prefixes the namespaces and the nftables table. */
  bridge?: string;
  /** The bridge's /16, as its first two octets (default 10.213): the gateway is .0.1. */
  subnetPrefix?: string;
  /** Resolvers the DNS forwarder asks (default: the host's /etc/resolv.conf). */
  dnsUpstreams?: Array<{ host: string; port: number }>;
  onWarning?: (message: string) => void;
}

export const IP = findExecutable("ip") ?? "ip";
export const NFT = findExecutable("nft") ?? "nft";

/** The bridge and subnet from VAJRA_NET_BRIDGE / VAJRA_NET_SUBNET (two servers on one host need two). */
export function egressSettings(): Pick<EgressOptions, "bridge" | "subnetPrefix"> {
  const out: Pick<EgressOptions, "bridge" | "subnetPrefix"> = {};
  const bridge = process.env.VAJRA_NET_BRIDGE;
  const subnet = process.env.VAJRA_NET_SUBNET;
  if (bridge !== undefined && bridge !== "") {
    if (!/^[a-z][a-z0-9]{1,9}$/.test(bridge))
      throw new Error(`VAJRA_NET_BRIDGE '${bridge}' must be 2-10 lower-case letters and digits`);
    out.bridge = bridge;
  }
  if (subnet !== undefined && subnet !== "") {
    const m = /^(\d{1,3})\.(\d{1,3})$/.exec(subnet);
    if (m === null || Number(m[1]) > 255 || Number(m[2]) > 255)
      throw new Error(`VAJRA_NET_SUBNET '${subnet}' must be the first two octets of a /16, e.g. 10.213`);
    out.subnetPrefix = subnet;
  }
  return out;
}

export function run(cmd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.once("error", reject);
    // A command that exits without reading its input (a failed `ip netns del`) must not break the pipe.
    child.stdin.on("error", () => {});
    child.once("close", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(" ")} failed (${code}): ${err.trim() || out.trim()}`)),
    );
    child.stdin.end(input ?? "");
  });
}

/** What this host lacks for egress (root, iproute2, nftables), with its fix, or undefined. */
export function missingTools(): { reason: string; fix: string; aptPackages?: string[] } | undefined {
  if (process.getuid?.() !== 0)
    return {
      reason: "egress needs the server to run as root (veth pairs, nftables rules)",
      fix: "run `vajra server` as root (Vajra does not use a user-mode stack such as pasta; see docs/network.md)",
    };
  for (const [tool, pkg] of [
    ["ip", "iproute2"],
    ["nft", "nftables"],
  ] as const)
    if (findExecutable(tool) === undefined)
      return {
        reason: `egress needs ${tool} (${pkg})`,
        fix: `apt-get install -y ${pkg}`,
        aptPackages: [pkg],
      };
  return undefined;
}
