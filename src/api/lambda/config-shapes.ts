// Lambda API shapes of the function settings: provisioned concurrency, function URL and CORS, event
// invoke config.

import { invalid } from "../../core/errors.js";
import { maskDestination } from "../../core/destination.js";
import { functionArn, lambdaTimestamp } from "../../core/lambda-format.js";
import type { CorsConfig, EventInvokeConfig, FunctionUrlConfig } from "../../core/types.js";
import type { ProvisionedView } from "../../engine/platform.js";

export function provisionedShape(p: ProvisionedView): Record<string, unknown> {
  return {
    RequestedProvisionedConcurrentExecutions: p.requested,
    AvailableProvisionedConcurrentExecutions: p.available,
    AllocatedProvisionedConcurrentExecutions: p.allocated,
    Status: p.status,
    LastModified: lambdaTimestamp(new Date(p.lastModified)),
  };
}

export function corsFromAws(c: unknown): CorsConfig | null {
  if (c === null) return null;
  if (typeof c !== "object") throw invalid("Cors must be an object");
  const x = c as Record<string, unknown>;
  const list = (k: string): string[] | undefined => {
    const v = x[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((e) => typeof e === "string"))
      throw invalid(`Cors.${k} must be a list of strings`);
    return v;
  };
  const out: CorsConfig = {};
  if (typeof x.AllowCredentials === "boolean") out.allowCredentials = x.AllowCredentials;
  const map: Array<[keyof CorsConfig, string]> = [
    ["allowHeaders", "AllowHeaders"],
    ["allowMethods", "AllowMethods"],
    ["allowOrigins", "AllowOrigins"],
    ["exposeHeaders", "ExposeHeaders"],
  ];
  for (const [ours, theirs] of map) {
    const v = list(theirs);
    if (v !== undefined) (out as Record<string, unknown>)[ours] = v;
  }
  if (x.MaxAge !== undefined) {
    if (typeof x.MaxAge !== "number" || !Number.isInteger(x.MaxAge) || x.MaxAge < 0 || x.MaxAge > 86400)
      throw invalid("Cors.MaxAge must be an integer from 0 to 86400");
    out.maxAge = x.MaxAge;
  }
  return out;
}

export function urlShape(
  name: string,
  url: FunctionUrlConfig | undefined,
  base: string,
  withModified: boolean,
): Record<string, unknown> {
  if (url === undefined) return {};
  const out: Record<string, unknown> = {
    FunctionUrl: `${base}/url/${url.urlId}/`,
    FunctionArn: functionArn(name),
    AuthType: url.authType,
    CreationTime: url.createdAt,
    InvokeMode: "BUFFERED",
  };
  if (withModified) out.LastModifiedTime = url.lastModified;
  if (url.cors !== undefined) {
    const c = url.cors;
    out.Cors = {
      ...(c.allowCredentials === undefined ? {} : { AllowCredentials: c.allowCredentials }),
      ...(c.allowHeaders === undefined ? {} : { AllowHeaders: c.allowHeaders }),
      ...(c.allowMethods === undefined ? {} : { AllowMethods: c.allowMethods }),
      ...(c.allowOrigins === undefined ? {} : { AllowOrigins: c.allowOrigins }),
      ...(c.exposeHeaders === undefined ? {} : { ExposeHeaders: c.exposeHeaders }),
      ...(c.maxAge === undefined ? {} : { MaxAge: c.maxAge }),
    };
  }
  return out;
}

export function eventInvokeConfigShape(
  name: string,
  c: EventInvokeConfig | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    LastModified: c === undefined ? Date.now() / 1000 : Date.parse(c.lastModified) / 1000,
    FunctionArn: functionArn(name, "$LATEST"),
    DestinationConfig: {
      OnSuccess: c?.onSuccess === undefined ? {} : { Destination: maskDestination(c.onSuccess) },
      OnFailure: c?.onFailure === undefined ? {} : { Destination: maskDestination(c.onFailure) },
    },
  };
  if (c?.maximumRetryAttempts !== undefined) out.MaximumRetryAttempts = c.maximumRetryAttempts;
  if (c?.maximumEventAgeInSeconds !== undefined) out.MaximumEventAgeInSeconds = c.maximumEventAgeInSeconds;
  return out;
}
