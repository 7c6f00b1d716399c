// Provisioned concurrency: per version or alias, a number of instances started ahead of traffic and kept
// initialised by the executor. The configs live on the function (store first); this turns them into
// the executor's warm pools and reports their status.

import { VajraError, invalid } from "../core/errors.js";
import { functionArn } from "../core/lambda-format.js";
import { parseQualifier } from "../core/routing.js";
import type { FunctionConfig } from "../core/types.js";
import type { BlobStore } from "../blobs/code-package.js";
import type { ExecutionSpec, Executor, InstanceCredentials } from "../executor/executor.js";
import type { RuntimeInfo } from "../executor/runtime-discovery.js";
import type { Store } from "../store/store.js";
import type { ConcurrencyGate } from "./concurrency.js";
import { executionSpec, functionId } from "./execution-spec.js";
import type { VersionCatalog } from "./versions.js";
import type { ProvisionedCapacity } from "./cost/usage-meter.js";

export interface ProvisionedView {
  qualifier: string;
  requested: number;
  allocated: number;
  available: number;
  status: "IN_PROGRESS" | "READY";
  lastModified: string;
}

export interface ProvisioningContext {
  region: string;
  store: Store;
  functions: Map<string, FunctionConfig>;
  executor: Executor;
  catalog: VersionCatalog;
  runtimes: ReadonlyMap<string, RuntimeInfo>;
  blobs: BlobStore;
  gate: ConcurrencyGate;
  getFunction: (name: string) => FunctionConfig;
  resolveFunction: (name: string, qualifier?: string) => { config: FunctionConfig; version: string };
  serialize: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  /** The merged /opt tree of a configuration's layers. */
  optDir: (fn: FunctionConfig) => Promise<string | undefined>;
  /** Mints each instance's role credentials. */
  credentials: (fn: FunctionConfig, version: string) => () => InstanceCredentials;
}

export class Provisioning {
  constructor(private readonly ctx: ProvisioningContext) {}

  /**
   * Provisioned concurrency for a version or alias (never $LATEST, as in Lambda): that many instances are
   * started now and kept initialised. The requests of all qualifiers may not exceed the reserved
   * concurrency, nor leave less than the minimum of the account unreserved.
   */
  put(name: string, qualifier: string, requested: number): Promise<ProvisionedView> {
    return this.ctx.serialize(name, async () => {
      const fn = this.ctx.getFunction(name);
      const q = parseQualifier(qualifier);
      if (q.kind === "latest")
        throw invalid("Provisioned Concurrency Configs cannot be applied to unpublished function versions.", {
          field: "Qualifier",
        });
      this.ctx.resolveFunction(name, qualifier);
      if (!Number.isInteger(requested) || requested < 1)
        throw invalid("ProvisionedConcurrentExecutions must be an integer of at least 1", {
          field: "ProvisionedConcurrentExecutions",
        });
      const others = Object.entries(fn.provisioned ?? {}).reduce(
        (n, [k, v]) => n + (k === qualifier ? 0 : v.requested),
        0,
      );
      const cap = fn.reservedConcurrency ?? this.ctx.gate.accountLimit - this.ctx.gate.minUnreserved;
      if (others + requested > cap) {
        throw invalid(
          `Requested total provisioned concurrency (${others + requested}) exceeds the function's ${fn.reservedConcurrency === null ? "available account" : "reserved"} concurrency (${cap})`,
          { field: "ProvisionedConcurrentExecutions" },
        );
      }
      const updated: FunctionConfig = {
        ...fn,
        provisioned: {
          ...fn.provisioned,
          [qualifier]: { requested, lastModified: new Date().toISOString() },
        },
      };
      await this.ctx.store.putFunction(updated);
      this.ctx.functions.set(name, updated);
      this.apply(name);
      return this.view(name, qualifier);
    });
  }

  delete(name: string, qualifier: string): Promise<void> {
    return this.ctx.serialize(name, async () => {
      const fn = this.ctx.getFunction(name);
      if (fn.provisioned?.[qualifier] === undefined)
        throw new VajraError(
          "FunctionNotFound",
          `No Provisioned Concurrency Config found for this function: ${functionArn(name, qualifier)}`,
        );
      const rest = { ...fn.provisioned };
      delete rest[qualifier];
      const updated: FunctionConfig = { ...fn, provisioned: rest };
      await this.ctx.store.putFunction(updated);
      this.ctx.functions.set(name, updated);
      this.apply(name);
    });
  }

  view(name: string, qualifier: string): ProvisionedView {
    const fn = this.ctx.getFunction(name);
    const entry = fn.provisioned?.[qualifier];
    if (entry === undefined)
      throw new VajraError(
        "FunctionNotFound",
        `No Provisioned Concurrency Config found for this function: ${functionArn(name, qualifier)}`,
      );
    const status = this.ctx.executor.provisionStatus(this.specFor(name, qualifier));
    return {
      qualifier,
      requested: entry.requested,
      allocated: Math.min(entry.requested, status.allocated),
      available: Math.min(entry.requested, status.available),
      status: status.allocated >= entry.requested ? "READY" : "IN_PROGRESS",
      lastModified: entry.lastModified,
    };
  }

  list(name: string): ProvisionedView[] {
    return Object.keys(this.ctx.getFunction(name).provisioned ?? {}).map((q) => this.view(name, q));
  }

  /** Provisioned instances allocated now, per function version: what metering bills as kept ready. */
  capacity(): ProvisionedCapacity[] {
    const out: ProvisionedCapacity[] = [];
    for (const [name, fn] of this.ctx.functions) {
      for (const qualifier of Object.keys(fn.provisioned ?? {})) {
        const q = parseQualifier(qualifier);
        const target =
          q.kind === "alias" ? this.ctx.catalog.getAlias(name, q.alias).functionVersion : qualifier;
        const { config, version } = this.ctx.catalog.resolve(fn, target);
        const instances = this.view(name, qualifier).allocated;
        out.push({
          functionName: name,
          version,
          memoryMb: config.memorySize,
          ephemeralMb: config.ephemeralStorage,
          instances,
        });
      }
    }
    return out;
  }

  private specFor(name: string, qualifier: string): ExecutionSpec {
    const fn = this.ctx.getFunction(name);
    const q = parseQualifier(qualifier);
    const target = q.kind === "alias" ? this.ctx.catalog.getAlias(name, q.alias).functionVersion : qualifier;
    const { config, version } = this.ctx.catalog.resolve(fn, target);
    const runtime = this.ctx.runtimes.get(config.runtime);
    if (runtime === undefined)
      throw new VajraError("RuntimeUnavailable", `runtime ${config.runtime} is not known on this host`);
    return executionSpec(
      this.ctx.region,
      config,
      version,
      runtime,
      this.ctx.blobs.codeDir(config.codeSha256),
      () => this.ctx.optDir(config),
      this.ctx.credentials(config, version),
    );
  }

  /** Makes the executor's warm pools match the function's provisioned concurrency configs. */
  apply(name: string): void {
    this.ctx.executor.clearProvisioning(functionId(this.ctx.region, name));
    for (const [qualifier, entry] of Object.entries(this.ctx.functions.get(name)?.provisioned ?? {})) {
      try {
        this.ctx.executor.provision(this.specFor(name, qualifier), entry.requested);
      } catch {
        // The version or alias is gone: nothing to keep warm for it.
      }
    }
  }
}
