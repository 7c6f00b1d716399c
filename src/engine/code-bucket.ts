// Vajra's own code-upload store: a minimal S3 (buckets of objects, no versions, no ACLs) so that
// `aws s3 cp` and `sam deploy --s3-bucket` work against Vajra alone, and CreateFunction can take
// Code.S3Bucket/S3Key from it. Bytes are content-addressed blobs in their own folder (so function code
// garbage collection never sees them); names and metadata are in the store.

import { createHash } from "node:crypto";
import { join } from "node:path";
import { VajraError } from "../core/errors.js";
import type { BucketRecord, ObjectRecord } from "../core/types.js";
import { BlobStore } from "../blobs/code-package.js";
import type { Store } from "../store/store.js";

/** S3's largest single PUT is 5 GB; code from S3 cannot unzip to more than 250 MB, so this is plenty. */
export const MAX_OBJECT_BYTES = 256 * 1024 * 1024;
const MAX_KEY_BYTES = 1024;
// S3's bucket naming rules: 3-63 characters, lower-case letters, digits, dots and hyphens, starting
// and ending with a letter or digit, not an IP address.
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An S3 error: its S3 code (NoSuchKey, ...) travels in details.s3Code for the S3 API edge. */
function s3Error(code: "NotFound" | "InvalidParameter" | "AlreadyExists", s3Code: string, message: string) {
  return new VajraError(code, message, { details: { s3Code } });
}

export const noSuchBucket = (bucket: string): VajraError =>
  s3Error("NotFound", "NoSuchBucket", `The specified bucket does not exist: ${bucket}`);
export const noSuchKey = (key: string): VajraError =>
  s3Error("NotFound", "NoSuchKey", `The specified key does not exist: ${key}`);

export function checkBucketName(name: string): void {
  if (!BUCKET_RE.test(name) || name.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    throw s3Error(
      "InvalidParameter",
      "InvalidBucketName",
      `The specified bucket is not valid: '${name}' (3-63 characters: a-z, 0-9, '.', '-')`,
    );
  }
}

function checkKey(key: string): void {
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes === 0 || bytes > MAX_KEY_BYTES)
    throw s3Error(
      "InvalidParameter",
      "KeyTooLongError",
      `Object keys are 1 to ${MAX_KEY_BYTES} bytes of UTF-8`,
    );
}

export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Buffer;
  contentType?: string;
  /** The base64 MD5 the client sent as Content-MD5, checked against the bytes. */
  contentMd5?: string;
  /** Region of a bucket the put creates (the request's signing region). */
  region: string;
}

export class CodeBucket {
  private readonly blobs: BlobStore;
  /** Changes run one at a time, so a collection never removes a blob a put is about to reference. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    dataDir: string,
  ) {
    this.blobs = new BlobStore(join(dataDir, "s3"));
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Creates a bucket; creating one that exists answers S3's BucketAlreadyOwnedByYou. */
  createBucket(name: string, region: string): Promise<BucketRecord> {
    checkBucketName(name);
    return this.serialize(async () => {
      if ((await this.store.getBucket(name)) !== undefined)
        throw s3Error(
          "AlreadyExists",
          "BucketAlreadyOwnedByYou",
          `Your previous request to create the named bucket succeeded and you already own it: ${name}`,
        );
      const bucket: BucketRecord = { name, region, createdAt: new Date().toISOString() };
      await this.store.putBucket(bucket);
      return bucket;
    });
  }

  async getBucket(name: string): Promise<BucketRecord> {
    const bucket = await this.store.getBucket(name);
    if (bucket === undefined) throw noSuchBucket(name);
    return bucket;
  }

  listBuckets(): Promise<BucketRecord[]> {
    return this.store.listBuckets();
  }

  deleteBucket(name: string): Promise<void> {
    return this.serialize(async () => {
      await this.getBucket(name);
      if ((await this.store.listObjects(name)).length > 0)
        throw s3Error(
          "AlreadyExists",
          "BucketNotEmpty",
          `The bucket you tried to delete is not empty: ${name}`,
        );
      await this.store.deleteBucket(name);
    });
  }

  /**
   * Stores an object, replacing any at the same key. A bucket that does not exist yet is created (S3
   * would answer NoSuchBucket; here `aws s3 cp` alone is enough to stage code).
   */
  putObject(input: PutObjectInput): Promise<ObjectRecord> {
    checkBucketName(input.bucket);
    checkKey(input.key);
    if (input.body.length > MAX_OBJECT_BYTES)
      throw s3Error("InvalidParameter", "EntityTooLarge", `Objects are at most ${MAX_OBJECT_BYTES} bytes`);
    const md5 = createHash("md5").update(input.body).digest();
    if (input.contentMd5 !== undefined && input.contentMd5 !== md5.toString("base64"))
      throw s3Error(
        "InvalidParameter",
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
      );
    return this.serialize(async () => {
      if ((await this.store.getBucket(input.bucket)) === undefined) {
        await this.store.putBucket({
          name: input.bucket,
          region: input.region,
          createdAt: new Date().toISOString(),
        });
      }
      const stored = await this.blobs.put(input.body);
      const object: ObjectRecord = {
        bucket: input.bucket,
        key: input.key,
        sha256: stored.sha256,
        size: stored.size,
        etag: md5.toString("hex"),
        contentType: input.contentType ?? "binary/octet-stream",
        lastModified: new Date().toISOString(),
      };
      const previous = await this.store.getObject(input.bucket, input.key);
      await this.store.putObject(object);
      if (previous !== undefined && previous.sha256 !== object.sha256) await this.collect();
      return object;
    });
  }

  async headObject(bucket: string, key: string): Promise<ObjectRecord> {
    await this.getBucket(bucket);
    const object = await this.store.getObject(bucket, key);
    if (object === undefined) throw noSuchKey(key);
    return object;
  }

  async getObject(bucket: string, key: string): Promise<{ object: ObjectRecord; body: Buffer }> {
    const object = await this.headObject(bucket, key);
    return { object, body: await this.blobs.read(object.sha256) };
  }

  /** Objects of a bucket, in key order, with keys starting with `prefix`. */
  async listObjects(bucket: string, prefix = ""): Promise<ObjectRecord[]> {
    await this.getBucket(bucket);
    return (await this.store.listObjects(bucket)).filter((o) => o.key.startsWith(prefix));
  }

  /** Deleting a key that does not exist succeeds, as in S3. */
  deleteObject(bucket: string, key: string): Promise<void> {
    return this.serialize(async () => {
      await this.getBucket(bucket);
      if (await this.store.deleteObject(bucket, key)) await this.collect();
    });
  }

  /** Removes blobs no object refers to any more. */
  private async collect(): Promise<void> {
    const keep = new Set<string>();
    for (const b of await this.store.listBuckets())
      for (const o of await this.store.listObjects(b.name)) keep.add(o.sha256);
    await this.blobs.gc(keep);
  }
}
