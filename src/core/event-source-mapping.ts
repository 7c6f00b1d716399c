// What an event source mapping is (a broker queue or stream wired to a function) and the source URIs
// that name its broker, shared by the store, the engine and the API. A URI's password never leaves
// this module unmasked except through `secret`, which the store keeps apart from the mapping's record.

import { invalid } from "./errors.js";

export type MappingKind = "amqp" | "nats" | "mqtt" | "redis" | "postgres";

/** A parsed source URI. `password` is the secret part; everything else may be shown. */
export interface SourceUri {
  kind: MappingKind;
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** RabbitMQ virtual host, or PostgreSQL database (default `/`: the server's default database). */
  vhost: string;
  /** The RabbitMQ queue, NATS JetStream stream, MQTT topic filter, Redis stream or PostgreSQL channel. */
  target: string;
  /** Redis only: the consumer group (default `vajra-<mapping uuid>`). */
  group?: string;
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

const DEFAULT_PORT: Record<MappingKind, number> = {
  amqp: 5672,
  nats: 4222,
  mqtt: 1883,
  redis: 6379,
  postgres: 5432,
};
const TARGET_PARAM: Record<MappingKind, string> = {
  amqp: "queue",
  nats: "stream",
  mqtt: "topic",
  redis: "stream",
  postgres: "channel",
};
const KINDS = Object.keys(DEFAULT_PORT) as MappingKind[];
const EXAMPLES =
  "amqp://user:pass@host:5672/vhost?queue=Q, nats://host:4222?stream=S, mqtt://host:1883?topic=a/%23, redis://host:6379?stream=S&group=G, postgres://user@host:5432/db?channel=C";
export const MASK = "****";

/**
 * Parses `amqp://user:pass@host:5672/vhost?queue=Q`, `nats://host:4222?stream=S`,
 * `mqtt://host:1883?topic=a/%23` or `redis://host:6379?stream=S&group=G` (field: EventSourceArn).
 */
export function parseSourceUri(text: string, field = "EventSourceArn"): SourceUri {
  if (text.startsWith("arn:"))
    throw invalid(
      `${field}: Vajra's event sources are broker URIs (${EXAMPLES}); the AWS source ${JSON.stringify(text)} is not one`,
    );
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`${field}: ${JSON.stringify(maskUri(text))} is not a URI such as one of ${EXAMPLES}`);
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (!(KINDS as string[]).includes(scheme))
    throw invalid(`${field}: unknown source kind ${JSON.stringify(scheme)} (supported: ${KINDS.join(", ")})`);
  const kind = scheme as MappingKind;
  const param = TARGET_PARAM[kind];
  const target = url.searchParams.get(param) ?? "";
  if (target === "") throw invalid(`${field}: a ${kind}:// source needs ?${param}=NAME`);
  if (kind === "nats" && !/^[A-Za-z0-9_-]{1,255}$/.test(target))
    throw invalid(`${field}: stream name ${JSON.stringify(target)} may hold only letters, digits, _ and -`);
  if (url.hostname === "") throw invalid(`${field}: the source URI needs a host`);
  const path = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (kind !== "amqp" && kind !== "postgres" && path !== "")
    throw invalid(`${field}: a ${kind}:// source has no path`);
  if (kind === "mqtt") checkTopicFilter(target, field);
  const group = url.searchParams.get("group");
  if (group !== null && kind !== "redis") throw invalid(`${field}: ?group= applies to redis:// sources only`);
  if (group === "") throw invalid(`${field}: ?group= needs a consumer group name`);
  const out: SourceUri = {
    kind,
    host: url.hostname,
    port: url.port === "" ? DEFAULT_PORT[kind] : Number(url.port),
    vhost: path === "" ? "/" : path,
    target,
  };
  if (group !== null) out.group = group;
  if (url.username !== "") out.username = decodeURIComponent(url.username);
  if (url.password !== "") out.password = decodeURIComponent(url.password);
  return out;
}

/** The URI as shown everywhere: the password replaced by ****. */
export function formatSourceUri(s: SourceUri, password?: string): string {
  // A password without a user (Redis's `redis://:pass@host`) is kept: shown masked, as any other.
  const user =
    s.username === undefined && s.password === undefined
      ? ""
      : `${encodeURIComponent(s.username ?? "")}${s.password === undefined ? "" : `:${password ?? MASK}`}@`;
  const host = s.host.includes(":") ? `[${s.host}]` : s.host;
  const path =
    s.kind === "amqp" || s.kind === "postgres"
      ? `/${s.vhost === "/" ? "" : encodeURIComponent(s.vhost)}`
      : "";
  const group = s.group === undefined ? "" : `&group=${encodeURIComponent(s.group)}`;
  return `${s.kind}://${user}${host}:${s.port}${path}?${TARGET_PARAM[s.kind]}=${encodeURIComponent(s.target)}${group}`;
}

/** An MQTT topic filter: `+` and `#` stand for whole levels, `#` only last (MQTT 3.1.1 §4.7.1). */
function checkTopicFilter(topic: string, field: string): void {
  const levels = topic.split("/");
  levels.forEach((level, i) => {
    if (level.includes("#") && (level !== "#" || i !== levels.length - 1))
      throw invalid(`${field}: topic ${JSON.stringify(topic)}: # must be the whole last level`);
    if (level.includes("+") && level !== "+")
      throw invalid(`${field}: topic ${JSON.stringify(topic)}: + must be a whole level`);
  });
}

/** Masks any `scheme://user:password@` in a text (error messages from clients may echo the URI). */
export function maskUri(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]*@/gi, `$1${MASK}@`);
}
