// Storage triggers, an EventSource: a watched directory or an S3-compatible store's webhook (MinIO,
// Ceph RGW, Garage) invokes a function with S3 event notifications. Each event is one Event invocation
// whose queue entry is written in the same transaction as the trigger's bookkeeping (what it reported
// for that file), so it inherits retries, maximum age and destinations and is reported once.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { statSync } from "node:fs";
import { isAbsolute, resolve as resolvePath, sep } from "node:path";
import { VajraError, invalid, isVajraError } from "../../core/errors.js";
import type { ArnScope } from "../../core/arn-scope.js";
import {
  STORAGE_EVENT_TYPES,
  checkStorageTriggerName,
  globFilter,
  s3EventRecord,
  type ReportedChange,
  type StorageEventType,
  type StorageTriggerKind,
  type StorageTriggerRecord,
} from "../../core/storage-event.js";
import type { Store } from "../../store/store.js";
import type { AsyncInvokeSink, EventSource, EventSourceStatus } from "./event-source.js";
import { DirWatcher, type DirChange } from "./dir-watcher.js";
import { parseTarget } from "./schedule-input.js";

/** The most records one webhook delivery may carry (MinIO and Ceph send one per request). */
export const MAX_WEBHOOK_RECORDS = 100;

export interface StorageTriggerInput {
  name?: unknown;
  kind?: unknown;
  function?: unknown;
  qualifier?: unknown;
  path?: unknown;
  include?: unknown;
  exclude?: unknown;
  events?: unknown;
}

export interface StorageTriggerView extends Omit<StorageTriggerRecord, "secretSha256"> {
  bucketArn: string;
  /** The webhook's secret: only in the answer to its creation. */
  secret?: string;
  /** Events queued since the server started. */
  delivered: number;
  lastError?: string;
}

export interface StorageSourceOptions {
  store: Store;
  sink: AsyncInvokeSink;
  scope: ArnScope;
  /** Throws FunctionNotFound (or InvalidParameter for a qualifier) when the target does not exist. */
  resolve: (functionName: string, qualifier?: string) => void;
  onWarning: (message: string) => void;
  onError: (err: unknown) => void;
  /** The server's data directory: a trigger may not watch it (its own writes would trigger it). */
  dataDir?: string;
  /** Tests may shorten the directory watcher's quiet period and rescan interval. */
  quietMs?: number;
  rescanMs?: number;
}

interface Entry {
  record: StorageTriggerRecord;
  watcher?: DirWatcher;
  delivered: number;
  lastError?: string;
}

export function storageTriggerNotFound(name: string): VajraError {
  return new VajraError("StorageTriggerNotFound", `Storage trigger ${name} does not exist.`);
}

function stringList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  const list = typeof v === "string" ? v.split(",") : v;
  if (!Array.isArray(list) || list.some((g) => typeof g !== "string"))
    throw invalid(`${field} must be a list of strings`);
  return (list as string[]).map((g) => g.trim()).filter((g) => g !== "");
}

const sha256 = (s: string): Buffer => createHash("sha256").update(s).digest();

export class StorageTriggerSource implements EventSource {
  readonly kind = "storage";
  private readonly entries = new Map<string, Entry>();
  private stopped = true;
  private seq = 0;

  constructor(private readonly opts: StorageSourceOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    for (const record of await this.opts.store.listStorageTriggers()) {
      const entry: Entry = { record, delivered: 0 };
      this.entries.set(record.name, entry);
      await this.watch(entry);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) e.watcher?.stop();
  }

  describe(): EventSourceStatus[] {
    return [...this.entries.values()].map((e) => ({
      kind: e.record.kind,
      name: e.record.name,
      state: e.record.state,
      functionName: e.record.functionName,
      ...(e.lastError === undefined ? {} : { reason: e.lastError }),
    }));
  }

  list(): StorageTriggerView[] {
    return [...this.entries.values()].map((e) => this.view(e));
  }

  get(name: string): StorageTriggerView {
    return this.view(this.entry(name));
  }

  /** Checks everything first: a bad field or a missing function or directory changes nothing. */
  async create(input: StorageTriggerInput): Promise<StorageTriggerView> {
    const name = checkStorageTriggerName(input.name);
    if (this.entries.has(name))
      throw new VajraError("AlreadyExists", `Storage trigger ${name} already exists.`);
    const kind = input.kind as StorageTriggerKind;
    if (kind !== "directory" && kind !== "webhook") throw invalid("kind must be directory or webhook");
    if (typeof input.function !== "string" || input.function === "")
      throw invalid("function is required (a function name or ARN)");
    if (input.qualifier !== undefined && input.qualifier !== null && typeof input.qualifier !== "string")
      throw invalid("qualifier must be a string");
    const target = parseTarget(input.function, input.qualifier ?? undefined, this.opts.scope);
    this.opts.resolve(target.functionName, target.qualifier);
    const now = Date.now();
    const record: StorageTriggerRecord = {
      name,
      kind,
      functionName: target.functionName,
      ...(target.qualifier === undefined ? {} : { qualifier: target.qualifier }),
      state: "ENABLED",
      include: [],
      exclude: [],
      events: [...STORAGE_EVENT_TYPES],
      createdAt: now,
      updatedAt: now,
    };
    let secret: string | undefined;
    if (kind === "directory") {
      record.path = this.checkDirectory(input.path);
      record.include = stringList(input.include, "include");
      record.exclude = stringList(input.exclude, "exclude");
      globFilter(record.include, record.exclude); // a malformed glob fails here
      if (input.events !== undefined) {
        const events = stringList(input.events, "events");
        for (const ev of events)
          if (!STORAGE_EVENT_TYPES.includes(ev as StorageEventType))
            throw invalid(`events: '${ev}' is not one of ${STORAGE_EVENT_TYPES.join(", ")}`);
        if (events.length === 0) throw invalid("events must name at least one of created, modified, deleted");
        record.events = [...new Set(events)] as StorageEventType[];
      }
    } else {
      for (const f of ["path", "include", "exclude", "events"] as const)
        if (input[f] !== undefined) throw invalid(`${f} applies to directory triggers only`);
      secret = randomBytes(24).toString("base64url");
      record.secretSha256 = sha256(secret).toString("hex");
    }
    await this.opts.store.putStorageTrigger(record);
    const entry: Entry = { record, delivered: 0 };
    this.entries.set(name, entry);
    await this.watch(entry);
    return { ...this.view(entry), ...(secret === undefined ? {} : { secret }) };
  }

  async setEnabled(name: string, enabled: boolean): Promise<StorageTriggerView> {
    const e = this.entry(name);
    const record: StorageTriggerRecord = {
      ...e.record,
      state: enabled ? "ENABLED" : "DISABLED",
      updatedAt: Date.now(),
    };
    await this.opts.store.putStorageTrigger(record);
    e.watcher?.stop();
    delete e.watcher;
    e.record = record;
    await this.watch(e);
    return this.view(e);
  }

  async delete(name: string): Promise<void> {
    const e = this.entry(name);
    e.watcher?.stop();
    await this.opts.store.deleteStorageTrigger(name);
    this.entries.delete(name);
  }

  /**
   * One webhook delivery: checks the secret (as the route found it) in constant time (an unknown trigger fails the same
   * way), then queues one Event invocation per record. Resolves how many were queued.
   */
  async deliver(name: string, token: string, body: unknown): Promise<number> {
    const e = this.entries.get(name);
    const expected =
      e?.record.secretSha256 === undefined ? randomBytes(32) : Buffer.from(e.record.secretSha256, "hex");
    if (!timingSafeEqual(sha256(token), expected) || e === undefined)
      throw new VajraError(
        "Unauthorized",
        "missing or invalid trigger secret: send 'Authorization: Bearer <secret>'",
      );
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw invalid("request body must be a JSON object with Records (an S3 event notification)");
    const records = (body as { Records?: unknown }).Records;
    if (!Array.isArray(records) || records.length === 0)
      throw invalid("Records must be a non-empty list of S3 event records");
    if (records.length > MAX_WEBHOOK_RECORDS)
      throw invalid(`Records holds ${records.length} records; at most ${MAX_WEBHOOK_RECORDS} per request`);
    for (const [i, r] of records.entries())
      if (
        typeof r !== "object" ||
        r === null ||
        Array.isArray(r) ||
        typeof (r as { eventName?: unknown }).eventName !== "string"
      )
        throw invalid(`Records[${i}] is not an S3 event record (an object with eventName)`);
    if (e.record.state !== "ENABLED") return 0; // as a disabled notification: accepted and dropped
    let queued = 0;
    for (const r of records as unknown[]) if (await this.queue(e, { Records: [r] }, undefined)) queued++;
    return queued;
  }

  arn(name: string): string {
    return `arn:aws:s3:::${name}`;
  }

  private checkDirectory(path: unknown): string {
    if (typeof path !== "string" || path === "") throw invalid("path is required for a directory trigger");
    if (!isAbsolute(path)) throw invalid(`path: '${path}' must be an absolute path`);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) throw invalid(`path: '${path}' does not exist`);
    if (!st.isDirectory()) throw invalid(`path: '${path}' is not a directory`);
    const dir = resolvePath(path);
    const data = this.opts.dataDir === undefined ? undefined : resolvePath(this.opts.dataDir);
    const within = (a: string, b: string): boolean => a === b || a.startsWith(b.endsWith(sep) ? b : b + sep);
    if (data !== undefined && (within(dir, data) || within(data, dir)))
      throw invalid(`path: '${path}' overlaps the server's data directory ${data}; watch another directory`);
    return dir;
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (e === undefined) throw storageTriggerNotFound(name);
    return e;
  }

  private view(e: Entry): StorageTriggerView {
    const rest: Partial<StorageTriggerRecord> = { ...e.record };
    delete rest.secretSha256; // never shown after creation
    return {
      ...(rest as StorageTriggerRecord),
      bucketArn: this.arn(e.record.name),
      delivered: e.delivered,
      ...(e.lastError === undefined ? {} : { lastError: e.lastError }),
    };
  }

  private async watch(e: Entry): Promise<void> {
    const r = e.record;
    if (this.stopped || r.kind !== "directory" || r.state !== "ENABLED" || r.path === undefined) return;
    const reported = new Map((await this.opts.store.listReportedFiles(r.name)).map((f) => [f.path, f]));
    const watcher = new DirWatcher({
      root: r.path,
      filter: globFilter(r.include, r.exclude),
      reported,
      emit: (change) => this.emitChange(e, change),
      onProblem: (m) => {
        if (m !== undefined && m !== e.lastError) this.opts.onWarning(`storage trigger ${r.name}: ${m}`);
        if (m === undefined) delete e.lastError;
        else e.lastError = m;
      },
      ...(this.opts.quietMs === undefined ? {} : { quietMs: this.opts.quietMs }),
      ...(this.opts.rescanMs === undefined ? {} : { rescanMs: this.opts.rescanMs }),
    });
    e.watcher = watcher;
    watcher.start();
  }

  private async emitChange(e: Entry, c: DirChange): Promise<void> {
    const change: ReportedChange = c.file === undefined ? { path: c.path } : { path: c.path, file: c.file };
    if (c.type === undefined || !e.record.events.includes(c.type)) {
      if (!(await this.opts.store.reportStorageEvent(e.record.name, change)))
        throw storageTriggerNotFound(e.record.name);
      return;
    }
    const record = s3EventRecord({
      bucket: e.record.name,
      key: c.path,
      eventName: c.type === "deleted" ? "ObjectRemoved:Delete" : "ObjectCreated:Put",
      ...(c.file === undefined ? {} : { size: c.file.size, etag: c.file.etag }),
      sequencer: this.sequencer(),
      time: Date.now(),
      region: this.opts.scope.region,
      account: this.opts.scope.account,
    });
    await this.queue(e, { Records: [record] }, change);
  }

  /** Queues one Event invocation with the bookkeeping `change`; a missing target records the change only. */
  private async queue(e: Entry, event: unknown, change: ReportedChange | undefined): Promise<boolean> {
    const r = e.record;
    const { store } = this.opts;
    try {
      const id = await this.opts.sink.invokeAsync(
        r.functionName,
        Buffer.from(JSON.stringify(event)),
        r.qualifier,
        (item) => store.reportStorageEvent(r.name, change, item),
      );
      if (id === undefined) throw storageTriggerNotFound(r.name);
      e.delivered++;
      return true;
    } catch (err) {
      if (!isVajraError(err) || !err.userError || err.code === "StorageTriggerNotFound") throw err;
      // The target is gone (deleted function or alias): the event is lost, as on AWS, and noted.
      e.lastError = err.message;
      this.opts.onWarning(`storage trigger ${r.name}: ${err.message}`);
      if (change !== undefined) await store.reportStorageEvent(r.name, change);
      return false;
    }
  }

  /** S3's sequencer: hex that grows with each event (per key on S3; here per trigger source). */
  private sequencer(): string {
    this.seq = (this.seq + 1) % 4096;
    return (Date.now() * 4096 + this.seq).toString(16).toUpperCase().padStart(16, "0");
  }
}
