// Where function URLs are served, for the addresses the APIs report: the public listener when one runs
// (`vajra server --public-port`), else this server. The host name is the one the caller used (as AWS
// answers with the domain it serves), unless the public listener is bound to one address of its own.

import type { FastifyRequest } from "fastify";

/** The public listener's address, filled in once it listens (empty while there is none). */
export interface PublicAddress {
  host?: string;
  port?: number;
}

/** Records a listening public listener's address (its URL as fastify reports it). */
export function setPublicAddress(pub: PublicAddress, url: string): void {
  const u = new URL(url);
  pub.port = Number(u.port);
  pub.host = u.hostname;
}

const ANY_ADDRESS = new Set(["0.0.0.0", "[::]", "::", ""]);

/** `http://host:port` of the listener that serves function URLs, as seen from this request. */
export function functionUrlBase(req: FastifyRequest, pub: PublicAddress): string {
  const requested = req.headers.host ?? "127.0.0.1:8700";
  if (pub.port === undefined) return `http://${requested}`;
  const host =
    pub.host !== undefined && !ANY_ADDRESS.has(pub.host) ? pub.host : new URL(`http://${requested}`).hostname;
  return `http://${host}:${pub.port}`;
}
