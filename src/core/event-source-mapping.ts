// What an event source mapping is (a broker queue or stream wired to a function) and the source URIs
// that name its broker, shared by the store, the engine and the API. A URI's password never leaves
// this module unmasked except through `secret`, which the store keeps apart from the mapping's record.

import { invalid } from "./errors.js";

export type MappingKind = "amqp" | "nats";

/** A parsed source URI. `password` is the secret part; everything else may be shown. */
export interface SourceUri {
  kind: MappingKind;
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** RabbitMQ virtual host (default `/`). */
  vhost: string;
  /** The RabbitMQ queue or the NATS JetStream stream. */
  target: string;
}

export type MappingState = "Creating" | "Enabled" | "Disabled";

export interface MappingRecord {
  uuid: string;
  functionName: string;
  qualifier?: string;
  /** The source URI with its password masked (what every output shows). */
  source: string;
  kind: MappingKind;
  enabled: boolean;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** -1: retry until it succeeds (Lambda's stream default). */
  maximumRetryAttempts: number;
  functionResponseTypes: string[];
  /** FilterCriteria patterns (JSON texts): a message matching none is acknowledged without invoking. */
  filters?: string[];
  /** NATS only: where a new durable consumer starts (default TRIM_HORIZON, the whole stream). */
  startingPosition?: "TRIM_HORIZON" | "LATEST";
  /**
   * DestinationConfig.OnFailure: where a record of messages given up goes (core/destination.ts). Kept
   * whole (a password included, as the store keeps it); every output masks it.
   */
  onFailure?: string;
  /** Split a failing batch in halves (repeatedly) to isolate the message that fails it. */
  bisectBatchOnFunctionError?: boolean;
  /** Messages older than this go to the on-failure destination without invoking (-1: no limit). */
  maximumRecordAgeInSeconds?: number;
  /** ScalingConfig.MaximumConcurrency: batches processed at once (absent: one, which keeps order). */
  maximumConcurrency?: number;
  lastModified: number;
}

/** A mapping as the store keeps it: the record, and apart from it its source's password. */
export interface StoredMapping {
  record: MappingRecord;
  secret?: string;
}

const DEFAULT_PORT: Record<MappingKind, number> = { amqp: 5672, nats: 4222 };
const TARGET_PARAM: Record<MappingKind, string> = { amqp: "queue", nats: "stream" };
export const MASK = "****";

/** Parses `amqp://user:pass@host:5672/vhost?queue=Q` or `nats://host:4222?stream=S` (field: EventSourceArn). */
export function parseSourceUri(text: string, field = "EventSourceArn"): SourceUri {
  if (text.startsWith("arn:"))
    throw invalid(
      `${field}: Vajra's event sources are broker URIs (amqp://user:pass@host:5672/vhost?queue=Q, nats://host:4222?stream=S); the AWS source ${JSON.stringify(text)} is not one`,
    );
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(
      `${field}: ${JSON.stringify(maskUri(text))} is not a URI such as amqp://user:pass@host:5672/vhost?queue=Q or nats://host:4222?stream=S`,
    );
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (scheme !== "amqp" && scheme !== "nats")
    throw invalid(`${field}: unknown source kind ${JSON.stringify(scheme)} (supported: amqp, nats)`);
  const kind: MappingKind = scheme;
  const param = TARGET_PARAM[kind];
  const target = url.searchParams.get(param) ?? "";
  if (target === "") throw invalid(`${field}: a ${kind}:// source needs ?${param}=NAME`);
  if (kind === "nats" && !/^[A-Za-z0-9_-]{1,255}$/.test(target))
    throw invalid(`${field}: stream name ${JSON.stringify(target)} may hold only letters, digits, _ and -`);
  if (url.hostname === "") throw invalid(`${field}: the source URI needs a host`);
  const path = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (kind === "nats" && path !== "") throw invalid(`${field}: a nats:// source has no path`);
  const out: SourceUri = {
    kind,
    host: url.hostname,
    port: url.port === "" ? DEFAULT_PORT[kind] : Number(url.port),
    vhost: path === "" ? "/" : path,
    target,
  };
  if (url.username !== "") out.username = decodeURIComponent(url.username);
  if (url.password !== "") out.password = decodeURIComponent(url.password);
  return out;
}

/** The URI as shown everywhere: the password replaced by ****. */
export function formatSourceUri(s: SourceUri, password?: string): string {
  const user =
    s.username === undefined
      ? ""
      : `${encodeURIComponent(s.username)}${s.password === undefined ? "" : `:${password ?? MASK}`}@`;
  const host = s.host.includes(":") ? `[${s.host}]` : s.host;
  const path = s.kind === "amqp" ? `/${s.vhost === "/" ? "" : encodeURIComponent(s.vhost)}` : "";
  return `${s.kind}://${user}${host}:${s.port}${path}?${TARGET_PARAM[s.kind]}=${encodeURIComponent(s.target)}`;
}

/** Masks any `scheme://user:password@` in a text (error messages from clients may echo the URI). */
export function maskUri(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]*@/gi, `$1${MASK}@`);
}
