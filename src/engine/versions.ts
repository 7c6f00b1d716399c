// Published versions (immutable snapshots of code and configuration) and aliases (named pointers with
// optional weighted routing), served from memory with the store as the source of truth. Resolving
// `name[:qualifier]` to the configuration an invocation runs happens here.

import { randomUUID } from "node:crypto";
import { VajraError } from "../core/errors.js";
import { functionArn } from "../core/lambda-format.js";
import { validateDescription } from "../core/limits.js";
import { LATEST, parseQualifier, routeAlias, validateAliasName, validateWeights } from "../core/routing.js";
import type { Alias, FunctionConfig, FunctionVersion } from "../core/types.js";
import type { Store } from "../store/store.js";

export interface AliasInput {
  name: string;
  functionVersion?: string;
  description?: string;
  /** undefined = keep (on update), null = no routing. */
  additionalVersionWeights?: Record<string, number> | null;
}

export interface Resolved {
  config: FunctionConfig;
  /** "$LATEST" or the version number that runs. */
  version: string;
}

/** The configuration fields whose change makes a new version worth publishing. */
function snapshotKey(c: FunctionConfig): string {
  return JSON.stringify([
    c.codeSha256,
    c.runtime,
    c.handler,
    c.memorySize,
    c.timeout,
    c.environment,
    c.ephemeralStorage,
    c.logging,
    c.description,
    c.role,
    c.tracingMode,
  ]);
}

function notFound(fn: string, qualifier: string, what = "Function"): VajraError {
  return new VajraError("FunctionNotFound", `${what} not found: ${functionArn(fn, qualifier)}`);
}

export class VersionCatalog {
  private readonly versions = new Map<string, Map<string, FunctionVersion>>();
  private readonly aliases = new Map<string, Map<string, Alias>>();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    for (const v of await this.store.listAllVersions())
      this.mapOf(this.versions, v.functionName).set(v.version, v);
    for (const a of await this.store.listAllAliases())
      this.mapOf(this.aliases, a.functionName).set(a.name, a);
  }

  private mapOf<T>(m: Map<string, Map<string, T>>, fn: string): Map<string, T> {
    let inner = m.get(fn);
    if (inner === undefined) {
      inner = new Map();
      m.set(fn, inner);
    }
    return inner;
  }

  listVersions(fn: string): FunctionVersion[] {
    return [...(this.versions.get(fn)?.values() ?? [])].sort((a, b) => Number(a.version) - Number(b.version));
  }

  listAliases(fn: string, functionVersion?: string): Alias[] {
    return [...(this.aliases.get(fn)?.values() ?? [])]
      .filter((a) => functionVersion === undefined || a.functionVersion === functionVersion)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  getAlias(fn: string, name: string): Alias {
    const a = this.aliases.get(fn)?.get(name);
    if (a === undefined) throw notFound(fn, name, "Alias");
    return a;
  }

  /** Code digests any version still needs (kept by garbage collection). */
  digests(): Set<string> {
    const out = new Set<string>();
    for (const m of this.versions.values()) {
      for (const v of m.values()) {
        out.add(v.config.codeSha256);
        for (const l of v.config.layers ?? []) out.add(l.codeSha256);
      }
    }
    return out;
  }

  /** Every published version's configuration snapshot. */
  configs(): FunctionConfig[] {
    const out: FunctionConfig[] = [];
    for (const m of this.versions.values()) for (const v of m.values()) out.push(v.config);
    return out;
  }

  /** Drops everything of a deleted function (the store deletes its rows with the function). */
  forget(fn: string): void {
    this.versions.delete(fn);
    this.aliases.delete(fn);
  }

  /**
   * Which configuration `fn[:qualifier]` runs. An alias with routing picks its additional version with
   * the alias's weight (`random` is a uniform draw in [0, 1)).
   */
  resolve(latest: FunctionConfig, qualifier: string | undefined, random = Math.random()): Resolved {
    const q = parseQualifier(qualifier);
    if (q.kind === "latest") return { config: latest, version: LATEST };
    const version =
      q.kind === "version" ? q.version : routeAlias(this.getAlias(latest.name, q.alias), random);
    if (version === LATEST) return { config: latest, version: LATEST };
    const v = this.versions.get(latest.name)?.get(version);
    if (v === undefined) throw notFound(latest.name, qualifier ?? version);
    return { config: v.config, version };
  }

  /**
   * Publishes $LATEST as the next version, unless nothing changed since the last one (then that one is
   * returned, as Lambda does). Returns the function with its new lastPublishedVersion to keep in memory.
   */
  async publish(
    fn: FunctionConfig,
    description: string | undefined,
  ): Promise<{ version: FunctionVersion; created: boolean; fn: FunctionConfig }> {
    const last = this.listVersions(fn.name).at(-1);
    if (last !== undefined && snapshotKey(last.config) === snapshotKey(fn))
      return { version: last, created: false, fn };
    const n = (fn.lastPublishedVersion ?? 0) + 1;
    const updated: FunctionConfig = { ...fn, lastPublishedVersion: n };
    const version: FunctionVersion = {
      functionName: fn.name,
      version: String(n),
      config: { ...fn, revisionId: randomUUID(), lastModified: new Date().toISOString() },
      description: description === undefined ? fn.description : validateDescription(description),
      createdAt: new Date().toISOString(),
    };
    await this.store.publishVersion(updated, version);
    this.mapOf(this.versions, fn.name).set(version.version, version);
    return { version, created: true, fn: updated };
  }

  async deleteVersion(fn: string, version: string): Promise<void> {
    if (this.versions.get(fn)?.get(version) === undefined) throw notFound(fn, version);
    const users = this.listAliases(fn).filter(
      (a) => a.functionVersion === version || (a.additionalVersionWeights ?? {})[version] !== undefined,
    );
    if (users.length > 0) {
      throw new VajraError(
        "AlreadyExists",
        `Unable to delete version because the following aliases reference it: [${users.map((a) => a.name).join(", ")}]`,
      );
    }
    await this.store.deleteVersion(fn, version);
    this.versions.get(fn)?.delete(version);
  }

  private checkTarget(fn: string, version: string): void {
    if (version !== LATEST && this.versions.get(fn)?.get(version) === undefined) throw notFound(fn, version);
  }

  async createAlias(fn: string, input: AliasInput): Promise<Alias> {
    const name = validateAliasName(input.name);
    if (this.aliases.get(fn)?.has(name) === true)
      throw new VajraError("AlreadyExists", `Alias already exists: ${functionArn(fn, name)}`);
    if (input.functionVersion === undefined)
      throw new VajraError("InvalidParameter", "functionVersion is required", {
        details: { field: "functionVersion" },
      });
    return this.saveAlias(
      fn,
      name,
      input.functionVersion,
      input.description ?? "",
      input.additionalVersionWeights ?? null,
      new Date().toISOString(),
    );
  }

  async updateAlias(fn: string, input: AliasInput, expectedRevisionId?: string): Promise<Alias> {
    const cur = this.getAlias(fn, input.name);
    if (expectedRevisionId !== undefined && expectedRevisionId !== cur.revisionId) {
      throw new VajraError(
        "PreconditionFailed",
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
      );
    }
    const version = input.functionVersion ?? cur.functionVersion;
    const weights =
      input.additionalVersionWeights === undefined
        ? cur.additionalVersionWeights
        : input.additionalVersionWeights;
    return this.saveAlias(
      fn,
      cur.name,
      version,
      input.description ?? cur.description,
      weights,
      cur.createdAt,
    );
  }

  private async saveAlias(
    fn: string,
    name: string,
    version: string,
    description: string,
    weights: unknown,
    createdAt: string,
  ): Promise<Alias> {
    const functionVersion =
      version === LATEST
        ? LATEST
        : parseQualifier(version).kind === "version"
          ? String(Number(version))
          : version;
    if (functionVersion !== LATEST && !/^[0-9]+$/.test(functionVersion)) {
      throw new VajraError(
        "InvalidParameter",
        `functionVersion must be $LATEST or a version number, not '${version}'`,
        { details: { field: "functionVersion" } },
      );
    }
    this.checkTarget(fn, functionVersion);
    const additionalVersionWeights = validateWeights(functionVersion, weights);
    for (const v of Object.keys(additionalVersionWeights ?? {})) this.checkTarget(fn, v);
    const alias: Alias = {
      functionName: fn,
      name,
      functionVersion,
      description: validateDescription(description),
      additionalVersionWeights,
      revisionId: randomUUID(),
      createdAt,
    };
    await this.store.putAlias(alias);
    this.mapOf(this.aliases, fn).set(name, alias);
    return alias;
  }

  async deleteAlias(fn: string, name: string): Promise<void> {
    this.getAlias(fn, name);
    await this.store.deleteAlias(fn, name);
    this.aliases.get(fn)?.delete(name);
  }
}
