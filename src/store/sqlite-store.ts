// SQLite implementation of the Store (better-sqlite3 12, WAL). Rows keep a JSON column for the full
// record plus the columns that are queried, so adding a field needs no migration.

import Database from "better-sqlite3";
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
import { DEFAULT_REGION, isRegionName } from "../core/arn-scope.js";
import type { NetworkDefinition } from "../core/networks.js";
import type { ScheduleRecord } from "../core/schedule.js";
import type { Store } from "./store.js";
import { MIGRATIONS, type Migration } from "./sqlite-migrations.js";
import { SqliteSchedules } from "./sqlite-schedules.js";
import { SqliteHostRecords } from "./sqlite-host-records.js";
import { SqliteMetrics } from "./sqlite-metrics.js";
import { SqliteLogs } from "./sqlite-logs.js";
import { logEventsOf } from "../core/log-events.js";
import { SqliteWriter, immediateTransactions } from "./sqlite-writer.js";
import type { MinuteBucket } from "../core/metric-series.js";
import { SqliteMappings } from "./sqlite-mappings.js";
import { SqliteStorageTriggers } from "./sqlite-storage-triggers.js";
import type { ReportedChange, ReportedFile, StorageTriggerRecord } from "../core/storage-event.js";
import { SqliteRoutes } from "./sqlite-routes.js";
import type { HttpRouteRecord } from "../core/route-key.js";
import type { StoredMapping } from "../core/event-source-mapping.js";
import { SqliteOutbox } from "./sqlite-outbox.js";
import { SqliteUsage } from "./sqlite-usage.js";
import { SqliteBudgets } from "./sqlite-budgets.js";
import type { PendingDelivery } from "../core/destination.js";

export interface SqliteStoreOptions {
  /** The region this view of the store reads and writes (default us-east-1). */
  region?: string;
  /** Where rows from before regions existed go, once, when the schema is upgraded (default: `region`). */
  homeRegion?: string;
  /** Write invocation records and log events on a worker thread (default true; see sqlite-writer.ts). */
  writerThread?: boolean;
}

/** The writer thread of each file database (shared by its region views). */
const WRITERS = new WeakMap<Database.Database, SqliteWriter>();

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmts;
  readonly region: string;
  /** Views of other regions share the connection; only the store that opened it closes it. */
  private readonly owner: boolean;
  private readonly views: Map<string, SqliteStore>;
  private readonly schedules: SqliteSchedules;
  private readonly host: SqliteHostRecords;
  private readonly metrics: SqliteMetrics;
  readonly logs: SqliteLogs;
  readonly usage: SqliteUsage;
  readonly budgets: SqliteBudgets;
  private readonly mappings: SqliteMappings;
  private readonly storageTriggers: SqliteStorageTriggers;
  private readonly outbox: SqliteOutbox;
  private readonly routes: SqliteRoutes;

  constructor(path: string, opts?: SqliteStoreOptions);
  constructor(db: Database.Database, opts: SqliteStoreOptions, views: Map<string, SqliteStore>);
  constructor(
    source: string | Database.Database,
    opts: SqliteStoreOptions = {},
    views?: Map<string, SqliteStore>,
  ) {
    this.region = opts.region ?? DEFAULT_REGION;
    // The region is part of the SQL text below: only region names (letters, digits, dashes) get there.
    if (!isRegionName(this.region)) throw new Error(`not a region name: ${JSON.stringify(this.region)}`);
    if (typeof source === "string") {
      this.db = new Database(source);
      this.db.pragma("journal_mode = WAL");
      // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commit).
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma("busy_timeout = 5000");
      this.migrate({ homeRegion: opts.homeRegion ?? this.region });
      if (source !== ":memory:" && opts.writerThread !== false) {
        immediateTransactions(this.db);
        WRITERS.set(this.db, new SqliteWriter(source));
      }
      this.owner = true;
      this.views = new Map<string, SqliteStore>();
    } else {
      this.db = source;
      this.owner = false;
      this.views = views ?? new Map<string, SqliteStore>();
    }
    this.views.set(this.region, this);
    const r = this.region;
    const db = this.db;
    this.stmts = {
      putFunction: db.prepare(
        `INSERT OR REPLACE INTO functions (region, name, config) VALUES ('${r}', ?, ?)`,
      ),
      getFunction: db.prepare<[string], { config: string }>(
        `SELECT config FROM functions WHERE region = '${r}' AND name = ?`,
      ),
      listFunctions: db.prepare<[], { config: string }>(
        `SELECT config FROM functions WHERE region = '${r}' ORDER BY name`,
      ),
      deleteFunction: db.prepare(`DELETE FROM functions WHERE region = '${r}' AND name = ?`),
      deleteInvocations: db.prepare(`DELETE FROM invocations WHERE region = '${r}' AND function_name = ?`),
      insertInvocation: db.prepare(
        `INSERT OR REPLACE INTO invocations (region, request_id, function_name, started_at, record) VALUES ('${r}', ?, ?, ?, ?)`,
      ),
      listInvocations: db.prepare<[string, number], { record: string }>(
        `SELECT record FROM invocations WHERE region = '${r}' AND function_name = ? ORDER BY started_at DESC, rowid DESC LIMIT ?`,
      ),
      putApiKey: db.prepare("INSERT OR REPLACE INTO api_keys (id, secret_hash, record) VALUES (?, ?, ?)"),
      findApiKey: db.prepare<[string], { record: string }>(
        "SELECT record FROM api_keys WHERE secret_hash = ?",
      ),
      listApiKeys: db.prepare<[], { record: string }>("SELECT record FROM api_keys ORDER BY id"),
      deleteApiKey: db.prepare("DELETE FROM api_keys WHERE id = ?"),
      putAccessKey: db.prepare("INSERT OR REPLACE INTO access_keys (id, record) VALUES (?, ?)"),
      getAccessKey: db.prepare<[string], { record: string }>("SELECT record FROM access_keys WHERE id = ?"),
      listAccessKeys: db.prepare<[], { record: string }>("SELECT record FROM access_keys ORDER BY id"),
      deleteAccessKey: db.prepare("DELETE FROM access_keys WHERE id = ?"),
      putQueued: db.prepare(
        `INSERT OR REPLACE INTO invocation_queue (region, request_id, not_before, record) VALUES ('${r}', ?, ?, ?)`,
      ),
      listQueued: db.prepare<[], { record: string }>(
        `SELECT record FROM invocation_queue WHERE region = '${r}' ORDER BY not_before, rowid`,
      ),
      deleteQueued: db.prepare(`DELETE FROM invocation_queue WHERE region = '${r}' AND request_id = ?`),
      putVersion: db.prepare(
        `INSERT INTO versions (region, function_name, version, record) VALUES ('${r}', ?, ?, ?)`,
      ),
      listVersions: db.prepare<[], { record: string }>(
        `SELECT record FROM versions WHERE region = '${r}' ORDER BY function_name, version`,
      ),
      deleteVersion: db.prepare(
        `DELETE FROM versions WHERE region = '${r}' AND function_name = ? AND version = ?`,
      ),
      deleteVersions: db.prepare(`DELETE FROM versions WHERE region = '${r}' AND function_name = ?`),
      putLayer: db.prepare(`INSERT INTO layers (region, name, version, record) VALUES ('${r}', ?, ?, ?)`),
      listLayers: db.prepare<[], { record: string }>(
        `SELECT record FROM layers WHERE region = '${r}' ORDER BY name, version`,
      ),
      deleteLayer: db.prepare(`DELETE FROM layers WHERE region = '${r}' AND name = ? AND version = ?`),
      putAlias: db.prepare(
        `INSERT OR REPLACE INTO aliases (region, function_name, name, record) VALUES ('${r}', ?, ?, ?)`,
      ),
      listAliases: db.prepare<[], { record: string }>(
        `SELECT record FROM aliases WHERE region = '${r}' ORDER BY function_name, name`,
      ),
      deleteAlias: db.prepare(`DELETE FROM aliases WHERE region = '${r}' AND function_name = ? AND name = ?`),
      deleteAliases: db.prepare(`DELETE FROM aliases WHERE region = '${r}' AND function_name = ?`),
      listRegions: db.prepare<[], { region: string }>(
        `SELECT region FROM functions UNION SELECT region FROM layers
         UNION SELECT region FROM invocation_queue UNION SELECT region FROM schedules
         UNION SELECT region FROM event_source_mappings UNION SELECT region FROM storage_triggers
         UNION SELECT region FROM destination_outbox
         ORDER BY region`,
      ),
      putBuild: db.prepare("INSERT OR REPLACE INTO builds (key, record) VALUES (?, ?)"),
      getBuild: db.prepare<[string], { record: string }>("SELECT record FROM builds WHERE key = ?"),
      listBuilds: db.prepare<[], { record: string }>("SELECT record FROM builds ORDER BY key"),
      deleteBuild: db.prepare("DELETE FROM builds WHERE key = ?"),
      putBucket: db.prepare("INSERT OR REPLACE INTO buckets (name, record) VALUES (?, ?)"),
      getBucket: db.prepare<[string], { record: string }>("SELECT record FROM buckets WHERE name = ?"),
      listBuckets: db.prepare<[], { record: string }>("SELECT record FROM buckets ORDER BY name"),
      deleteBucket: db.prepare("DELETE FROM buckets WHERE name = ?"),
      // Keys are stored as UTF-8 blobs so they sort by bytes, as S3 lists them.
      putObject: db.prepare("INSERT OR REPLACE INTO objects (bucket, key, record) VALUES (?, ?, ?)"),
      getObject: db.prepare<[string, Buffer], { record: string }>(
        "SELECT record FROM objects WHERE bucket = ? AND key = ?",
      ),
      listObjects: db.prepare<[string], { record: string }>(
        "SELECT record FROM objects WHERE bucket = ? ORDER BY key",
      ),
      deleteObject: db.prepare("DELETE FROM objects WHERE bucket = ? AND key = ?"),
    };
    this.schedules = new SqliteSchedules(db, r);
    this.host = new SqliteHostRecords(db);
    this.metrics = new SqliteMetrics(db, r);
    this.logs = new SqliteLogs(db, r);
    this.usage = new SqliteUsage(db, r);
    this.budgets = new SqliteBudgets(db, r);
    this.mappings = new SqliteMappings(db, r);
    this.storageTriggers = new SqliteStorageTriggers(db, r);
    this.outbox = new SqliteOutbox(db, r);
    this.routes = new SqliteRoutes(db, r);
  }

  inRegion(region: string): Store {
    return this.views.get(region) ?? new SqliteStore(this.db, { region }, this.views);
  }

  listRegions(): Promise<string[]> {
    return Promise.resolve(this.stmts.listRegions.all().map((r) => r.region));
  }

  private migrate(ctx: { homeRegion: string }): void {
    const current = this.db.pragma("user_version", { simple: true }) as number;
    for (let v = current; v < MIGRATIONS.length; v++) {
      const step = MIGRATIONS[v] as Migration; // v < MIGRATIONS.length
      this.db.transaction(() => {
        if (typeof step === "string") this.db.exec(step);
        else step(this.db, ctx);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  putFunction(fn: FunctionConfig): Promise<void> {
    this.stmts.putFunction.run(fn.name, JSON.stringify(fn));
    return Promise.resolve();
  }

  getFunction(name: string): Promise<FunctionConfig | undefined> {
    const row = this.stmts.getFunction.get(name);
    return Promise.resolve(row === undefined ? undefined : (JSON.parse(row.config) as FunctionConfig));
  }

  listFunctions(): Promise<FunctionConfig[]> {
    return Promise.resolve(this.stmts.listFunctions.all().map((r) => JSON.parse(r.config) as FunctionConfig));
  }

  deleteFunction(name: string): Promise<boolean> {
    const changes = this.db.transaction(() => {
      this.stmts.deleteInvocations.run(name);
      this.metrics.deleteFunction(name);
      this.stmts.deleteVersions.run(name);
      this.stmts.deleteAliases.run(name);
      return this.stmts.deleteFunction.run(name).changes;
    })();
    return Promise.resolve(changes > 0);
  }

  publishVersion(fn: FunctionConfig, version: FunctionVersion): Promise<void> {
    try {
      this.db.transaction(() => {
        this.stmts.putVersion.run(version.functionName, Number(version.version), JSON.stringify(version));
        this.stmts.putFunction.run(fn.name, JSON.stringify(fn));
      })();
      return Promise.resolve();
    } catch (err) {
      // A version number is written once: a duplicate is a rejected promise, not a synchronous throw.
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  listAllVersions(): Promise<FunctionVersion[]> {
    return Promise.resolve(this.stmts.listVersions.all().map((r) => JSON.parse(r.record) as FunctionVersion));
  }

  deleteVersion(functionName: string, version: string): Promise<void> {
    this.stmts.deleteVersion.run(functionName, Number(version));
    return Promise.resolve();
  }

  putLayerVersion(layer: LayerVersion): Promise<void> {
    try {
      this.stmts.putLayer.run(layer.name, layer.version, JSON.stringify(layer));
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  putBuild(build: BuildRecord): Promise<void> {
    this.stmts.putBuild.run(build.key, JSON.stringify(build));
    return Promise.resolve();
  }

  getBuild(key: string): Promise<BuildRecord | undefined> {
    const row = this.stmts.getBuild.get(key);
    return Promise.resolve(row === undefined ? undefined : (JSON.parse(row.record) as BuildRecord));
  }

  listBuilds(): Promise<BuildRecord[]> {
    return Promise.resolve(this.stmts.listBuilds.all().map((r) => JSON.parse(r.record) as BuildRecord));
  }

  deleteBuild(key: string): Promise<void> {
    this.stmts.deleteBuild.run(key);
    return Promise.resolve();
  }

  listLayerVersions(): Promise<LayerVersion[]> {
    return Promise.resolve(this.stmts.listLayers.all().map((r) => JSON.parse(r.record) as LayerVersion));
  }

  deleteLayerVersion(name: string, version: number): Promise<void> {
    this.stmts.deleteLayer.run(name, version);
    return Promise.resolve();
  }

  putAlias(alias: Alias): Promise<void> {
    this.stmts.putAlias.run(alias.functionName, alias.name, JSON.stringify(alias));
    return Promise.resolve();
  }

  listAllAliases(): Promise<Alias[]> {
    return Promise.resolve(this.stmts.listAliases.all().map((r) => JSON.parse(r.record) as Alias));
  }

  deleteAlias(functionName: string, name: string): Promise<void> {
    this.stmts.deleteAlias.run(functionName, name);
    return Promise.resolve();
  }

  insertInvocations(records: readonly InvocationRecord[]): Promise<void> {
    const writer = WRITERS.get(this.db);
    if (writer?.alive === true) return writer.write(this.region, records);
    this.insertInvocationsSync(records);
    return Promise.resolve();
  }

  /** The write itself (on the writer thread's connection, or this one). */
  insertInvocationsSync(records: readonly InvocationRecord[]): void {
    this.db
      .transaction(() => {
        for (const r of records) {
          // Retries of an Event invocation share its request id; each attempt keeps its own row.
          const key =
            r.attempt === undefined || r.attempt === 0 ? r.requestId : `${r.requestId}#${r.attempt}`;
          this.stmts.insertInvocation.run(key, r.functionName, r.startedAt, JSON.stringify(r));
        }
        // The batch's log events in one go (their full-text indexing is one statement).
        this.logs.insertSync(records.flatMap(logEventsOf));
      })
      .immediate();
  }

  listInvocations(functionName: string, limit: number): Promise<InvocationRecord[]> {
    const rows = this.stmts.listInvocations.all(functionName, limit);
    return Promise.resolve(rows.map((r) => JSON.parse(r.record) as InvocationRecord).reverse());
  }

  putApiKey(key: ApiKeyRecord): Promise<void> {
    this.stmts.putApiKey.run(key.id, key.secretHash, JSON.stringify(key));
    return Promise.resolve();
  }

  findApiKeyByHash(secretHash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.stmts.findApiKey.get(secretHash);
    return Promise.resolve(row === undefined ? undefined : (JSON.parse(row.record) as ApiKeyRecord));
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return Promise.resolve(this.stmts.listApiKeys.all().map((r) => JSON.parse(r.record) as ApiKeyRecord));
  }

  deleteApiKey(id: string): Promise<boolean> {
    return Promise.resolve(this.stmts.deleteApiKey.run(id).changes > 0);
  }

  putAccessKey(key: AccessKeyRecord): Promise<void> {
    this.stmts.putAccessKey.run(key.accessKeyId, JSON.stringify(key));
    return Promise.resolve();
  }

  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = this.stmts.getAccessKey.get(accessKeyId);
    return Promise.resolve(row === undefined ? undefined : (JSON.parse(row.record) as AccessKeyRecord));
  }

  listAccessKeys(): Promise<AccessKeyRecord[]> {
    return Promise.resolve(
      this.stmts.listAccessKeys.all().map((r) => JSON.parse(r.record) as AccessKeyRecord),
    );
  }

  deleteAccessKey(accessKeyId: string): Promise<boolean> {
    return Promise.resolve(this.stmts.deleteAccessKey.run(accessKeyId).changes > 0);
  }

  enqueueInvocation(item: QueuedInvocation): Promise<void> {
    // WAL with synchronous=NORMAL survives a crash of the process (kill -9) once the commit returns.
    this.stmts.putQueued.run(item.requestId, item.notBefore, JSON.stringify(item));
    return Promise.resolve();
  }

  listQueuedInvocations(): Promise<QueuedInvocation[]> {
    return Promise.resolve(this.stmts.listQueued.all().map((r) => JSON.parse(r.record) as QueuedInvocation));
  }

  updateQueuedInvocation(item: QueuedInvocation): Promise<void> {
    return this.enqueueInvocation(item);
  }

  dequeueInvocation(requestId: string, deliveries?: readonly PendingDelivery[]): Promise<void> {
    if (deliveries === undefined || deliveries.length === 0) this.stmts.deleteQueued.run(requestId);
    else this.outbox.putDeliveries(deliveries, requestId);
    return Promise.resolve();
  }

  putDeliveries(deliveries: readonly PendingDelivery[]): Promise<void> {
    this.outbox.putDeliveries(deliveries);
    return Promise.resolve();
  }

  listDeliveries(): Promise<PendingDelivery[]> {
    return Promise.resolve(this.outbox.listDeliveries());
  }

  deleteDelivery(id: string): Promise<void> {
    this.outbox.deleteDelivery(id);
    return Promise.resolve();
  }

  putSchedule(schedule: ScheduleRecord): Promise<void> {
    this.schedules.putSchedule(schedule);
    return Promise.resolve();
  }

  listSchedules(): Promise<ScheduleRecord[]> {
    return Promise.resolve(this.schedules.listSchedules());
  }

  deleteSchedule(group: string, name: string): Promise<boolean> {
    return Promise.resolve(this.schedules.deleteSchedule(group, name));
  }

  fireSchedule(
    group: string,
    name: string,
    due: number,
    item?: QueuedInvocation,
    error?: string,
  ): Promise<boolean> {
    return Promise.resolve(this.schedules.fireSchedule(group, name, due, item, error));
  }

  addRoute(route: HttpRouteRecord): Promise<boolean> {
    return Promise.resolve(this.routes.addRoute(route));
  }

  listRoutes(): Promise<HttpRouteRecord[]> {
    return Promise.resolve(this.routes.listRoutes());
  }

  deleteRoute(id: string): Promise<boolean> {
    return Promise.resolve(this.routes.deleteRoute(id));
  }

  putMapping(mapping: StoredMapping): Promise<void> {
    this.mappings.putMapping(mapping);
    return Promise.resolve();
  }

  listMappings(): Promise<StoredMapping[]> {
    return Promise.resolve(this.mappings.listMappings());
  }

  deleteMapping(uuid: string): Promise<boolean> {
    return Promise.resolve(this.mappings.deleteMapping(uuid));
  }

  putStorageTrigger(trigger: StorageTriggerRecord): Promise<void> {
    this.storageTriggers.putStorageTrigger(trigger);
    return Promise.resolve();
  }

  listStorageTriggers(): Promise<StorageTriggerRecord[]> {
    return Promise.resolve(this.storageTriggers.listStorageTriggers());
  }

  deleteStorageTrigger(name: string): Promise<boolean> {
    return Promise.resolve(this.storageTriggers.deleteStorageTrigger(name));
  }

  listReportedFiles(name: string): Promise<ReportedFile[]> {
    return Promise.resolve(this.storageTriggers.listReportedFiles(name));
  }

  reportStorageEvent(name: string, change?: ReportedChange, item?: QueuedInvocation): Promise<boolean> {
    return Promise.resolve(this.storageTriggers.reportStorageEvent(name, change, item));
  }

  putBucket(bucket: BucketRecord): Promise<void> {
    this.stmts.putBucket.run(bucket.name, JSON.stringify(bucket));
    return Promise.resolve();
  }

  getBucket(name: string): Promise<BucketRecord | undefined> {
    const row = this.stmts.getBucket.get(name);
    return Promise.resolve(row === undefined ? undefined : (JSON.parse(row.record) as BucketRecord));
  }

  listBuckets(): Promise<BucketRecord[]> {
    return Promise.resolve(this.stmts.listBuckets.all().map((r) => JSON.parse(r.record) as BucketRecord));
  }

  deleteBucket(name: string): Promise<boolean> {
    return Promise.resolve(this.stmts.deleteBucket.run(name).changes > 0);
  }

  putObject(object: ObjectRecord): Promise<void> {
    this.stmts.putObject.run(object.bucket, Buffer.from(object.key, "utf8"), JSON.stringify(object));
    return Promise.resolve();
  }

  getObject(bucket: string, key: string): Promise<ObjectRecord | undefined> {
    const row = this.stmts.getObject.get(bucket, Buffer.from(key, "utf8"));
    return Promise.resolve(row === undefined ? undefined : (JSON.parse(row.record) as ObjectRecord));
  }

  listObjects(bucket: string): Promise<ObjectRecord[]> {
    return Promise.resolve(
      this.stmts.listObjects.all(bucket).map((r) => JSON.parse(r.record) as ObjectRecord),
    );
  }

  deleteObject(bucket: string, key: string): Promise<boolean> {
    return Promise.resolve(this.stmts.deleteObject.run(bucket, Buffer.from(key, "utf8")).changes > 0);
  }

  putNetwork(network: NetworkDefinition): Promise<void> {
    return Promise.resolve(this.host.putNetwork(network));
  }

  getNetwork(name: string): Promise<NetworkDefinition | undefined> {
    return Promise.resolve(this.host.getNetwork(name));
  }

  listNetworks(): Promise<NetworkDefinition[]> {
    return Promise.resolve(this.host.listNetworks());
  }

  deleteNetwork(name: string): Promise<boolean> {
    return Promise.resolve(this.host.deleteNetwork(name));
  }

  putRole(role: RoleRecord): Promise<void> {
    return Promise.resolve(this.host.putRole(role));
  }

  listRoles(): Promise<RoleRecord[]> {
    return Promise.resolve(this.host.listRoles());
  }

  deleteRole(account: string, name: string): Promise<boolean> {
    return Promise.resolve(this.host.deleteRole(account, name));
  }

  mergeMetricBuckets(deltas: ReadonlyArray<{ functionName: string; bucket: MinuteBucket }>): Promise<void> {
    this.metrics.mergeBuckets(deltas);
    return Promise.resolve();
  }

  listMetricBuckets(functionName: string, fromMs: number, toMs: number): Promise<MinuteBucket[]> {
    return Promise.resolve(this.metrics.listBuckets(functionName, fromMs, toMs));
  }

  pruneMetricBuckets(before: number): Promise<number> {
    return Promise.resolve(this.metrics.pruneBefore(before));
  }

  close(): Promise<void> {
    if (!this.owner) return Promise.resolve();
    return (WRITERS.get(this.db)?.close() ?? Promise.resolve()).then(() => {
      this.db.close();
    });
  }
}
