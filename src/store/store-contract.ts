// The conformance suite every Store implementation must pass (SQLite now, PostgreSQL later), in the
// manner of hono's shared router tests: one suite, many implementations.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { FunctionConfig, InvocationRecord } from "../core/types.js";
import type { ScheduleRecord } from "../core/schedule.js";
import type { HttpRouteRecord } from "../core/route-key.js";
import type { MappingRecord } from "../core/event-source-mapping.js";
import type { StorageTriggerRecord } from "../core/storage-event.js";
import type { PendingDelivery } from "../core/destination.js";
import type { Store } from "./store.js";

export interface StoreContractOptions {
  /** Returns a fresh, empty store and a function that disposes of it. */
  newStore: () => Promise<{ store: Store; dispose: () => Promise<void> }>;
}

export function sampleFunction(name: string, overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    name,
    runtime: "python3.11",
    handler: "app.handler",
    memorySize: 128,
    timeout: 3,
    environment: { A: "1" },
    description: "",
    ephemeralStorage: 512,
    reservedConcurrency: null,
    codeSha256: "a".repeat(64),
    codeSize: 10,
    revisionId: "r1",
    state: "Active",
    lastModified: "2026-01-01T00:00:00.000Z",
    createdAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

/** Runs `fn` on a new store and disposes of it afterwards (every contract suite's test body). */
export function storeRunner(opts: StoreContractOptions): (fn: (s: Store) => Promise<void>) => Promise<void> {
  return async (fn) => {
    const { store, dispose } = await opts.newStore();
    try {
      await fn(store);
    } finally {
      await dispose();
    }
  };
}

export function sampleInvocation(fn: string, requestId: string, startedAt: number): InvocationRecord {
  return {
    requestId,
    functionName: fn,
    version: "$LATEST",
    startedAt,
    status: "success",
    report: { durationMs: 1.5, billedDurationMs: 2, memorySizeMb: 128, maxMemoryUsedMb: 20 },
    log: `START RequestId: ${requestId}\n`,
  };
}

export function runStoreContract(name: string, opts: StoreContractOptions): void {
  const withStore = storeRunner(opts);

  test(`${name}: stores, replaces, lists and deletes functions`, () =>
    withStore(async (s) => {
      assert.equal(await s.getFunction("f"), undefined);
      await s.putFunction(sampleFunction("f"));
      await s.putFunction(sampleFunction("b"));
      assert.deepEqual(await s.getFunction("f"), sampleFunction("f"));
      await s.putFunction(sampleFunction("f", { memorySize: 256, revisionId: "r2" }));
      assert.equal((await s.getFunction("f"))?.memorySize, 256);
      assert.deepEqual(
        (await s.listFunctions()).map((f) => f.name),
        ["b", "f"],
      );
      assert.equal(await s.deleteFunction("f"), true);
      assert.equal(await s.deleteFunction("f"), false);
      assert.equal(await s.getFunction("f"), undefined);
    }));

  test(`${name}: keeps invocation records newest-limited, oldest first, and drops them with the function`, () =>
    withStore(async (s) => {
      await s.putFunction(sampleFunction("f"));
      await s.insertInvocations([sampleInvocation("f", "r1", 1), sampleInvocation("f", "r2", 2)]);
      await s.insertInvocations([sampleInvocation("f", "r3", 3), sampleInvocation("g", "x", 4)]);
      const last2 = await s.listInvocations("f", 2);
      assert.deepEqual(
        last2.map((r) => r.requestId),
        ["r2", "r3"],
      );
      assert.equal(last2[1]?.log, "START RequestId: r3\n");
      await s.deleteFunction("f");
      assert.deepEqual(await s.listInvocations("f", 10), []);
      assert.equal((await s.listInvocations("g", 10)).length, 1);
    }));

  test(`${name}: finds API keys by secret hash only`, () =>
    withStore(async (s) => {
      await s.putApiKey({ id: "k1", secretHash: "h1", name: "admin", createdAt: "2026-01-01T00:00:00.000Z" });
      assert.equal((await s.findApiKeyByHash("h1"))?.id, "k1");
      assert.equal(await s.findApiKeyByHash("k1"), undefined);
      assert.equal((await s.listApiKeys()).length, 1);
      assert.equal(await s.deleteApiKey("k1"), true);
      assert.equal(await s.deleteApiKey("k1"), false);
      assert.equal(await s.findApiKeyByHash("h1"), undefined);
    }));

  test(`${name}: versions and aliases live and die with their function`, () =>
    withStore(async (s) => {
      const fn = sampleFunction("v", { lastPublishedVersion: 1 });
      await s.putFunction(sampleFunction("v"));
      await s.publishVersion(fn, {
        functionName: "v",
        version: "1",
        config: fn,
        description: "",
        createdAt: "2026-01-01T00:00:00.000Z",
      });
      assert.equal((await s.getFunction("v"))?.lastPublishedVersion, 1);
      await assert.rejects(
        s.publishVersion(fn, {
          functionName: "v",
          version: "1",
          config: fn,
          description: "",
          createdAt: "x",
        }),
      );
      const alias = {
        functionName: "v",
        name: "live",
        functionVersion: "1",
        description: "",
        additionalVersionWeights: null,
        revisionId: "r",
        createdAt: "x",
      };
      await s.putAlias(alias);
      assert.deepEqual(await s.listAllAliases(), [alias]);
      assert.deepEqual(
        (await s.listAllVersions()).map((x) => x.version),
        ["1"],
      );
      await s.deleteFunction("v");
      assert.deepEqual(await s.listAllVersions(), []);
      assert.deepEqual(await s.listAllAliases(), []);
    }));

  test(`${name}: layer versions are written once and listed in order`, () =>
    withStore(async (s) => {
      const layer = (version: number) => ({
        name: "libs",
        version,
        codeSha256: "b".repeat(64),
        codeSize: 1,
        description: "",
        compatibleRuntimes: [],
        createdAt: "x",
      });
      await s.putLayerVersion(layer(2));
      await s.putLayerVersion(layer(1));
      await assert.rejects(s.putLayerVersion(layer(1)));
      assert.deepEqual(
        (await s.listLayerVersions()).map((l) => l.version),
        [1, 2],
      );
      await s.deleteLayerVersion("libs", 1);
      assert.deepEqual(
        (await s.listLayerVersions()).map((l) => l.version),
        [2],
      );
    }));

  test(`${name}: build records are replaced by key, found, listed and deleted`, () =>
    withStore(async (s) => {
      const build = (key: string, status: "succeeded" | "failed") => ({
        key,
        runtime: "go1.19",
        toolchain: "go 1.19.8",
        sourceSha256: "c".repeat(64),
        status,
        log: `log of ${key}`,
        startedAt: "x",
        durationMs: 5,
      });
      assert.equal(await s.getBuild("k1"), undefined);
      await s.putBuild(build("k1", "failed"));
      await s.putBuild({ ...build("k1", "succeeded"), packageSha256: "d".repeat(64), packageSize: 3 });
      await s.putBuild(build("k2", "failed"));
      assert.equal((await s.getBuild("k1"))?.status, "succeeded");
      assert.deepEqual(
        (await s.listBuilds()).map((b) => b.key),
        ["k1", "k2"],
      );
      await s.deleteBuild("k1");
      assert.equal(await s.getBuild("k1"), undefined);
    }));

  test(`${name}: keeps queued invocations soonest first until dequeued`, () =>
    withStore(async (s) => {
      const item = (requestId: string, notBefore: number) => ({
        requestId,
        functionName: "f",
        payload: "e30=",
        attempts: 0,
        enqueuedAt: 1,
        notBefore,
      });
      await s.enqueueInvocation(item("late", 200));
      await s.enqueueInvocation(item("soon", 100));
      assert.deepEqual(
        (await s.listQueuedInvocations()).map((q) => q.requestId),
        ["soon", "late"],
      );
      await s.updateQueuedInvocation({ ...item("soon", 300), attempts: 1 });
      const list = await s.listQueuedInvocations();
      assert.deepEqual(
        list.map((q) => [q.requestId, q.attempts]),
        [
          ["late", 0],
          ["soon", 1],
        ],
      );
      await s.dequeueInvocation("late");
      await s.dequeueInvocation("soon");
      assert.deepEqual(await s.listQueuedInvocations(), []);
    }));

  test(`${name}: an invocation's destination records are stored in the write that dequeues it`, () =>
    withStore(async (s) => {
      const delivery = (id: string, notBefore: number): PendingDelivery => ({
        id,
        destination: "nats://127.0.0.1:4222?subject=s",
        body: "e30=",
        origin: "OnSuccess",
        functionName: "f",
        attempts: 0,
        createdAt: 1,
        notBefore,
      });
      await s.enqueueInvocation({
        requestId: "q",
        functionName: "f",
        payload: "e30=",
        attempts: 0,
        enqueuedAt: 1,
        notBefore: 1,
      });
      await s.dequeueInvocation("q", [delivery("d2", 20), delivery("d1", 10)]);
      assert.deepEqual(await s.listQueuedInvocations(), []);
      assert.deepEqual(
        (await s.listDeliveries()).map((d) => d.id),
        ["d1", "d2"],
      );
      await s.putDeliveries([{ ...delivery("d1", 30), attempts: 1, lastError: "down" }]);
      const list = await s.listDeliveries();
      assert.deepEqual(
        list.map((d) => [d.id, d.attempts, d.lastError]),
        [
          ["d2", 0, undefined],
          ["d1", 1, "down"],
        ],
      );
      assert.deepEqual(await s.inRegion("eu-west-1").listDeliveries(), [], "records are per region");
      await s.deleteDelivery("d1");
      await s.deleteDelivery("d2");
      assert.deepEqual(await s.listDeliveries(), []);
    }));

  test(`${name}: a schedule fires once per due time, its invocation queued in the same write`, () =>
    withStore(async (s) => {
      const sched: ScheduleRecord = {
        name: "tick",
        group: "default",
        expression: "rate(1 minute)",
        timezone: "UTC",
        functionName: "f",
        targetArn: "f",
        state: "ENABLED",
        flexibleWindowMinutes: null,
        actionAfterCompletion: "NONE",
        origin: "native",
        anchor: 0,
        createdAt: 0,
        updatedAt: 0,
      };
      await s.putSchedule(sched);
      const item = (requestId: string) => ({
        requestId,
        functionName: "f",
        payload: "e30=",
        attempts: 0,
        enqueuedAt: 1,
        notBefore: 1,
      });
      assert.equal(await s.fireSchedule("default", "tick", 60_000, item("a")), true);
      // The same due time (after a restart, or a second timer) and earlier ones fire no more.
      assert.equal(await s.fireSchedule("default", "tick", 60_000, item("b")), false);
      assert.equal(await s.fireSchedule("default", "tick", 30_000, item("c")), false);
      assert.equal(await s.fireSchedule("default", "tick", 120_000, undefined, "function gone"), true);
      assert.deepEqual(
        (await s.listQueuedInvocations()).map((q) => q.requestId),
        ["a"],
      );
      // An update keeps what the fires recorded.
      await s.putSchedule({ ...sched, state: "DISABLED" });
      const [stored] = await s.listSchedules();
      assert.equal(stored?.state, "DISABLED");
      assert.equal(stored?.lastDue, 120_000);
      assert.equal(stored?.lastError, "function gone");
      assert.deepEqual(await s.inRegion("eu-west-1").listSchedules(), []);
      assert.equal(await s.inRegion("eu-west-1").fireSchedule("default", "tick", 180_000, item("d")), false);
      assert.equal(await s.deleteSchedule("default", "tick"), true);
      assert.equal(await s.deleteSchedule("default", "tick"), false);
      assert.equal(await s.fireSchedule("default", "tick", 180_000, item("e")), false);
      assert.deepEqual(await s.listSchedules(), []);
      await s.dequeueInvocation("a");
    }));

  test(`${name}: keeps HTTP routes per region, one per route key`, () =>
    withStore(async (s) => {
      const route: HttpRouteRecord = {
        id: "abc1234",
        routeKey: "GET /users/{id}",
        functionName: "f",
        payloadFormat: "2.0",
        authType: "NONE",
        createdAt: 1,
      };
      assert.equal(await s.addRoute(route), true);
      // The same key again (another id) is refused and writes nothing.
      assert.equal(await s.addRoute({ ...route, id: "zzz9999", functionName: "g" }), false);
      assert.deepEqual(await s.listRoutes(), [route]);
      const eu = s.inRegion("eu-west-1");
      assert.deepEqual(await eu.listRoutes(), []);
      assert.equal(await eu.addRoute({ ...route, id: "eu00001" }), true);
      assert.equal(await s.deleteRoute("eu00001"), false);
      assert.equal(await s.deleteRoute("abc1234"), true);
      assert.deepEqual(await s.listRoutes(), []);
      assert.equal((await eu.listRoutes()).length, 1);
    }));

  test(`${name}: keeps event source mappings per region, the password apart from the record`, () =>
    withStore(async (s) => {
      const record: MappingRecord = {
        uuid: "5f1c0e6a-0000-4000-8000-000000000001",
        functionName: "f",
        source: "amqp://u:****@127.0.0.1:5672/?queue=q",
        kind: "amqp",
        enabled: true,
        batchSize: 10,
        maximumBatchingWindowInSeconds: 0,
        maximumRetryAttempts: -1,
        functionResponseTypes: [],
        lastModified: 1,
      };
      await s.putMapping({ record, secret: "pw" });
      assert.deepEqual(await s.listMappings(), [{ record, secret: "pw" }]);
      await s.putMapping({ record: { ...record, enabled: false } });
      assert.deepEqual(await s.listMappings(), [{ record: { ...record, enabled: false } }]);
      assert.deepEqual(await s.inRegion("eu-west-1").listMappings(), []);
      assert.equal(await s.deleteMapping(record.uuid), true);
      assert.equal(await s.deleteMapping(record.uuid), false);
      assert.deepEqual(await s.listMappings(), []);
    }));

  test(`${name}: stores, finds and revokes access keys`, () =>
    withStore(async (s) => {
      const key = {
        accessKeyId: "AKIAEXAMPLE",
        secretAccessKey: "secret",
        name: "k",
        createdAt: "2026-01-01T00:00:00.000Z",
      };
      await s.putAccessKey(key);
      assert.deepEqual(await s.getAccessKey("AKIAEXAMPLE"), key);
      assert.equal((await s.listAccessKeys()).length, 1);
      assert.equal(await s.deleteAccessKey("AKIAEXAMPLE"), true);
      assert.equal(await s.deleteAccessKey("AKIAEXAMPLE"), false);
      assert.equal(await s.getAccessKey("AKIAEXAMPLE"), undefined);
    }));

  test(`${name}: keeps named networks, listed by name`, () =>
    withStore(async (s) => {
      const net = {
        name: "backend",
        allow: [{ target: "10.20.0.0/16", protocol: "tcp" as const, fromPort: 5432, toPort: 5432 }],
        egress: true,
        createdAt: "2026-01-01T00:00:00.000Z",
        lastModified: "2026-01-01T00:00:00.000Z",
      };
      assert.equal(await s.getNetwork("backend"), undefined);
      await s.putNetwork(net);
      await s.putNetwork({ ...net, name: "alpha", allow: [] });
      assert.deepEqual(await s.getNetwork("backend"), net);
      assert.deepEqual(
        (await s.listNetworks()).map((n) => n.name),
        ["alpha", "backend"],
      );
      await s.putNetwork({ ...net, egress: false });
      assert.equal((await s.getNetwork("backend"))?.egress, false);
      assert.equal(await s.deleteNetwork("backend"), true);
      assert.equal(await s.deleteNetwork("backend"), false);
      assert.deepEqual(
        (await s.listNetworks()).map((n) => n.name),
        ["alpha"],
      );
    }));

  test(`${name}: roles are per account and global to regions, replaced by name, listed and deleted`, () =>
    withStore(async (s) => {
      const role = (account: string, name: string, roleId: string) => ({
        name,
        account,
        arn: `arn:aws:iam::${account}:role/${name}`,
        roleId,
        policy: { Version: "2012-10-17", Statement: [] },
        createdAt: "2026-01-01T00:00:00.000Z",
      });
      await s.putRole(role("000000000000", "app", "AROAAAAAAAAAAAAAAAAAA"));
      await s.putRole(role("111111111111", "app", "AROABBBBBBBBBBBBBBBBB"));
      await s.inRegion("eu-west-1").putRole(role("000000000000", "app", "AROACCCCCCCCCCCCCCCCC"));
      const all = await s.listRoles();
      assert.deepEqual(
        all.map((r) => [r.account, r.name, r.roleId]),
        [
          ["000000000000", "app", "AROACCCCCCCCCCCCCCCCC"],
          ["111111111111", "app", "AROABBBBBBBBBBBBBBBBB"],
        ],
      );
      assert.equal(await s.deleteRole("000000000000", "app"), true);
      assert.equal(await s.deleteRole("000000000000", "app"), false);
      assert.equal((await s.inRegion("eu-west-1").listRoles()).length, 1);
    }));

  test(`${name}: keeps code buckets and their objects, listed in key byte order`, () =>
    withStore(async (s) => {
      const bucket = { name: "code", region: "eu-west-1", createdAt: "2026-01-01T00:00:00.000Z" };
      assert.equal(await s.getBucket("code"), undefined);
      await s.putBucket(bucket);
      assert.deepEqual(await s.getBucket("code"), bucket);
      assert.deepEqual(await s.listBuckets(), [bucket]);
      const object = (key: string, sha: string) => ({
        bucket: "code",
        key,
        sha256: sha.repeat(64),
        size: 3,
        etag: "0".repeat(32),
        contentType: "application/zip",
        lastModified: "2026-01-01T00:00:00.000Z",
      });
      for (const key of ["b.zip", "a/z.zip", "A.zip", "é.zip"]) await s.putObject(object(key, "a"));
      await s.putObject(object("b.zip", "b"));
      assert.equal((await s.getObject("code", "b.zip"))?.sha256, "b".repeat(64), "a put replaces");
      assert.equal(await s.getObject("code", "missing"), undefined);
      assert.equal(await s.getObject("other", "b.zip"), undefined);
      assert.deepEqual(
        (await s.listObjects("code")).map((o) => o.key),
        ["A.zip", "a/z.zip", "b.zip", "é.zip"],
      );
      assert.equal(await s.deleteObject("code", "b.zip"), true);
      assert.equal(await s.deleteObject("code", "b.zip"), false);
      assert.equal((await s.listObjects("code")).length, 3);
      assert.equal(await s.deleteBucket("code"), true);
      assert.equal(await s.deleteBucket("code"), false);
      assert.deepEqual(await s.listBuckets(), []);
    }));

  test(`${name}: functions, versions, aliases, layers, records and queued invocations are per region`, () =>
    withStore(async (home) => {
      const eu = home.inRegion("eu-west-1");
      assert.equal(eu.region, "eu-west-1");
      assert.equal(home.inRegion(home.region), home, "a store is its own view of its region");
      await home.putFunction(sampleFunction("f", { memorySize: 128 }));
      await eu.putFunction(sampleFunction("f", { memorySize: 512 }));
      await eu.putFunction(sampleFunction("only-eu"));
      assert.equal((await home.getFunction("f"))?.memorySize, 128, "the same name lives in both regions");
      assert.equal((await eu.getFunction("f"))?.memorySize, 512);
      assert.equal(await home.getFunction("only-eu"), undefined);
      assert.deepEqual(
        (await home.listFunctions()).map((f) => f.name),
        ["f"],
      );
      const version = {
        functionName: "f",
        version: "1",
        config: sampleFunction("f"),
        description: "",
        createdAt: "x",
      };
      await eu.publishVersion(sampleFunction("f", { memorySize: 512, lastPublishedVersion: 1 }), version);
      await home.publishVersion(sampleFunction("f", { lastPublishedVersion: 1 }), version);
      await eu.putAlias({
        functionName: "f",
        name: "live",
        functionVersion: "1",
        description: "",
        additionalVersionWeights: null,
        revisionId: "a",
        createdAt: "x",
      });
      assert.equal((await home.listAllVersions()).length, 1);
      assert.deepEqual(await home.listAllAliases(), []);
      const layer = {
        name: "libs",
        version: 1,
        description: "",
        compatibleRuntimes: [],
        codeSha256: "c".repeat(64),
        codeSize: 1,
        createdAt: "x",
      };
      await eu.putLayerVersion(layer);
      await home.putLayerVersion(layer);
      assert.equal((await home.listLayerVersions()).length, 1);
      await eu.insertInvocations([sampleInvocation("f", "eu-1", 1)]);
      await home.insertInvocations([sampleInvocation("f", "home-1", 2)]);
      assert.deepEqual(
        (await eu.listInvocations("f", 10)).map((r) => r.requestId),
        ["eu-1"],
      );
      const queued = {
        requestId: "q",
        functionName: "f",
        payload: "",
        attempts: 0,
        enqueuedAt: 1,
        notBefore: 1,
      };
      await eu.enqueueInvocation(queued);
      assert.deepEqual(await home.listQueuedInvocations(), []);
      assert.deepEqual(await home.listRegions(), [...new Set([home.region, "eu-west-1"])].sort());
      // Deleting the function in one region leaves the other's function, versions and records.
      assert.equal(await eu.deleteFunction("f"), true);
      assert.equal((await home.getFunction("f"))?.memorySize, 128);
      assert.equal((await home.listAllVersions()).length, 1);
      assert.deepEqual(
        (await home.listInvocations("f", 10)).map((r) => r.requestId),
        ["home-1"],
      );
      assert.deepEqual(await eu.listAllVersions(), []);
      await eu.dequeueInvocation("q");
      await eu.deleteLayerVersion("libs", 1);
      assert.equal((await home.listLayerVersions()).length, 1);
      // Shared by all regions: keys, builds, buckets.
      await eu.putBucket({ name: "code", region: "eu-west-1", createdAt: "2026-01-01T00:00:00.000Z" });
      assert.notEqual(await home.getBucket("code"), undefined);
      await eu.putNetwork({
        name: "backend",
        allow: [],
        egress: false,
        createdAt: "2026-01-01T00:00:00.000Z",
        lastModified: "2026-01-01T00:00:00.000Z",
      });
      assert.equal((await home.getNetwork("backend"))?.name, "backend");
      assert.equal(await home.deleteNetwork("backend"), true);
      assert.throws(() => home.inRegion("EU WEST"), /not a region name/);
    }));

  test(`${name}: a storage trigger's reported files change with their queued invocation, per region`, () =>
    withStore(async (s) => {
      const t: StorageTriggerRecord = {
        name: "uploads",
        kind: "directory",
        functionName: "f",
        state: "ENABLED",
        path: "/srv/in",
        include: ["*.csv"],
        exclude: [],
        events: ["created", "deleted"],
        createdAt: 0,
        updatedAt: 0,
      };
      const item = (requestId: string) => ({
        requestId,
        functionName: "f",
        payload: "e30=",
        attempts: 0,
        enqueuedAt: 1,
        notBefore: 1,
      });
      const file = { path: "a b.csv", size: 3, mtimeMs: 1.5, etag: "e1" };
      assert.equal(await s.reportStorageEvent("uploads", { path: "a b.csv", file }, item("x")), false);
      await s.putStorageTrigger(t);
      assert.deepEqual(await s.listStorageTriggers(), [t]);
      assert.equal(await s.reportStorageEvent("uploads", { path: "a b.csv", file }, item("a")), true);
      assert.equal(
        await s.reportStorageEvent("uploads", { path: "b.csv", file: { ...file, path: "b.csv" } }),
        true,
      );
      assert.deepEqual(
        (await s.listReportedFiles("uploads")).sort((x, y) => x.path.localeCompare(y.path)),
        [file, { ...file, path: "b.csv" }],
      );
      assert.equal(await s.reportStorageEvent("uploads", { path: "b.csv" }, item("b")), true);
      assert.deepEqual(await s.listReportedFiles("uploads"), [file]);
      assert.deepEqual(
        (await s.listQueuedInvocations()).map((q) => q.requestId),
        ["a", "b"],
      );
      assert.deepEqual(await s.inRegion("eu-west-1").listStorageTriggers(), []);
      assert.equal(await s.inRegion("eu-west-1").reportStorageEvent("uploads", undefined, item("c")), false);
      assert.equal(await s.deleteStorageTrigger("uploads"), true);
      assert.equal(await s.deleteStorageTrigger("uploads"), false);
      assert.deepEqual(await s.listReportedFiles("uploads"), []);
      await s.dequeueInvocation("a");
      await s.dequeueInvocation("b");
    }));
}
