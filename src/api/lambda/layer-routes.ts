// Lambda API routes for layers: PublishLayerVersion, ListLayers, ListLayerVersions, GetLayerVersion,
// GetLayerVersionByArn and DeleteLayerVersion.

import type { FastifyInstance } from "fastify";
import { invalid } from "../../core/errors.js";
import { lambdaTimestamp } from "../../core/lambda-format.js";
import type { LayerVersion } from "../../core/types.js";
import type { Platform } from "../../engine/platform.js";
import { layerArn } from "../../engine/layers.js";
import { codeZip } from "./code-input.js";
import { codeSha256Base64 } from "./shapes.js";
import { bodyJson, paginate } from "./request.js";

function versionShape(l: LayerVersion, base: string): Record<string, unknown> {
  return {
    Content: {
      Location: `${base}/2018-10-31/layers/${l.name}/versions/${l.version}`,
      CodeSha256: codeSha256Base64(l.codeSha256),
      CodeSize: l.codeSize,
    },
    LayerArn: layerArn(l.name),
    LayerVersionArn: `${layerArn(l.name)}:${l.version}`,
    Description: l.description,
    CreatedDate: lambdaTimestamp(new Date(l.createdAt)),
    Version: l.version,
    CompatibleRuntimes: l.compatibleRuntimes,
    ...(l.licenseInfo === undefined ? {} : { LicenseInfo: l.licenseInfo }),
  };
}

/** ListLayers/ListLayerVersions items carry no Content. */
function listShape(l: LayerVersion, base: string): Record<string, unknown> {
  const shape = versionShape(l, base);
  delete shape.Content;
  delete shape.LayerArn;
  return shape;
}

type LayerParams = { Params: { layer: string } };
type VersionParams = { Params: { layer: string; version: string } };
type Paged = { Querystring: { Marker?: string; MaxItems?: string; find?: string; Arn?: string } };

export function registerLayerRoutes(scope: FastifyInstance, platform: Platform): void {
  const base = (host: string | undefined): string => `http://${host ?? "127.0.0.1:8700"}`;
  const versionOf = (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw invalid(`invalid layer version '${v}'`);
    return n;
  };

  scope.post<LayerParams>("/2018-10-31/layers/:layer/versions", async (req, reply) => {
    const b = bodyJson(req);
    const zip = await codeZip(platform, b.Content, "Content");
    const runtimes = b.CompatibleRuntimes;
    if (
      runtimes !== undefined &&
      (!Array.isArray(runtimes) || !runtimes.every((r) => typeof r === "string"))
    ) {
      throw invalid("CompatibleRuntimes must be a list of runtime ids");
    }
    const layer = await platform.layers.publish({
      name: req.params.layer,
      zip,
      ...(typeof b.Description === "string" ? { description: b.Description } : {}),
      ...(runtimes === undefined ? {} : { compatibleRuntimes: runtimes }),
      ...(typeof b.LicenseInfo === "string" ? { licenseInfo: b.LicenseInfo } : {}),
    });
    return reply.code(201).send(versionShape(layer, base(req.headers.host)));
  });

  scope.get<Paged>("/2018-10-31/layers", (req) => {
    if (req.query.find === "LayerVersion") {
      // GetLayerVersionByArn
      const m = /:layer:([a-zA-Z0-9_-]+):(\d+)$/.exec(req.query.Arn ?? "");
      if (m === null) throw invalid(`invalid layer version ARN '${req.query.Arn ?? ""}'`);
      return versionShape(platform.layers.get(m[1] as string, Number(m[2])), base(req.headers.host));
    }
    const layers = platform.layers.list().map((l) => ({
      LayerName: l.name,
      LayerArn: layerArn(l.name),
      LatestMatchingVersion: listShape(l, base(req.headers.host)),
    }));
    return paginate(layers, req.query.Marker, req.query.MaxItems, "Layers");
  });

  scope.get<LayerParams & Paged>("/2018-10-31/layers/:layer/versions", (req) =>
    paginate(
      platform.layers.listVersions(req.params.layer).map((l) => listShape(l, base(req.headers.host))),
      req.query.Marker,
      req.query.MaxItems,
      "LayerVersions",
    ),
  );

  scope.get<VersionParams>("/2018-10-31/layers/:layer/versions/:version", (req) =>
    versionShape(
      platform.layers.get(req.params.layer, versionOf(req.params.version)),
      base(req.headers.host),
    ),
  );

  scope.delete<VersionParams>("/2018-10-31/layers/:layer/versions/:version", async (req, reply) => {
    await platform.layers.delete(req.params.layer, versionOf(req.params.version));
    return reply.code(204).send();
  });
}
