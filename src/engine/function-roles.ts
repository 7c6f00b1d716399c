// Which role a region's functions run as, and the credentials their instances get: fresh short-lived
// ones per instance, revoked when the role is deleted or made again, and checked (in memory, on the hot
// path of a function's own Lambda calls) against the function and version they were minted for.

import type { ArnScope } from "../core/arn-scope.js";
import type { FunctionConfig } from "../core/types.js";
import type { InstanceCredentials } from "../executor/executor.js";
import { instanceCredentials, type SessionCredentials } from "./credentials.js";
import { DEFAULT_ROLE_NAME, roleArn, type RoleCatalog } from "./roles.js";
import type { VersionCatalog } from "./versions.js";

export interface FunctionRolesDeps {
  scope: ArnScope;
  roles: RoleCatalog;
  credentials: SessionCredentials;
  functions: ReadonlyMap<string, FunctionConfig>;
  catalog: VersionCatalog;
  /** Retires every instance of the function (they hold credentials for a role that changed). */
  retire: (functionName: string) => void;
}

export class FunctionRoles {
  constructor(private readonly d: FunctionRolesDeps) {}

  /** The role a function's instances run as: its own, or the built-in `vajra-function`. */
  roleOf(fn: FunctionConfig): string {
    return fn.role ?? roleArn(this.d.scope.account, DEFAULT_ROLE_NAME);
  }

  /** A provider of fresh role credentials for each instance of this function version. */
  credentialsFor(fn: FunctionConfig, version: string): () => InstanceCredentials {
    return instanceCredentials(this.d.roles, this.d.credentials, {
      account: this.d.scope.account,
      region: this.d.scope.region,
      functionName: fn.name,
      version,
      incarnation: fn.createdAt,
      roleArn: this.roleOf(fn),
    });
  }

  /**
   * Retires the instances of functions that run as `arn` (in $LATEST or a version): after the role was
   * created again or deleted, their credentials are revoked, and new instances get current ones.
   */
  retireRole(arn: string): void {
    for (const fn of this.d.functions.values()) {
      const versions = this.d.catalog.listVersions(fn.name).map((v) => v.config);
      if ([fn, ...versions].some((c) => this.roleOf(c) === arn)) this.d.retire(fn.name);
    }
  }

  /**
   * Whether a session minted for (function, version, incarnation, role) still stands: the function was
   * not deleted or recreated, the version still names that role. Memory lookups only (hot path).
   */
  sessionStands(name: string, version: string, incarnation: string, arn: string): boolean {
    const fn = this.d.functions.get(name);
    if (fn === undefined || fn.createdAt !== incarnation) return false;
    try {
      return this.roleOf(this.d.catalog.resolve(fn, version).config) === arn;
    } catch {
      return false; // the version is gone
    }
  }
}
