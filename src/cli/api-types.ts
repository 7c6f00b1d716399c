// Shapes of the native REST API's responses as the CLI reads them. The CLI is a thin client and must
// not import the server's modules (that would load the database driver), so the shapes are restated here.

export interface FunctionConfig {
  name: string;
  arn: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  environment: Record<string, string>;
  description: string;
  ephemeralStorage: number;
  logging?: { logFormat: string; applicationLogLevel?: string; systemLogLevel?: string; logGroup: string };
  network: string;
  role?: string;
  reservedConcurrency: number | null;
  /** Layer version ARNs in order (servers before layers were in this view omit it). */
  layers?: { arn: string; codeSize: number }[];
  tags?: Record<string, string>;
  codeSha256: string;
  codeSize: number;
  /** Set when the server built the package from the uploaded sources. */
  build?: { sourceSha256: string; sourceSize: number };
  version: string;
  revisionId: string;
  state: string;
  lastModified: string;
  createdAt: string;
  warnings?: string[];
}

export interface FunctionDetails extends FunctionConfig {
  instances?: { idle: number; busy: number };
}

export interface DeployRequest {
  name: string;
  runtime?: string;
  handler?: string;
  memorySize?: number;
  timeout?: number;
  environment?: Record<string, string>;
  description?: string;
  ephemeralStorage?: number;
  logging?: { logFormat?: string; applicationLogLevel?: string; systemLogLevel?: string };
  /** TracingConfig.Mode: active or passthrough (case-insensitive). */
  tracing?: string;
  network?: string;
  /** An execution role name or ARN. */
  role?: string;
  reservedConcurrency?: number | null;
  /** Days log events are kept; null = never expire. */
  logRetentionDays?: number | null;
  /** Layer version ARNs, in order; [] removes every layer. */
  layers?: string[];
  tags?: Record<string, string>;
  zipFile?: string;
}

/** `GET /layers`: the newest version of each layer. */
export interface LayerView {
  name: string;
  arn: string;
  version: number;
  versionArn: string;
  description: string;
  compatibleRuntimes: string[];
  codeSize: number;
  createdAt: string;
}

/** `GET /functions/{name}/event-invoke-config`: retries and destinations of Event invocations. */
export interface InvokeConfigView {
  configured: boolean;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  /** Masked when it holds a password; sending the masked text back keeps the stored one. */
  onSuccess?: string;
  onFailure?: string;
  lastModified?: string;
}

/** `GET /networks`: a named network a function can join. */
export interface NetworkSummary {
  name: string;
  allow: string[];
  egress: boolean;
}

export interface RuntimeInfo {
  id: string;
  family?: string;
  available: boolean;
  version?: string;
  path?: string;
  reason?: string;
  deprecated?: boolean;
  /** Python and Node.js: the AWS SDK the server provides to functions, or how to provide it. */
  sdk?: string;
}

export interface InvocationLog {
  requestId: string;
  startedAt: string;
  durationMs: number;
  status: "success" | "error";
  errorType?: string;
  log: string;
}

export interface Health {
  status: string;
  version?: string;
  isolation?: { isolated: boolean; warnings: string[] };
}

/** One entry of `GET /functions/{name}/versions` ("$LATEST" first), also the answer of a publish. */
export interface VersionView {
  version: string;
  codeSha256: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  description: string;
  lastModified: string;
}

export interface AliasView {
  name: string;
  arn: string;
  functionVersion: string;
  description: string;
  routingConfig: { additionalVersionWeights: Record<string, number> } | null;
  revisionId: string;
}

/** Body of `POST /functions/{name}/aliases` and (all fields optional) `PUT .../aliases/{alias}`. */
export interface AliasRequest {
  name?: string;
  functionVersion?: string;
  description?: string;
  routingConfig?: { additionalVersionWeights: Record<string, number> } | null;
}

/** GET /functions/NAME/build-log */
export interface BuildLog {
  buildKey: string;
  runtime: string;
  toolchain: string;
  sourceSha256: string;
  status: "succeeded" | "failed";
  packageSha256?: string;
  startedAt: string;
  durationMs: number;
  log: string;
}
