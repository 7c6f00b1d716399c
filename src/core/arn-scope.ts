// The region and account an ARN is built for. On AWS they come from the request (the SigV4 credential
// scope's region, the account that owns the resources); the server sets them per request with
// `withArnScope`, so ARNs built anywhere below (shapes, error messages, policies) agree with the
// region the client signed for without threading it through every call.

import { AsyncLocalStorage } from "node:async_hooks";

export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_ACCOUNT = "000000000000";

export interface ArnScope {
  region: string;
  account: string;
}

const storage = new AsyncLocalStorage<ArnScope>();
const FALLBACK: ArnScope = Object.freeze({ region: DEFAULT_REGION, account: DEFAULT_ACCOUNT });

/** Runs `fn` (and everything it starts) with ARNs in `scope`. */
export function withArnScope<T>(scope: ArnScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The scope of the current request, or us-east-1 / 000000000000 outside any. */
export function arnScope(): ArnScope {
  return storage.getStore() ?? FALLBACK;
}

/** Lower-case letters, digits and dashes, as every AWS region name is (`eu-west-1`, `us-gov-west-1`). */
export function isRegionName(region: string): boolean {
  return /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(region);
}

export function isAccountId(account: string): boolean {
  return /^\d{12}$/.test(account);
}

/** The ARN partition a region belongs to (`aws-cn` for China, `aws-us-gov` for GovCloud). */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
