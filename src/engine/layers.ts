// Lambda layers: versioned zips (stored by digest like function code) whose contents appear under /opt
// in the functions that use them, merged in order (a later layer's file wins). The merged tree is
// built once per combination of layers, from hard links into the unpacked code cache.

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { link, mkdir, readdir, rename, rm, symlink, readlink, lstat } from "node:fs/promises";
import { join } from "node:path";
import { VajraError, invalid } from "../core/errors.js";
import { arnScope } from "../core/arn-scope.js";
import { layerArn } from "../core/lambda-format.js";
import type { FunctionLayer, LayerVersion } from "../core/types.js";
import { inspectZip, type BlobStore } from "../blobs/code-package.js";
import type { Store } from "../store/store.js";

export const MAX_LAYERS = 5;
const NAME_RE = /^[a-zA-Z0-9_-]{1,140}$/;
const ARN_RE = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):\d{12}:layer:([a-zA-Z0-9_-]+):(\d+)$/;

export { layerArn } from "../core/lambda-format.js";

export interface PublishLayerInput {
  name: string;
  zip: Buffer;
  description?: string;
  compatibleRuntimes?: string[];
  licenseInfo?: string;
}

export class LayerCatalog {
  private readonly versions = new Map<string, Map<number, LayerVersion>>();
  /** Highest version ever published per layer: numbers are never reused. */
  private readonly highest = new Map<string, number>();
  private readonly optRoot: string;

  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    dataDir: string,
  ) {
    this.optRoot = join(dataDir, "opt");
  }

  async load(): Promise<void> {
    for (const l of await this.store.listLayerVersions()) this.remember(l);
  }

  private remember(l: LayerVersion): void {
    let m = this.versions.get(l.name);
    if (m === undefined) {
      m = new Map();
      this.versions.set(l.name, m);
    }
    m.set(l.version, l);
    this.highest.set(l.name, Math.max(this.highest.get(l.name) ?? 0, l.version));
  }

  async publish(input: PublishLayerInput): Promise<LayerVersion> {
    if (!NAME_RE.test(input.name))
      throw invalid(`invalid layer name '${input.name}': 1-140 characters from a-z, A-Z, 0-9, '-' and '_'`, {
        field: "LayerName",
      });
    await inspectZip(input.zip);
    const stored = await this.blobs.put(input.zip);
    await this.blobs.ensureUnpacked(stored.sha256);
    const layer: LayerVersion = {
      name: input.name,
      version: (this.highest.get(input.name) ?? 0) + 1,
      codeSha256: stored.sha256,
      codeSize: stored.size,
      description: input.description ?? "",
      compatibleRuntimes: input.compatibleRuntimes ?? [],
      createdAt: new Date().toISOString(),
    };
    if (input.licenseInfo !== undefined) layer.licenseInfo = input.licenseInfo;
    await this.store.putLayerVersion(layer);
    this.remember(layer);
    return layer;
  }

  /** Layers that have at least one version, with their newest version. */
  list(): LayerVersion[] {
    return [...this.versions.values()].flatMap((m) => {
      const newest = [...m.values()].sort((a, b) => b.version - a.version)[0];
      return newest === undefined ? [] : [newest];
    });
  }

  listVersions(name: string): LayerVersion[] {
    return [...(this.versions.get(name)?.values() ?? [])].sort((a, b) => b.version - a.version);
  }

  get(name: string, version: number): LayerVersion {
    const l = this.versions.get(name)?.get(version);
    if (l === undefined)
      throw new VajraError("FunctionNotFound", `Layer version ${layerArn(name)}:${version} does not exist.`);
    return l;
  }

  /** Deletes a version; functions that use it keep working (they hold its digest). */
  async delete(name: string, version: number): Promise<void> {
    if (this.versions.get(name)?.get(version) === undefined) return; // Lambda answers 204 either way
    await this.store.deleteLayerVersion(name, version);
    this.versions.get(name)?.delete(version);
  }

  digests(): Set<string> {
    const out = new Set<string>();
    for (const m of this.versions.values()) for (const l of m.values()) out.add(l.codeSha256);
    return out;
  }

  /** Validates a function's `Layers` list (at most 5 layer version ARNs that exist). */
  resolve(arns: unknown): FunctionLayer[] {
    if (!Array.isArray(arns) || arns.some((a) => typeof a !== "string"))
      throw invalid("Layers must be a list of layer version ARNs", { field: "Layers" });
    if (arns.length > MAX_LAYERS)
      throw invalid(`a function can use at most ${MAX_LAYERS} layers; got ${arns.length}`, {
        field: "Layers",
      });
    return (arns as string[]).map((arn) => {
      const m = ARN_RE.exec(arn);
      if (m === null) throw invalid(`invalid layer version ARN '${arn}'`, { field: "Layers" });
      // Layers are regional, as on AWS: a function uses layers of its own region only.
      if (m[1] !== arnScope().region)
        throw invalid(`layer ${arn} is not in the function's region ${arnScope().region}`, {
          field: "Layers",
        });
      const l = this.get(m[2] as string, Number(m[3]));
      return { arn, codeSha256: l.codeSha256, codeSize: l.codeSize };
    });
  }

  /** The /opt tree for these layers (merged once per combination), or undefined without layers. */
  async optDir(layers: readonly FunctionLayer[] | undefined): Promise<string | undefined> {
    if (layers === undefined || layers.length === 0) return undefined;
    const key = createHash("sha256")
      .update(layers.map((l) => l.codeSha256).join(","))
      .digest("hex");
    const dir = join(this.optRoot, key);
    if (existsSync(dir)) return dir;
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    await mkdir(tmp, { recursive: true, mode: 0o755 });
    for (const l of layers) await mergeTree(await this.blobs.ensureUnpacked(l.codeSha256), tmp);
    try {
      await rename(tmp, dir);
    } catch {
      await rm(tmp, { recursive: true, force: true }); // another caller built it first
    }
    return dir;
  }
}

/** Hard-links every file of `src` into `dst` (replacing what an earlier layer put there). */
async function mergeTree(src: string, dst: string): Promise<void> {
  for (const entry of await readdir(src, { withFileTypes: true })) {
    const from = join(src, entry.name);
    const to = join(dst, entry.name);
    if (entry.isDirectory()) {
      const st = await lstat(to).catch(() => undefined);
      if (st !== undefined && !st.isDirectory()) await rm(to, { force: true });
      await mkdir(to, { recursive: true, mode: 0o755 });
      await mergeTree(from, to);
    } else {
      await rm(to, { recursive: true, force: true });
      if (entry.isSymbolicLink()) await symlink(await readlink(from), to);
      else await link(from, to);
    }
  }
}
