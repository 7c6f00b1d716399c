// The resolver egress instances see (their resolv.conf names the bridge's address): a UDP forwarder to
// the host's own resolvers, so names resolve without letting instances reach the host's resolver (often
// on loopback or a private address) directly. It answers only what the mode may reach: an answer that
// names a blocked address (private, loopback, link-local, the host's ranges) or an IPv6 address comes
// back empty, so a name never leads a function towards what the firewall refuses. For an instance on
// named networks, "may reach" is its networks' lists (the querying address tells which block it is in).

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
    private readonly blocked: (ipv4: number, client: string) => boolean,
  ) {
    socket.on("message", (query, from) => void this.answer(query, from.address, from.port));
  }

  static listen(
    address: string,
    upstreams: readonly Upstream[],
    blocked: (ipv4: number, client: string) => boolean,
  ): Promise<DnsForwarder> {
    return new Promise((resolve, reject) => {
      const socket = createSocket("udp4");
      socket.once("error", reject);
      socket.bind(53, address, () => {
        socket.removeListener("error", reject);
        socket.on("error", () => {});
        resolve(new DnsForwarder(socket, upstreams, blocked));
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
          // What the querying instance may reach depends on its network: its source address says which.
          this.socket.send(
            reachableOnly(reply, (ip) => this.blocked(ip, address)),
            port,
            address,
          );
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

/** A predicate over IPv4 addresses (as unsigned 32-bit numbers) for a list of CIDRs. */
export function inRanges(cidrs: readonly string[]): (ipv4: number) => boolean {
  const ranges = cidrs.map((c) => {
    const [addr = "", bits = "32"] = c.split("/");
    const base = addr.split(".").reduce((n, o) => n * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    return [base, base + size - 1] as const;
  });
  return (ip) => ranges.some(([lo, hi]) => ip >= lo && ip <= hi);
}

/** The offset just past the (possibly compressed) name at `at`, or -1 if the message is cut short. */
function skipName(m: Buffer, at: number): number {
  for (let i = at, hops = 0; i < m.length && hops < 128; hops++) {
    const len = m[i] as number;
    if (len === 0) return i + 1;
    if ((len & 0xc0) === 0xc0) return i + 2 <= m.length ? i + 2 : -1;
    i += 1 + len;
  }
  return -1;
}

/**
 * The reply as it is when every address it gives is reachable; otherwise the same question with no
 * records (NOERROR, nothing found), or SERVFAIL when the reply cannot be read.
 */
export function reachableOnly(reply: Buffer, blocked: (ipv4: number) => boolean): Buffer {
  const empty = (rcode: number): Buffer => {
    const out = Buffer.from(reply.subarray(0, questionsEnd > 12 ? questionsEnd : 12));
    out.writeUInt16BE((out.readUInt16BE(2) & 0xfff0) | rcode, 2);
    out.writeUInt16BE(questionsEnd > 12 ? reply.readUInt16BE(4) : 0, 4);
    out.fill(0, 6, 12);
    return out;
  };
  let questionsEnd = 0;
  if (reply.length < 12) return reply;
  let at = 12;
  for (let q = reply.readUInt16BE(4); q > 0; q--) {
    at = skipName(reply, at);
    if (at < 0 || at + 4 > reply.length) return empty(2);
    at += 4;
  }
  questionsEnd = at;
  const records = reply.readUInt16BE(6) + reply.readUInt16BE(8) + reply.readUInt16BE(10);
  for (let r = 0; r < records; r++) {
    at = skipName(reply, at);
    if (at < 0 || at + 10 > reply.length) return empty(2);
    const type = reply.readUInt16BE(at);
    const length = reply.readUInt16BE(at + 8);
    const data = at + 10;
    if (data + length > reply.length) return empty(2);
    if (type === 1 && length === 4 && blocked(reply.readUInt32BE(data))) return empty(0);
    if (type === 28) return empty(0);
    at = data + length;
  }
  return reply;
}
