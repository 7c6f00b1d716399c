// Domain types shared by every layer: what a function is, what an invocation produced, and what is
// recorded about it. Pure data, no behaviour.

import type { FaasTrigger, TraceContext, TracingMode } from "./trace-context.js";

/**
 * A function's network: `none` (an empty namespace: no connections in or out) or `egress` (outbound
 * connections to public addresses through the host's NAT; never the host, private ranges, link-local).
 */
export type NetworkMode = "none" | "egress";

import type { LoggingConfig } from "./logging-config.js";

export const NETWORK_MODES: readonly NetworkMode[] = ["none", "egress"];

/** Function lifecycle as Lambda reports it (`State`). Vajra deploys synchronously, so Pending is brief. */
export type FunctionState = "Pending" | "Active" | "Failed";

/** One statement of a function's resource-based policy (AddPermission). */
export interface PolicyStatement {
  sid: string;
  action: string;
  /** An account id, "*" or a service principal such as "s3.amazonaws.com". */
  principal: string;
  sourceArn?: string;
  sourceAccount?: string;
}

export interface FunctionConfig {
  name: string;
  runtime: string;
  handler: string;
  /** MB, 128–32768. */
  memorySize: number;
  /** Seconds, 1–3600. */
  timeout: number;
  environment: Record<string, string>;
  description: string;
  /** The execution role ARN a Lambda client sent; kept and reported, not enforced. */
  role?: string;
  /** Size of /tmp in MB, 512–10240. */
  ephemeralStorage: number;
  /** Lambda's LoggingConfig (JSON logs, log levels, log group); absent: Text into `/aws/lambda/NAME`. */
  logging?: LoggingConfig;
  /** TracingConfig.Mode; absent means PassThrough. */
  tracingMode?: TracingMode;
  /**
   * How its instances reach the network: `none`, `egress`, or the named networks it joins (sorted,
   * comma-separated: `backend,cache`). Absent: `none`, an empty namespace.
   */
  network?: string;
  /** Reserved concurrency: the most instances this function may run at once; null = share the account pool. */
  reservedConcurrency: number | null;
  /** Hex SHA-256 of the code zip. */
  codeSha256: string;
  codeSize: number;
  /** Changes on every change of code or configuration. */
  revisionId: string;
  state: FunctionState;
  /** Layers, in order (later ones win in /opt); each keeps its digest so deleting a layer version never breaks a function. */
  layers?: FunctionLayer[];
  /** Resource-based policy statements (AddPermission): who else may invoke the function. */
  policy?: PolicyStatement[];
  /** Provisioned concurrency per qualifier (version number or alias): instances kept initialised. */
  provisioned?: Record<string, { requested: number; lastModified: string }>;
  /** The function's HTTP endpoint (Lambda function URL), served at /url/{urlId}/. */
  url?: FunctionUrlConfig;
  /** How Event invocations of this function are retried and where their results go. */
  eventInvokeConfig?: EventInvokeConfig;
  /** DeadLetterConfig.TargetArn: where a failed Event invocation's payload goes (a destination, see destination.ts). */
  deadLetterTarget?: string;
  /** Resource tags (Lambda's TagResource); changing them does not change code or configuration. */
  tags?: Record<string, string>;
  /** Set when the package was built from the uploaded sources: `codeSha256` is then the built package. */
  build?: FunctionBuild;
  /** Highest version number ever published (numbers are never reused, as in Lambda); 0 = none. */
  lastPublishedVersion?: number;
  lastModified: string;
  createdAt: string;
}

/** What a function's built package was built from. */
export interface FunctionBuild {
  /** Key of the BuildRecord (its log). */
  key: string;
  /** Hex SHA-256 and size of the zip as uploaded (what the Lambda API reports as CodeSha256/CodeSize). */
  sourceSha256: string;
  sourceSize: number;
}

/** One package build: kept for its log, and (when it succeeded) to reuse its package for the same sources. */
export interface BuildRecord {
  key: string;
  runtime: string;
  /** The toolchain that built it, e.g. "go 1.19.8". */
  toolchain: string;
  sourceSha256: string;
  status: "succeeded" | "failed";
  packageSha256?: string;
  packageSize?: number;
  log: string;
  startedAt: string;
  durationMs: number;
}

export type InvocationStatus = "success" | "error";

export interface InvocationReport {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Present on a cold start only. */
  initDurationMs?: number;
}

/** What is stored about one finished invocation, log included. */
export interface InvocationRecord {
  requestId: string;
  functionName: string;
  version: string;
  startedAt: number;
  status: InvocationStatus;
  errorType?: string;
  /** Retry number of an Event invocation (0 = first attempt); retries share the request id. */
  attempt?: number;
  report: InvocationReport;
  log: string;
  /** The instance that ran it (32 hex) and when that instance started: they name its log stream. */
  instanceId?: string;
  instanceStartedAt?: number;
}

export interface ApiKeyRecord {
  id: string;
  /** SHA-256 hex of the secret; the secret itself is never stored. */
  secretHash: string;
  name: string;
  createdAt: string;
  /** After this time (ISO 8601) the key is refused; none: it never expires. */
  expiresAt?: string;
  /**
   * A console session's key: the access key (AKIA…) whose signature issued it. Refused once that access
   * key is revoked (checked on every use), and deleted with it.
   */
  accessKeyId?: string;
}

/**
 * An AWS-style access key for SigV4-signed requests. SigV4 is an HMAC, so the server must hold the
 * secret itself (as AWS does); it lives only in the store and the 0600 credentials file.
 */
export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  /** The account the key belongs to; absent = Vajra's own account (the owner of every function). */
  accountId?: string;
  name: string;
  createdAt: string;
}

/** An accepted `Event` invocation waiting in the durable queue (or between retries). */
export interface QueuedInvocation {
  requestId: string;
  functionName: string;
  /** Version or alias it was invoked with; $LATEST when absent. */
  qualifier?: string;
  /** Base64 of the event bytes. */
  payload: string;
  /** Attempts made so far (0 until the first run finishes). */
  attempts: number;
  enqueuedAt: number;
  /** Epoch ms before which it must not run (retry backoff). */
  notBefore: number;
  /** The caller's trace context, so the queued run continues the caller's trace. */
  trace?: TraceContext;
  /** What queued it, for the span's `faas.trigger` (schedules: timer). */
  trigger?: FaasTrigger;
}

export interface CorsConfig {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export interface FunctionUrlConfig {
  /** Random lower-case id in the URL path. */
  urlId: string;
  /** NONE: anyone who can reach the server may call it; AWS_IAM: requests must be SigV4-signed. */
  authType: "NONE" | "AWS_IAM";
  cors?: CorsConfig;
  createdAt: string;
  lastModified: string;
}

export interface EventInvokeConfig {
  /** 0–2; default 2. */
  maximumRetryAttempts?: number;
  /** 60–21600 seconds; default 21600 (6 hours). */
  maximumEventAgeInSeconds?: number;
  /** Destinations (function ARN or broker / webhook URI, see core/destination.ts) of the invocation records. */
  onSuccess?: string;
  onFailure?: string;
  lastModified: string;
}

export interface FunctionLayer {
  arn: string;
  codeSha256: string;
  codeSize: number;
}

/** A version of a layer: a zip whose contents appear under /opt in the functions that use it. */
export interface LayerVersion {
  name: string;
  version: number;
  codeSha256: string;
  codeSize: number;
  description: string;
  compatibleRuntimes: string[];
  licenseInfo?: string;
  createdAt: string;
}

/** A published version: an immutable snapshot of code and configuration. */
export interface FunctionVersion {
  functionName: string;
  /** "1", "2", ... */
  version: string;
  config: FunctionConfig;
  description: string;
  createdAt: string;
}

/** A named pointer to a version, optionally sending a share of traffic to a second version. */
export interface Alias {
  functionName: string;
  name: string;
  functionVersion: string;
  description: string;
  /** Additional version → share of invocations (0–1), or null. Lambda allows one entry. */
  additionalVersionWeights: Record<string, number> | null;
  revisionId: string;
  createdAt: string;
}

/** A bucket of Vajra's code-upload store (the `/_s3` API that `aws s3 cp` and `sam deploy` use). */
export interface BucketRecord {
  name: string;
  /** The region it was created for (CreateBucket's LocationConstraint or the signing region). */
  region: string;
  createdAt: string;
}

/** An object in a code bucket: its bytes are a content-addressed blob. */
export interface ObjectRecord {
  bucket: string;
  key: string;
  sha256: string;
  size: number;
  /** MD5 of the bytes in hex, S3's ETag for a single-part upload (without the quotes). */
  etag: string;
  contentType: string;
  lastModified: string;
}

/** An execution role (IAM is global: per account, not per region). */
export interface RoleRecord {
  name: string;
  account: string;
  /** `arn:aws:iam::ACCOUNT:role/NAME` */
  arn: string;
  /** AROA + 17 base32 characters; changes when a role is deleted and created again. */
  roleId: string;
  /** The IAM policy document, in IAM's JSON shape. */
  policy: Record<string, unknown>;
  createdAt: string;
}
