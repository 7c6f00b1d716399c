// Translation between Vajra's FunctionConfig and the Lambda API's shapes (FunctionConfiguration,
// GetFunctionResponse), following the AWS API model field by field.

import { arnScope, partitionOf } from "../../core/arn-scope.js";
import { functionArn, lambdaTimestamp } from "../../core/lambda-format.js";
import { loggingConfigShape } from "../../core/logging-config.js";
import type { Alias, FunctionConfig, FunctionVersion } from "../../core/types.js";
import { vpcConfigShape } from "./vpc-config.js";
import { maskDestination } from "../../core/destination.js";

/** The role a function created without one reports: Vajra's own, in the current account. */
function defaultRole(): string {
  const { region, account } = arnScope();
  return `arn:${partitionOf(region)}:iam::${account}:role/vajra-function`;
}

/** Lambda reports CodeSha256 as the base64 of the digest, not hex. */
export function codeSha256Base64(hex: string): string {
  return Buffer.from(hex, "hex").toString("base64");
}

/** `version` is "$LATEST" or a published version number (its ARN is then qualified). */
export function functionConfiguration(fn: FunctionConfig, version = "$LATEST"): Record<string, unknown> {
  const out: Record<string, unknown> = {
    FunctionName: fn.name,
    FunctionArn: functionArn(fn.name, version === "$LATEST" ? undefined : version),
    Runtime: fn.runtime,
    Role: fn.role ?? defaultRole(),
    Handler: fn.handler,
    // A built function reports the zip its client uploaded, as AWS does (the built package is Vajra's).
    CodeSize: fn.build?.sourceSize ?? fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: lambdaTimestamp(new Date(fn.lastModified)),
    CodeSha256: codeSha256Base64(fn.build?.sourceSha256 ?? fn.codeSha256),
    Version: version,
    TracingConfig: { Mode: fn.tracingMode ?? "PassThrough" },
    RevisionId: fn.revisionId,
    State: fn.state,
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    Architectures: ["x86_64"],
    EphemeralStorage: { Size: fn.ephemeralStorage },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    LoggingConfig: loggingConfigShape(fn.name, fn.logging),
  };
  if ((fn.layers ?? []).length > 0)
    out.Layers = (fn.layers ?? []).map((l) => ({ Arn: l.arn, CodeSize: l.codeSize }));
  if (Object.keys(fn.environment).length > 0) out.Environment = { Variables: fn.environment };
  if (fn.deadLetterTarget !== undefined)
    out.DeadLetterConfig = { TargetArn: maskDestination(fn.deadLetterTarget) };
  const vpc = vpcConfigShape(fn.network);
  if (vpc !== undefined) out.VpcConfig = vpc;
  return out;
}

export function versionConfiguration(v: FunctionVersion): Record<string, unknown> {
  return functionConfiguration({ ...v.config, description: v.description }, v.version);
}

export function aliasConfiguration(a: Alias): Record<string, unknown> {
  const out: Record<string, unknown> = {
    AliasArn: functionArn(a.functionName, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    RevisionId: a.revisionId,
  };
  if (a.additionalVersionWeights !== null)
    out.RoutingConfig = { AdditionalVersionWeights: a.additionalVersionWeights };
  return out;
}

export function getFunctionResponse(
  fn: FunctionConfig,
  baseUrl: string,
  version = "$LATEST",
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Configuration: functionConfiguration(fn, version),
    Code: { RepositoryType: "S3", Location: `${baseUrl}/functions/${encodeURIComponent(fn.name)}/code` },
    Tags: fn.tags ?? {},
  };
  if (fn.reservedConcurrency !== null)
    out.Concurrency = { ReservedConcurrentExecutions: fn.reservedConcurrency };
  return out;
}

/** A stable pagination marker for ListFunctions: opaque to clients, the name to us. */
export function encodeMarker(name: string): string {
  return Buffer.from(name).toString("base64url");
}

export function decodeMarker(marker: string): string {
  return Buffer.from(marker, "base64url").toString("utf8");
}
