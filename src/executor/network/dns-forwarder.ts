// The resolver egress instances see (their resolv.conf names the bridge's address): a UDP forwarder to
// the host's own resolvers, so names resolve without letting instances reach the host's resolver (often
// on loopback or a private address) directly. Answers naming addresses an egress instance may not
// reach anyway (private, loopback, link-local) are passed on: the firewall refuses the connection.

import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";

export interface Upstream {
  host: string;
  port: number;
}

/** The host's resolvers from /etc/resolv.conf (IPv4 ones), or VAJRA_DNS_UPSTREAM (`host:port,…`). */
export function hostResolvers(): Upstream[] {
  const env = process.env.VAJRA_DNS_UPSTREAM;
  if (env !== undefined && env !== "") {
    return env.split(",").map((hp) => {
      const [host = "", port = "53"] = hp.trim().split(":");
      return { host, port: Number(port) };
    });
  }
  let text: string;
  try {
    text = readFileSync("/etc/resolv.conf", "utf8");
  } catch {
    return [];
  }
  const out: Upstream[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line);
    if (m !== null) out.push({ host: m[1] as string, port: 53 });
  }
  return out;
}

/** How long one upstream gets to answer before the next is asked. */
const UPSTREAM_TIMEOUT_MS = 2000;
/** Queries in flight at once; more are dropped (the client retries), so a flood cannot exhaust sockets. */
const MAX_IN_FLIGHT = 256;

export class DnsForwarder {
  private inFlight = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly upstreams: readonly Upstream[],
  ) {
    socket.on("message", (query, from) => void this.answer(query, from.address, from.port));
  }

  static listen(address: string, upstreams: readonly Upstream[]): Promise<DnsForwarder> {
    return new Promise((resolve, reject) => {
      const socket = createSocket("udp4");
      socket.once("error", reject);
      socket.bind(53, address, () => {
        socket.removeListener("error", reject);
        socket.on("error", () => {});
        resolve(new DnsForwarder(socket, upstreams));
      });
    });
  }

  private async answer(query: Buffer, address: string, port: number): Promise<void> {
    // A DNS header is 12 bytes; anything shorter, or a response, is not a query to forward.
    if (query.length < 12 || (query[2] as number) & 0x80 || this.inFlight >= MAX_IN_FLIGHT) return;
    this.inFlight++;
    try {
      for (const up of this.upstreams) {
        const reply = await ask(up, query);
        if (reply !== undefined) {
          this.socket.send(reply, port, address);
          return;
        }
      }
    } finally {
      this.inFlight--;
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** Sends one query to one upstream from a socket of its own; the reply, or undefined on timeout. */
function ask(up: Upstream, query: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    const done = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      s.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), UPSTREAM_TIMEOUT_MS);
    s.on("error", () => done(undefined));
    s.on("message", (reply, from) => {
      // Only the upstream asked, answering this query's id.
      if (from.address === up.host && reply.length >= 2 && reply.readUInt16BE(0) === query.readUInt16BE(0))
        done(reply);
    });
    s.send(query, up.port, up.host);
  });
}
