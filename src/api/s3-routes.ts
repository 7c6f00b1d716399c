// Vajra's code bucket as a minimal S3 REST API (path-style, SigV4 service `s3`) under /_s3, enough for
// `aws s3 mb/cp/ls/rm` and `sam deploy --s3-bucket` with `--endpoint-url http://host:port/_s3`:
// ListBuckets, Create/Head/Delete Bucket, ListObjects(V2), Put/Get/Head/Delete Object.
// API: https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html

import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isVajraError, type VajraError } from "../core/errors.js";
import { percentDecode } from "../core/sigv4-sign.js";
import type { ObjectRecord } from "../core/types.js";
import { MAX_OBJECT_BYTES } from "../engine/code-bucket.js";
import type { Platform } from "../engine/platform.js";
import { toVajraError } from "./http-errors.js";
import { decodeAwsChunked } from "./aws-chunked.js";
import { signedRequestOf, signedScope } from "./request-scope.js";
import { verifySigV4, type SigV4Credentials, type SigV4ErrorType } from "./sigv4.js";
import { xmlEscape } from "./sts-routes.js";
import { acceptRawBodies } from "./raw-body.js";

export const S3_PREFIX = "/_s3";
const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

export interface S3Options {
  platform: Platform;
  lookupKey: (accessKeyId: string) => SigV4Credentials | undefined;
  accountOf: (accessKeyId: string) => string;
}

export function isS3Path(url: string): boolean {
  return url === S3_PREFIX || url.startsWith(`${S3_PREFIX}/`) || url.startsWith(`${S3_PREFIX}?`);
}

const STATUS: Record<string, number> = {
  NoSuchBucket: 404,
  NoSuchKey: 404,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  AccessDenied: 403,
  SignatureDoesNotMatch: 403,
  InvalidAccessKeyId: 403,
  NotImplemented: 501,
  InternalError: 500,
};
const SIGV4_CODES: Record<SigV4ErrorType, string> = {
  MissingAuthenticationTokenException: "AccessDenied",
  IncompleteSignatureException: "AuthorizationHeaderMalformed",
  InvalidSignatureException: "SignatureDoesNotMatch",
  UnrecognizedClientException: "InvalidAccessKeyId",
};

function sendS3Error(
  req: FastifyRequest,
  reply: FastifyReply,
  code: string,
  message: string,
  extra = "",
): FastifyReply {
  const requestId = randomUUID();
  reply
    .code(STATUS[code] ?? 400)
    .header("x-amz-request-id", requestId)
    .header("content-type", "application/xml");
  // HEAD answers carry no body; clients read the status alone.
  if (req.method === "HEAD") return reply.send();
  return reply.send(
    `${XML_HEAD}<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}` +
      `<RequestId>${requestId}</RequestId></Error>`,
  );
}

function sendVajraErrorAsS3(req: FastifyRequest, reply: FastifyReply, e: VajraError): FastifyReply {
  const s3Code = e.details?.s3Code;
  if (typeof s3Code === "string") return sendS3Error(req, reply, s3Code, e.message);
  if (e.code === "RequestTooLarge") return sendS3Error(req, reply, "EntityTooLarge", e.message);
  return sendS3Error(req, reply, e.userError ? "InvalidRequest" : "InternalError", e.message);
}

/** Bucket and key from the raw path: `/_s3/<bucket>[/<key>]`, the key decoded once, '+' literal. */
function target(req: FastifyRequest): { bucket: string; key: string; query: URLSearchParams } {
  const q = req.url.indexOf("?");
  const path = (q < 0 ? req.url : req.url.slice(0, q)).slice(S3_PREFIX.length + 1);
  const slash = path.indexOf("/");
  const decode = (s: string): string => percentDecode(s).toString("utf8");
  return {
    bucket: decode(slash < 0 ? path : path.slice(0, slash)),
    key: slash < 0 ? "" : decode(path.slice(slash + 1)),
    query: new URLSearchParams(q < 0 ? "" : req.url.slice(q + 1)),
  };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === "string" ? v : undefined;
}

function objectHeaders(reply: FastifyReply, o: ObjectRecord): FastifyReply {
  return reply
    .header("etag", `"${o.etag}"`)
    .header("last-modified", new Date(o.lastModified).toUTCString())
    .header("content-type", o.contentType)
    .header("accept-ranges", "bytes");
}

function contents(o: ObjectRecord): string {
  return (
    `<Contents><Key>${xmlEscape(o.key)}</Key><LastModified>${o.lastModified}</LastModified>` +
    `<ETag>&quot;${o.etag}&quot;</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`
  );
}

/** ListObjects (v1) and ListObjectsV2 with prefix, delimiter, max-keys and a key-based cursor. */
function listResult(bucket: string, all: ObjectRecord[], query: URLSearchParams): string {
  const v2 = query.get("list-type") === "2";
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const maxKeys = Math.min(1000, Math.max(0, Number(query.get("max-keys") ?? "1000") || 0));
  const token = query.get("continuation-token");
  const after = v2
    ? token !== null
      ? Buffer.from(token, "base64url").toString("utf8")
      : (query.get("start-after") ?? "")
    : (query.get("marker") ?? "");
  const objects: ObjectRecord[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let last = "";
  for (const o of all) {
    if (Buffer.compare(Buffer.from(o.key), Buffer.from(after)) <= 0) continue;
    const rest = o.key.slice(prefix.length);
    const cut = delimiter === "" ? -1 : rest.indexOf(delimiter);
    const common = cut < 0 ? undefined : prefix + rest.slice(0, cut + delimiter.length);
    if (common !== undefined && prefixes.includes(common)) continue;
    if (objects.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (common !== undefined) prefixes.push(common);
    else objects.push(o);
    last = common ?? o.key;
  }
  const cursor = truncated
    ? v2
      ? `<NextContinuationToken>${Buffer.from(last).toString("base64url")}</NextContinuationToken>`
      : `<NextMarker>${xmlEscape(last)}</NextMarker>`
    : "";
  return (
    `${XML_HEAD}<ListBucketResult xmlns="${XMLNS}"><Name>${xmlEscape(bucket)}</Name>` +
    `<Prefix>${xmlEscape(prefix)}</Prefix>${delimiter === "" ? "" : `<Delimiter>${xmlEscape(delimiter)}</Delimiter>`}` +
    (v2
      ? `<KeyCount>${objects.length + prefixes.length}</KeyCount>`
      : `<Marker>${xmlEscape(after)}</Marker>`) +
    `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${cursor}` +
    objects.map(contents).join("") +
    prefixes.map((p) => `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`).join("") +
    `</ListBucketResult>`
  );
}

export function registerS3Routes(app: FastifyInstance, opts: S3Options): void {
  const bucketApi = opts.platform.codeBucket;
  void app.register((scope, _o, done) => {
    // Chunked encoding adds a little per 64 KB chunk; the limit on the decoded object is checked after.
    acceptRawBodies(scope, MAX_OBJECT_BYTES + 1024 * 1024);
    scope.setErrorHandler((err, req, reply) => {
      const e = isVajraError(err) ? err : toVajraError(err);
      if (!e.userError) req.log.error({ err }, "code bucket request failed");
      return sendVajraErrorAsS3(req, reply, e);
    });

    const handle = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      let body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const result = verifySigV4(signedRequestOf(req, body), opts.lookupKey, new Date(), { s3: true });
      if (!result.ok) return sendS3Error(req, reply, SIGV4_CODES[result.errorType], result.message);
      const signed = signedScope(opts.platform.arnScope, result.region);
      if (typeof signed === "string") return sendS3Error(req, reply, "AuthorizationHeaderMalformed", signed);
      if (opts.accountOf(result.accessKeyId) !== signed.account)
        return sendS3Error(
          req,
          reply,
          "AccessDenied",
          "Access Denied: the code bucket belongs to another account",
        );
      if (result.streaming !== undefined) {
        const decoded = decodeAwsChunked(body, result.streaming.signed ? result.streaming.chunks : undefined);
        if (typeof decoded === "string")
          return sendS3Error(
            req,
            reply,
            result.streaming.signed ? "SignatureDoesNotMatch" : "IncompleteBody",
            decoded,
          );
        body = decoded;
      }
      const { bucket, key, query } = target(req);
      const m = req.method;
      if (bucket === "") {
        if (m !== "GET")
          return sendS3Error(req, reply, "MethodNotAllowed", `${m} is not allowed on the service`);
        const buckets = await bucketApi.listBuckets();
        return reply
          .header("content-type", "application/xml")
          .send(
            `${XML_HEAD}<ListAllMyBucketsResult xmlns="${XMLNS}"><Owner><ID>${signed.account}</ID>` +
              `<DisplayName>vajra</DisplayName></Owner><Buckets>` +
              buckets
                .map(
                  (b) =>
                    `<Bucket><Name>${xmlEscape(b.name)}</Name><CreationDate>${b.createdAt}</CreationDate></Bucket>`,
                )
                .join("") +
              `</Buckets></ListAllMyBucketsResult>`,
          );
      }
      if (key === "") {
        if (m === "PUT") {
          const location = /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(
            body.toString("utf8"),
          )?.[1];
          await bucketApi.createBucket(bucket, location || signed.region);
          return reply.header("location", `/${bucket}`).send();
        }
        if (m === "HEAD") {
          const b = await bucketApi.getBucket(bucket);
          return reply.header("x-amz-bucket-region", b.region).send();
        }
        if (m === "DELETE") {
          await bucketApi.deleteBucket(bucket);
          return reply.code(204).send();
        }
        if (m === "GET" && query.has("location")) {
          const b = await bucketApi.getBucket(bucket);
          // us-east-1 buckets answer an empty LocationConstraint, as S3 does.
          const region = b.region === "us-east-1" ? "" : b.region;
          return reply
            .header("content-type", "application/xml")
            .send(`${XML_HEAD}<LocationConstraint xmlns="${XMLNS}">${region}</LocationConstraint>`);
        }
        if (m === "GET") {
          const all = await bucketApi.listObjects(bucket, query.get("prefix") ?? "");
          return reply.header("content-type", "application/xml").send(listResult(bucket, all, query));
        }
        return sendS3Error(req, reply, "MethodNotAllowed", `${m} is not allowed on a bucket`);
      }
      if (m === "PUT") {
        if (header(req, "x-amz-copy-source") !== undefined || query.has("partNumber"))
          return sendS3Error(
            req,
            reply,
            "NotImplemented",
            "Vajra's code bucket implements single-request PutObject only (no copies, no multipart uploads)",
          );
        const object = await bucketApi.putObject({
          bucket,
          key,
          body,
          region: signed.region,
          ...(header(req, "content-type") === undefined ? {} : { contentType: header(req, "content-type") }),
          ...(header(req, "content-md5") === undefined ? {} : { contentMd5: header(req, "content-md5") }),
        });
        return reply.header("etag", `"${object.etag}"`).send();
      }
      if (m === "POST")
        return sendS3Error(
          req,
          reply,
          "NotImplemented",
          "Vajra's code bucket has no multipart uploads: upload objects up to 256 MB with one PUT (aws configure set default.s3.multipart_threshold 256MB)",
        );
      if (m === "HEAD") {
        const object = await bucketApi.headObject(bucket, key);
        return objectHeaders(reply, object).header("content-length", object.size).send();
      }
      if (m === "GET") {
        const { object, body: bytes } = await bucketApi.getObject(bucket, key);
        return objectHeaders(reply, object).send(bytes);
      }
      if (m === "DELETE") {
        await bucketApi.deleteObject(bucket, key);
        return reply.code(204).send();
      }
      return sendS3Error(req, reply, "MethodNotAllowed", `${m} is not allowed on an object`);
    };
    for (const url of [S3_PREFIX, `${S3_PREFIX}/*`]) {
      scope.route({
        method: ["GET", "HEAD", "PUT", "POST", "DELETE"],
        url,
        handler: handle,
        exposeHeadRoute: false,
      });
    }
    done();
  });
}
