// Storage triggers' record and the pure shapes around them: S3 event notification records (what a
// function subscribed to a bucket receives on AWS), S3's URL encoding of object keys, and the glob
// filter a directory trigger applies to relative paths. Kept pure so the watcher and webhook share them.

import { invalid } from "./errors.js";

export type StorageTriggerKind = "directory" | "webhook";
export type StorageEventType = "created" | "modified" | "deleted";
export const STORAGE_EVENT_TYPES: readonly StorageEventType[] = ["created", "modified", "deleted"];

export interface StorageTriggerRecord {
  name: string;
  kind: StorageTriggerKind;
  functionName: string;
  qualifier?: string;
  state: "ENABLED" | "DISABLED";
  /** directory: the absolute directory watched (recursively). */
  path?: string;
  /** directory: globs a relative path must match (any), and must not match (none). */
  include: string[];
  exclude: string[];
  /** directory: which changes invoke the function. */
  events: StorageEventType[];
  /** webhook: sha256 (hex) of the secret; the secret itself is shown once, at creation. */
  secretSha256?: string;
  createdAt: number;
  updatedAt: number;
}

/** What a directory trigger last reported for one file (so a restart reports only what changed). */
export interface ReportedFile {
  path: string;
  size: number;
  mtimeMs: number;
  etag: string;
}

/** One change to what a trigger has reported: `file` undefined means the path is gone. */
export interface ReportedChange {
  path: string;
  file?: ReportedFile;
}

const NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Trigger names are S3 bucket names (3-63 lowercase letters, digits, dots, hyphens): they are the bucket. */
export function checkStorageTriggerName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name) || name.includes(".."))
    throw invalid(
      `name: '${String(name)}' is not a valid trigger name (3-63 lowercase letters, digits, '.' and '-', as an S3 bucket name; it is the event's bucket name)`,
    );
  return name;
}

/** S3 URL-encodes keys in notifications as a form (space as '+', '/' kept), like Java's URLEncoder. */
export function s3EncodeKey(key: string): string {
  return key
    .split("/")
    .map((seg) =>
      encodeURIComponent(seg)
        .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, "+"),
    )
    .join("/");
}

export interface S3EventInput {
  bucket: string;
  key: string;
  eventName: "ObjectCreated:Put" | "ObjectRemoved:Delete";
  size?: number;
  etag?: string;
  sequencer: string;
  time: number;
  region: string;
  account: string;
}

/** One S3 event notification record (eventVersion 2.1), as Lambda receives it from an S3 bucket. */
export function s3EventRecord(e: S3EventInput): Record<string, unknown> {
  const object: Record<string, unknown> = { key: s3EncodeKey(e.key) };
  if (e.size !== undefined) object.size = e.size;
  if (e.etag !== undefined) object.eTag = e.etag;
  object.sequencer = e.sequencer;
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: e.region,
    eventTime: new Date(e.time).toISOString(),
    eventName: e.eventName,
    userIdentity: { principalId: "vajra" },
    requestParameters: { sourceIPAddress: "127.0.0.1" },
    responseElements: { "x-amz-request-id": "vajra", "x-amz-id-2": "vajra" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: e.bucket,
      bucket: {
        name: e.bucket,
        ownerIdentity: { principalId: e.account },
        arn: `arn:aws:s3:::${e.bucket}`,
      },
      object,
    },
  };
}

/** Compiles one glob: `**` spans directories, `*` and `?` do not, `[...]` is a class. */
function globRegex(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        // `**/` also matches no directory at all.
        if (glob[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) throw invalid(`glob '${glob}': '[' without a closing ']'`);
      let cls = glob.slice(i + 1, end).replace(/\\/g, "\\\\");
      if (cls.startsWith("!")) cls = `^${cls.slice(1)}`;
      re += `[${cls}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** A path filter: a glob without '/' matches the file's name at any depth, one with '/' the whole relative path. */
export function globFilter(include: string[], exclude: string[]): (relPath: string) => boolean {
  const compile = (g: string): ((p: string) => boolean) => {
    if (g === "") throw invalid("a glob must not be empty");
    const re = globRegex(g.replace(/^\/+/, ""));
    return g.includes("/") ? (p) => re.test(p) : (p) => re.test(p.slice(p.lastIndexOf("/") + 1));
  };
  const inc = include.map(compile);
  const exc = exclude.map(compile);
  return (p) => (inc.length === 0 || inc.some((f) => f(p))) && !exc.some((f) => f(p));
}
