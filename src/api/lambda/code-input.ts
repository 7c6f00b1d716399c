// The code of CreateFunction/UpdateFunctionCode (`Code` / the body) and PublishLayerVersion (`Content`):
// a base64 zip inline, or an S3 location the platform fetches (how SAM, CDK and Terraform deploy).

import { invalid } from "../../core/errors.js";
import type { CodeLocation } from "../../engine/code-fetch.js";
import type { Platform } from "../../engine/platform.js";
import { unsupported } from "./request.js";

/** The S3 location in `c`, or undefined when it names none; bad members are named in the error. */
function s3Location(c: Record<string, unknown>, member: string): CodeLocation | undefined {
  if (c.S3Bucket === undefined && c.S3Key === undefined && c.S3ObjectVersion === undefined) return undefined;
  const str = (k: string, max: number): string => {
    const v = c[k];
    if (typeof v !== "string" || v.length === 0 || v.length > max)
      throw invalid(`${member}.${k} must be a string of 1 to ${max} characters`, { field: `${member}.${k}` });
    return v;
  };
  const bucket = str("S3Bucket", 63);
  if (!/^[0-9A-Za-z.\-_]*$/.test(bucket) || bucket.length < 3 || bucket.endsWith("."))
    throw invalid(`${member}.S3Bucket '${bucket}' is not a bucket name`, { field: `${member}.S3Bucket` });
  const loc: CodeLocation = { bucket, key: str("S3Key", 1024) };
  if (c.S3ObjectVersion !== undefined) loc.version = str("S3ObjectVersion", 1024);
  return loc;
}

/** The zip bytes `code` names; `member` is how the operation calls it ("Code", "Content"). */
export async function codeZip(platform: Platform, code: unknown, member = "Code"): Promise<Buffer> {
  const c = (code ?? {}) as Record<string, unknown>;
  const loc = s3Location(c, member);
  if (typeof c.ZipFile === "string") {
    if (loc !== undefined) throw invalid(`${member} takes ZipFile or S3Bucket/S3Key, not both`);
    return Buffer.from(c.ZipFile, "base64");
  }
  if (loc !== undefined) return platform.fetchCode(loc);
  if (c.ImageUri !== undefined) throw unsupported("Code from a container image");
  throw invalid(`${member}.ZipFile (the base64 of a zip file) or ${member}.S3Bucket and S3Key are required`);
}
