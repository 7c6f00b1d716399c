// The Store interface: the platform's durable metadata (functions, API keys, invocation records and
// logs), partitioned by region where AWS partitions it. SQLite implements it today; PostgreSQL will implement the same interface and pass the same
// contract suite (store-contract.ts). Methods are async so network-backed stores fit.

import type {
  AccessKeyRecord,
  BuildRecord,
  Alias,
  ApiKeyRecord,
  BucketRecord,
  ObjectRecord,
  FunctionConfig,
  FunctionVersion,
  InvocationRecord,
  LayerVersion,
  QueuedInvocation,
  RoleRecord,
} from "../core/types.js";
import type { NetworkDefinition } from "../core/networks.js";
import type { UsageStore } from "./usage-store.js";
import type { BudgetStore } from "./budget-store.js";
import type { ScheduleRecord } from "../core/schedule.js";
import type { ReportedChange, ReportedFile, StorageTriggerRecord } from "../core/storage-event.js";
import type { HttpRouteRecord } from "../core/route-key.js";
import type { MinuteBucket } from "../core/metric-series.js";
import type { StoredMapping } from "../core/event-source-mapping.js";
import type { LogStore } from "./log-store.js";
import type { PendingDelivery } from "../core/destination.js";

export interface Store {
  /**
   * The region this view reads and writes. Functions, versions, aliases, layers, invocation records and
   * queued invocations belong to a region (as on AWS, the same name may exist in two); API keys, access
   * keys, builds and the code bucket are shared by all.
   */
  readonly region: string;
  /** The same store seen from `region` (a region name such as eu-west-1). */
  inRegion(region: string): Store;
  /** Regions that hold a function, a layer or a queued invocation. */
  listRegions(): Promise<string[]>;

  /** Inserts or replaces a function atomically (one transaction). */
  putFunction(fn: FunctionConfig): Promise<void>;
  getFunction(name: string): Promise<FunctionConfig | undefined>;
  listFunctions(): Promise<FunctionConfig[]>;
  /** Removes the function with its versions, aliases and invocation records; false when it did not exist. */
  deleteFunction(name: string): Promise<boolean>;

  /** Writes a new version and the function (its lastPublishedVersion) in one transaction. */
  publishVersion(fn: FunctionConfig, version: FunctionVersion): Promise<void>;
  /** Every version of every function (the engine keeps them in memory). */
  listAllVersions(): Promise<FunctionVersion[]>;
  deleteVersion(functionName: string, version: string): Promise<void>;

  putLayerVersion(layer: LayerVersion): Promise<void>;
  listLayerVersions(): Promise<LayerVersion[]>;
  deleteLayerVersion(name: string, version: number): Promise<void>;

  /** Package builds by key (source digest, runtime, toolchain): a record per build, kept for its log and reuse. */
  putBuild(build: BuildRecord): Promise<void>;
  getBuild(key: string): Promise<BuildRecord | undefined>;
  listBuilds(): Promise<BuildRecord[]>;
  deleteBuild(key: string): Promise<void>;

  putAlias(alias: Alias): Promise<void>;
  listAllAliases(): Promise<Alias[]>;
  deleteAlias(functionName: string, name: string): Promise<void>;

  /** Log events (written by insertInvocations), retention and the size cap's accounting. */
  readonly logs: LogStore;
  /** Metering: hourly usage, price sheets and per-invocation metering records (usage-store.ts). */
  readonly usage: UsageStore;
  /** Budgets and the alerts already sent for them (budget-store.ts). */
  readonly budgets: BudgetStore;
  /** Writes a batch of finished invocations (with their logs, cut into log events) in one transaction. */
  insertInvocations(records: readonly InvocationRecord[]): Promise<void>;
  /** The newest `limit` invocations of a function, returned oldest first. */
  listInvocations(functionName: string, limit: number): Promise<InvocationRecord[]>;

  /**
   * Adds each delta to the function's stored bucket for its minute (creating it), in one transaction.
   * Buckets go with their function when it is deleted.
   */
  mergeMetricBuckets(deltas: ReadonlyArray<{ functionName: string; bucket: MinuteBucket }>): Promise<void>;
  /** The function's buckets with `fromMs <= minute < toMs`, oldest first. */
  listMetricBuckets(functionName: string, fromMs: number, toMs: number): Promise<MinuteBucket[]>;
  /** Deletes every region's buckets older than `before` (retention); resolves with how many went. */
  pruneMetricBuckets(before: number): Promise<number>;

  putApiKey(key: ApiKeyRecord): Promise<void>;
  findApiKeyByHash(secretHash: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** Deletes an API key; resolves false when there was none with that id. */
  deleteApiKey(id: string): Promise<boolean>;

  putAccessKey(key: AccessKeyRecord): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  listAccessKeys(): Promise<AccessKeyRecord[]>;
  deleteAccessKey(accessKeyId: string): Promise<boolean>;

  /** Durably records an accepted asynchronous invocation: once this resolves, it must run. */
  enqueueInvocation(item: QueuedInvocation): Promise<void>;
  /** Every queued invocation, soonest first. */
  listQueuedInvocations(): Promise<QueuedInvocation[]>;
  /** Replaces a queued invocation (after a failed attempt). */
  updateQueuedInvocation(item: QueuedInvocation): Promise<void>;
  /**
   * Removes it (done, or given up) and, in the same transaction, adds the destination records its end
   * produced to the outbox: a record is never lost between the two.
   */
  dequeueInvocation(requestId: string, deliveries?: readonly PendingDelivery[]): Promise<void>;

  /** Adds (or replaces, after a failed attempt) records waiting for their destination. */
  putDeliveries(deliveries: readonly PendingDelivery[]): Promise<void>;
  /** The region's waiting records, soonest first. */
  listDeliveries(): Promise<PendingDelivery[]>;
  /** Removes a record (delivered, or given up). */
  deleteDelivery(id: string): Promise<void>;

  /** Inserts or replaces a schedule; a replace keeps what its fires recorded (lastDue, lastError). */
  putSchedule(schedule: ScheduleRecord): Promise<void>;
  /** The region's schedules, with the due time and error of their latest fire. */
  listSchedules(): Promise<ScheduleRecord[]>;
  deleteSchedule(group: string, name: string): Promise<boolean>;
  /**
   * Records that the schedule fired for `due` and, in the same transaction, queues `item` (none when
   * the fire was skipped, `error` saying why). Resolves false, writing nothing, when the schedule is gone
   * or already fired for `due` or a later due time: each due time fires at most once.
   */
  fireSchedule(
    group: string,
    name: string,
    due: number,
    item?: QueuedInvocation,
    error?: string,
  ): Promise<boolean>;

  /** Inserts or replaces a storage trigger (directory or S3 webhook). */
  putStorageTrigger(trigger: StorageTriggerRecord): Promise<void>;
  listStorageTriggers(): Promise<StorageTriggerRecord[]>;
  /** Deletes the trigger and what it reported. */
  deleteStorageTrigger(name: string): Promise<boolean>;
  /** What a directory trigger last reported per file. */
  listReportedFiles(name: string): Promise<ReportedFile[]>;
  /**
   * Records `change` to what the trigger reported and, in the same transaction, queues `item`. Resolves
   * false, writing nothing, when the trigger is gone.
   */
  reportStorageEvent(name: string, change?: ReportedChange, item?: QueuedInvocation): Promise<boolean>;
  /** Adds an HTTP route; resolves false, writing nothing, when its route key already has one. */
  addRoute(route: HttpRouteRecord): Promise<boolean>;
  /** The region's HTTP routes, by route key. */
  listRoutes(): Promise<HttpRouteRecord[]>;
  deleteRoute(id: string): Promise<boolean>;

  /** Inserts or replaces an event source mapping (its source's password in its own column). */
  putMapping(mapping: StoredMapping): Promise<void>;
  /** The region's event source mappings. */
  listMappings(): Promise<StoredMapping[]>;
  deleteMapping(uuid: string): Promise<boolean>;

  /** Buckets and objects of the code-upload store; an object's bytes are a blob named by its sha256. */
  putBucket(bucket: BucketRecord): Promise<void>;
  getBucket(name: string): Promise<BucketRecord | undefined>;
  listBuckets(): Promise<BucketRecord[]>;
  /** Removes an empty bucket; false when it did not exist. */
  deleteBucket(name: string): Promise<boolean>;
  /** Inserts or replaces the object at (bucket, key). */
  putObject(object: ObjectRecord): Promise<void>;
  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** The bucket's objects ordered by key (byte order, as S3 lists them). */
  listObjects(bucket: string): Promise<ObjectRecord[]>;
  deleteObject(bucket: string, key: string): Promise<boolean>;

  /** Named networks (host-wide, shared by all regions, like API keys). */
  putNetwork(network: NetworkDefinition): Promise<void>;
  getNetwork(name: string): Promise<NetworkDefinition | undefined>;
  listNetworks(): Promise<NetworkDefinition[]>;
  /** False when it did not exist. */
  deleteNetwork(name: string): Promise<boolean>;
  /** Execution roles of every account (IAM is global: not per region); put inserts or replaces. */
  putRole(role: RoleRecord): Promise<void>;
  listRoles(): Promise<RoleRecord[]>;
  deleteRole(account: string, name: string): Promise<boolean>;

  close(): Promise<void>;
}
