// The messages Vajra sends to destinations, in AWS's shapes: the invocation record of an asynchronous
// invocation ("Capturing records of Lambda asynchronous invocations": version 1.0, requestContext with
// condition and approximateInvokeCount, requestPayload, responseContext, responsePayload), and an event
// source mapping's on-failure record (requestContext, responseContext, and the batch's description, as
// AWS sends for stream sources; Vajra adds the failed messages' event as `payload`, since a broker
// message cannot be read again by position the way a stream record can).

/** Why a record is sent. Async: Success / RetriesExhausted / EventAgeExceeded; mappings: the last two AWS names. */
export type RecordCondition =
  "Success" | "RetriesExhausted" | "EventAgeExceeded" | "RetryAttemptsExhausted" | "RecordAgeExceeded";

export interface FunctionResponse {
  ok: boolean;
  body: Buffer;
  /** The version that ran ($LATEST or a number). */
  version: string;
}

/** A payload as it appears in a record: its JSON value, or the text when it is not JSON. */
export function payloadValue(bytes: Buffer): unknown {
  const text = bytes.toString("utf8");
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function responseContext(r: FunctionResponse): Record<string, unknown> {
  // Lambda reports a function's error as Unhandled (an exception) and still answers 200.
  return { statusCode: 200, executedVersion: r.version, ...(r.ok ? {} : { functionError: "Unhandled" }) };
}

/** What every destination record starts with: its version, time and request context. */
function recordHead(input: {
  requestId: string;
  functionArn: string;
  condition: RecordCondition;
  approximateInvokeCount: number;
  now?: Date;
}): Record<string, unknown> {
  return {
    version: "1.0",
    timestamp: (input.now ?? new Date()).toISOString(),
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
  };
}
export function invocationRecord(input: {
  requestId: string;
  /** The qualified ARN (…:function:NAME:$LATEST or :VERSION / :ALIAS). */
  functionArn: string;
  condition: RecordCondition;
  approximateInvokeCount: number;
  requestPayload: Buffer;
  response?: FunctionResponse;
  now?: Date;
}): Record<string, unknown> {
  const out = recordHead(input);
  out.requestPayload = payloadValue(input.requestPayload);
  // An event that aged out before any attempt has no response to report.
  if (input.response !== undefined) {
    out.responseContext = responseContext(input.response);
    out.responsePayload = payloadValue(input.response.body);
  }
  return out;
}

export interface BatchInfo {
  /** The mapping's source URI (password masked) and its kind. */
  eventSourceArn: string;
  kind: string;
  batchSize: number;
  /** Message ids (the itemIdentifier a function would report), first to last. */
  messageIds: string[];
  approximateArrivalOfFirstRecord?: string;
  approximateArrivalOfLastRecord?: string;
}

export function mappingFailureRecord(input: {
  requestId: string;
  functionArn: string;
  mappingArn: string;
  condition: RecordCondition;
  approximateInvokeCount: number;
  batch: BatchInfo;
  /** The event of the failed messages, as the function received (or would have received) it. */
  payload: unknown;
  response?: FunctionResponse;
  now?: Date;
}): Record<string, unknown> {
  const out = recordHead(input);
  if (input.response !== undefined) out.responseContext = responseContext(input.response);
  out.BrokerBatchInfo = { ...input.batch, eventSourceMappingArn: input.mappingArn };
  out.payload = input.payload;
  return out;
}
