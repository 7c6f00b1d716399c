// Function and layer code named by S3 location (Code.S3Bucket/S3Key/S3ObjectVersion), the way SAM, CDK
// and Terraform deploy: fetched from the S3-compatible store the operator configured
// (`--code-s3-endpoint`, e.g. MinIO) with a SigV4-signed GET, or else from Vajra's own code bucket.
// Failures answer as Lambda does: InvalidParameterValueException "Error occurred while GetObject. ...".

import { VajraError, invalid } from "../core/errors.js";
import { signS3Request } from "../core/sigv4-sign.js";
import { MAX_OBJECT_BYTES, type CodeBucket } from "./code-bucket.js";

export interface CodeLocation {
  bucket: string;
  key: string;
  /** S3ObjectVersion; Vajra's own bucket keeps no versions (only "null", S3's unversioned id). */
  version?: string;
}

/** An external S3-compatible store; path-style URLs (`<endpoint>/<bucket>/<key>`), as MinIO serves. */
export interface ExternalS3Options {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The region to sign for (MinIO's default is us-east-1). */
  region: string;
}

const S3_MESSAGES: Record<string, string> = {
  NoSuchKey: "The specified key does not exist.",
  NoSuchBucket: "The specified bucket does not exist",
  NoSuchVersion: "The specified version does not exist.",
  AccessDenied: "Access Denied",
};

/** Lambda's wording for a code object it could not read. */
function getObjectError(s3Code: string, s3Message = S3_MESSAGES[s3Code] ?? s3Code): VajraError {
  return invalid(`Error occurred while GetObject. S3 Error Code: ${s3Code}. S3 Error Message: ${s3Message}`, {
    field: "Code",
    s3Code,
  });
}

function xmlField(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** Path-style object URL; the key keeps its '/' separators, everything else is percent-encoded. */
export function objectUrl(endpoint: string, loc: CodeLocation): URL {
  const base = endpoint.replace(/\/+$/, "");
  const key = loc.key.split("/").map(encodeURIComponent).join("/");
  const url = new URL(`${base}/${encodeURIComponent(loc.bucket)}/${key}`);
  if (loc.version !== undefined) url.searchParams.set("versionId", loc.version);
  return url;
}

export class CodeFetcher {
  constructor(
    private readonly local: CodeBucket,
    private readonly external?: ExternalS3Options,
    private readonly timeoutMs = 60_000,
  ) {}

  /** Where code comes from, for logs and `vajra doctor`. */
  get source(): string {
    return this.external === undefined ? "Vajra's code bucket (/_s3)" : this.external.endpoint;
  }

  async fetch(loc: CodeLocation): Promise<Buffer> {
    return this.external === undefined ? this.fetchLocal(loc) : this.fetchExternal(this.external, loc);
  }

  private async fetchLocal(loc: CodeLocation): Promise<Buffer> {
    if (loc.version !== undefined && loc.version !== "null") throw getObjectError("NoSuchVersion");
    try {
      return (await this.local.getObject(loc.bucket, loc.key)).body;
    } catch (err) {
      const s3Code = err instanceof VajraError ? err.details?.s3Code : undefined;
      if (typeof s3Code === "string") throw getObjectError(s3Code);
      throw err;
    }
  }

  private async fetchExternal(ext: ExternalS3Options, loc: CodeLocation): Promise<Buffer> {
    const url = objectUrl(ext.endpoint, loc);
    const headers = signS3Request({ method: "GET", url, ...ext });
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(this.timeoutMs), redirect: "error" });
    } catch (err) {
      throw new VajraError(
        "Internal",
        `could not reach the code S3 endpoint ${ext.endpoint}: ${String(err)}`,
        {
          cause: err,
        },
      );
    }
    if (!res.ok) {
      const text = await res.text();
      const code = xmlField(text, "Code") ?? (res.status === 404 ? "NoSuchKey" : `HTTP${res.status}`);
      throw getObjectError(code, xmlField(text, "Message"));
    }
    const length = Number(res.headers.get("content-length") ?? "0");
    if (length > MAX_OBJECT_BYTES) throw getObjectError("EntityTooLarge", `the object is ${length} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    // Bounded read: a server that lies about (or omits) Content-Length cannot make us buffer more.
    for await (const chunk of res.body ?? []) {
      total += (chunk as Uint8Array).length;
      if (total > MAX_OBJECT_BYTES)
        throw getObjectError("EntityTooLarge", `the object exceeds ${MAX_OBJECT_BYTES} bytes`);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    return Buffer.concat(chunks);
  }
}
