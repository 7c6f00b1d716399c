// Test hosts for the network tests: each runs in a network namespace the test creates, joined to the
// host by a veth pair, serving HTTP on port 8080 and DNS on port 53 (test-host.py). Before any traffic,
// `ip route get` must show that the route to the host's address leads into that veth: no test sends a
// packet towards the machine's real uplink. Everything is removed by `remove()` (call it in a finally).

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const IP = existsSync("/usr/sbin/ip") ? "/usr/sbin/ip" : "ip";
const SCRIPT = join(import.meta.dirname, "test-host.py");

function ip(args: string[]): string {
  const r = spawnSync(IP, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout;
}

export interface TestHost {
  /** The host's address inside its namespace. */
  address: string;
  /** The host machine's own address on the veth (an address of the machine running Vajra). */
  peer: string;
  remove(): void;
}

/**
 * Creates namespace `name` with address `address`/24 (the machine gets .254 of the same /24), runs the
 * test host there with `records` (name → address) in its DNS, and waits until it answers.
 */
export async function createTestHost(
  name: string,
  address: string,
  records: Record<string, string> = {},
): Promise<TestHost> {
  const prefix = address.split(".").slice(0, 3).join(".");
  const peer = `${prefix}.254`;
  const veth = `vt${name.slice(-8)}`;
  let proc: ChildProcess | undefined;
  const remove = (): void => {
    if (proc !== undefined && proc.exitCode === null) proc.kill("SIGKILL");
    spawnSync(IP, ["netns", "del", name]);
    spawnSync(IP, ["link", "del", veth]);
  };
  try {
    ip(["netns", "add", name]);
    ip(["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", name]);
    ip(["addr", "add", `${peer}/24`, "dev", veth]);
    ip(["link", "set", veth, "up"]);
    ip(["-n", name, "addr", "add", `${address}/24`, "dev", "eth0"]);
    ip(["-n", name, "link", "set", "eth0", "up"]);
    ip(["-n", name, "link", "set", "lo", "up"]);
    // Replies go back to whoever asked (the machine, or Vajra's NAT, which is the machine too).
    ip(["-n", name, "route", "add", "default", "via", peer]);
    const route = ip(["-o", "route", "get", address]);
    if (!route.includes(`dev ${veth}`))
      throw new Error(`the route to ${address} does not lead into the test namespace: ${route.trim()}`);
    proc = spawn(
      IP,
      [
        "netns",
        "exec",
        name,
        "python3",
        SCRIPT,
        name,
        ...Object.entries(records).map(([k, v]) => `${k}=${v}`),
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const started = proc;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`test host ${name} did not start`)), 10_000);
      let err = "";
      started.stderr?.on("data", (c: Buffer) => (err += c.toString()));
      started.stdout?.on("data", (c: Buffer) => {
        if (c.toString().includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`test host ${name} exited (${code}): ${err}`));
      });
    });
    return { address, peer, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/** Why these tests cannot run here (they need root, iproute2, nftables and python3), or undefined. */
export function networkTestsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "network tests need root";
  for (const [tool, pkg] of [
    ["/usr/sbin/ip", "iproute2"],
    ["/usr/sbin/nft", "nftables"],
  ] as const)
    if (!existsSync(tool)) return `network tests need ${pkg}: apt-get install -y ${pkg}`;
  return undefined;
}

/** Network namespaces whose name starts with `prefix`. */
export function namespacesNamed(prefix: string): string[] {
  const out = spawnSync(IP, ["netns", "list"], { encoding: "utf8" }).stdout;
  return out
    .split("\n")
    .map((l) => l.split(" ")[0] ?? "")
    .filter((n) => n.startsWith(prefix));
}
