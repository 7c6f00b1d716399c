// Destinations: where Vajra sends the record of an asynchronous invocation (OnSuccess / OnFailure), a
// dead-letter message, or a mapping's on-failure record. On AWS these are ARNs of SQS, SNS, Lambda or
// EventBridge; Vajra's are a Lambda function ARN or a broker / webhook URI. This module parses and masks
// them (shared by the API, the engine and the store); delivering them is engine/destinations/.

import { invalid } from "./errors.js";
import { MASK, maskUri } from "./event-source-mapping.js";

export type DestinationKind = "function" | "nats" | "amqp" | "mqtt" | "redis" | "http";

/** A parsed destination. `uri` is the full text (with any password); `shown` masks the password. */
export interface Destination {
  kind: DestinationKind;
  uri: string;
  shown: string;
  /** kind "function": the function (in the destination's region) and its optional qualifier. */
  functionName?: string;
  qualifier?: string;
  region?: string;
  account?: string;
}

const FUNCTION_ARN =
  /^arn:aws[a-zA-Z0-9-]*:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]{1,128}))?$/;

export const DESTINATION_FORMS =
  "arn:aws:lambda:REGION:ACCOUNT:function:NAME, nats://host:4222?subject=S, amqp://user:pass@host:5672/vhost?exchange=E&routingKey=K (or ?queue=Q), mqtt://host:1883?topic=T, redis://host:6379?stream=S, or an http(s):// webhook URL";

/** Masks a destination's password (for every output and log). */
export function maskDestination(text: string): string {
  return maskUri(text);
}

/**
 * Parses a destination (`field` names the request member in errors, e.g. DestinationConfig.OnFailure).
 * Only the form is checked here; that a function destination exists is the engine's check.
 */
export function parseDestination(text: unknown, field: string): Destination {
  if (typeof text !== "string" || text === "")
    throw invalid(`${field}: a destination is required: ${DESTINATION_FORMS}`, { field });
  const shown = maskDestination(text);
  if (text.startsWith("arn:")) {
    const m = FUNCTION_ARN.exec(text);
    if (m === null)
      throw invalid(
        `${field}: ${JSON.stringify(shown)} is not a destination Vajra delivers to (SQS, SNS, EventBridge and S3 do not exist here); use ${DESTINATION_FORMS}`,
        { field },
      );
    const d: Destination = {
      kind: "function",
      uri: text,
      shown,
      region: m[1] ?? "",
      account: m[2] ?? "",
      functionName: m[3] ?? "",
    };
    if (m[4] !== undefined) d.qualifier = m[4];
    return d;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`${field}: ${JSON.stringify(shown)} is not a URI; use ${DESTINATION_FORMS}`, { field });
  }
  const scheme = url.protocol.replace(/:$/, "");
  const need = (param: string): void => {
    if ((url.searchParams.get(param) ?? "") === "")
      throw invalid(`${field}: a ${scheme}:// destination needs ?${param}=NAME (${JSON.stringify(shown)})`, {
        field,
      });
  };
  if (url.hostname === "") throw invalid(`${field}: ${JSON.stringify(shown)} has no host`, { field });
  switch (scheme) {
    case "nats":
      need("subject");
      return { kind: "nats", uri: text, shown };
    case "amqp":
      if (url.searchParams.get("queue") === null) need("exchange");
      return { kind: "amqp", uri: text, shown };
    case "mqtt":
      need("topic");
      if (/[#+]/.test(url.searchParams.get("topic") ?? ""))
        throw invalid(`${field}: an MQTT destination topic cannot hold the wildcards # or +`, { field });
      return { kind: "mqtt", uri: text, shown };
    case "redis":
      need("stream");
      return { kind: "redis", uri: text, shown };
    case "http":
    case "https":
      return { kind: "http", uri: text, shown };
    default:
      throw invalid(
        `${field}: unknown destination kind ${JSON.stringify(scheme)}; use ${DESTINATION_FORMS}`,
        { field },
      );
  }
}

/** One record waiting to be delivered to a destination (the outbox row). */
export interface PendingDelivery {
  id: string;
  /** The destination's full text (password included: the store keeps it, outputs mask it). */
  destination: string;
  /** The message (base64): an invocation record, a dead-letter payload or a mapping's on-failure record. */
  body: string;
  /** What made it: `OnSuccess`, `OnFailure`, `DeadLetter` or `mapping <uuid>` (for logs). */
  origin: string;
  functionName: string;
  attempts: number;
  createdAt: number;
  notBefore: number;
  lastError?: string;
}

export { MASK };
