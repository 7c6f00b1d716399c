// Storage triggers against the real server: files dropped into a watched directory invoke a function
// once each with S3's event shape (glob filter, delete, a slow write reported once, whole), a restart
// reports only what changed while down, and the S3-compatible webhook takes MinIO-shaped posts with
// the trigger's secret (a wrong one queues nothing); bad input changes nothing.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deploy, fileDeadline, startServer, stopAndClean, type ServerHandle } from "./harness.js";

fileDeadline(600_000);

let s: ServerHandle;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "vajra-storage-test-"));
  s = await startServer();
  const r = await deploy(
    s,
    { name: "sink", runtime: "python3.11", handler: "app.handler", timeout: 60 },
    "python/scheduled",
  );
  assert.equal(r.status, 201, JSON.stringify(r.json));
});
after(async () => {
  await stopAndClean(s);
  rmSync(dir, { recursive: true, force: true });
});

interface S3Record {
  eventVersion: string;
  eventSource: string;
  eventName: string;
  s3: {
    bucket: { name: string; arn: string };
    object: { key: string; size?: number; eTag?: string; sequencer: string };
  };
}

/** Every S3 record the function printed, one invocation each, from its invocation logs. */
async function events(server: ServerHandle): Promise<S3Record[]> {
  const r = await server.api(`/functions/sink/logs?limit=1000`);
  const { invocations } = (await r.json()) as { invocations: Array<{ log: string }> };
  const out: S3Record[] = [];
  for (const i of invocations)
    for (const line of i.log.split("\n")) {
      const at = line.indexOf("FIRED ");
      if (at < 0) continue;
      const ev = JSON.parse(line.slice(at + 6)) as { Records: S3Record[] };
      assert.equal(ev.Records.length, 1, "one record per invocation");
      out.push(ev.Records[0] as S3Record);
    }
  return out;
}

/** Polls (every 500 ms, up to `ms`) until the function has seen at least `n` events. */
async function waitEvents(server: ServerHandle, n: number, ms = 120_000): Promise<S3Record[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const list = await events(server);
    if (list.length >= n || Date.now() > deadline) return list;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

function cliJson<T>(args: string[]): T {
  const r = s.cli(["storage-trigger", ...args, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

test("100 files dropped into a watched directory invoke the function exactly 100 times, S3-shaped", async () => {
  const created = cliJson<{ bucketArn: string; state: string }>([
    "create-dir",
    "uploads",
    "--function",
    "sink",
    "--path",
    dir,
    "--include",
    "*.csv",
    "--exclude",
    "skip/**",
  ]);
  assert.equal(created.bucketArn, "arn:aws:s3:::uploads");
  mkdirSync(join(dir, "sub dir"));
  mkdirSync(join(dir, "skip"));
  for (let i = 0; i < 99; i++) writeFileSync(join(dir, `f${i}.csv`), `row,${i}\n`);
  writeFileSync(join(dir, "sub dir", "a (1).csv"), "nested\n");
  // Filtered out: not *.csv, or under skip/.
  writeFileSync(join(dir, "notes.txt"), "ignored\n");
  writeFileSync(join(dir, "skip", "x.csv"), "ignored\n");

  const list = await waitEvents(s, 100);
  await sleep(4000); // anything extra would show up by now (quiet period 1 s, rescan 5 s)
  const all = await events(s);
  assert.equal(all.length, 100, `expected 100 events, got ${list.length} then ${all.length}`);
  const keys = new Set(all.map((r) => r.s3.object.key));
  assert.equal(keys.size, 100);
  assert.ok(keys.has("sub+dir/a+%281%29.csv"), [...keys].filter((k) => k.includes("sub")).join());
  assert.ok(!keys.has("notes.txt") && !keys.has("skip/x.csv"));
  const one = all.find((r) => r.s3.object.key === "f7.csv");
  assert.ok(one);
  assert.equal(one.eventVersion, "2.1");
  assert.equal(one.eventSource, "aws:s3");
  assert.equal(one.eventName, "ObjectCreated:Put");
  assert.equal(one.s3.bucket.name, "uploads");
  assert.equal(one.s3.bucket.arn, "arn:aws:s3:::uploads");
  assert.equal(one.s3.object.size, "row,7\n".length);
  assert.equal(one.s3.object.eTag, md5("row,7\n"));
  assert.match(one.s3.object.sequencer, /^[0-9A-F]{16}$/);
});

test("a delete is one ObjectRemoved:Delete; a slow write is reported once, when finished", async () => {
  const before = (await events(s)).length;
  unlinkSync(join(dir, "f0.csv"));
  // Written in pieces for ~2.5 s, each pause shorter than the quiet period.
  const slow = join(dir, "slow.csv");
  let content = "";
  for (let i = 0; i < 10; i++) {
    const chunk = `line ${i}\n`;
    appendFileSync(slow, chunk);
    content += chunk;
    await sleep(250);
  }
  const list = await waitEvents(s, before + 2, 60_000);
  await sleep(4000);
  const fresh = (await events(s)).filter(
    (r) => r.s3.object.key === "f0.csv" || r.s3.object.key === "slow.csv",
  );
  const deletes = fresh.filter((r) => r.eventName === "ObjectRemoved:Delete");
  assert.equal(deletes.length, 1, JSON.stringify(fresh));
  assert.equal(deletes[0]?.s3.object.key, "f0.csv");
  assert.equal(deletes[0]?.s3.object.size, undefined);
  const slowEvents = fresh.filter((r) => r.s3.object.key === "slow.csv");
  assert.equal(slowEvents.length, 1, `slow write reported ${slowEvents.length} times`);
  assert.equal(slowEvents[0]?.s3.object.size, content.length);
  assert.equal(slowEvents[0]?.s3.object.eTag, md5(content));
  assert.equal((await events(s)).length, before + 2, `${list.length} events`);
});

test("a restart reports what changed while the server was down, once, and nothing else", async () => {
  const dataDir = s.dataDir;
  await s.stop();
  writeFileSync(join(dir, "f1.csv"), "changed while down\n");
  writeFileSync(join(dir, "new.csv"), "new while down\n");
  s = await startServer({ dataDir });
  // The function's logs survive the restart; count from them.
  const all = await waitEvents(s, 104, 60_000);
  await sleep(6000);
  const after = await events(s);
  assert.equal(
    after.length,
    104,
    `expected 104 events in all, got ${all.length} then ${after.length}\n${s.output().slice(-3000)}\n${s.cli(["storage-trigger", "show", "uploads", "--json"]).stdout}\n${await (await s.api("/functions/sink/logs?limit=3")).text()}`,
  );
  const f1 = after.filter((r) => r.s3.object.key === "f1.csv");
  assert.equal(f1.length, 2);
  assert.ok(f1.some((r) => r.s3.object.eTag === md5("changed while down\n")));
  assert.equal(after.filter((r) => r.s3.object.key === "new.csv").length, 1);
  assert.equal(after.filter((r) => r.s3.object.key === "f2.csv").length, 1);
});

test("disabled, a directory trigger reports nothing; enabled, what changed meanwhile, once", async () => {
  assert.equal(cliJson<{ state: string }>(["disable", "uploads"]).state, "DISABLED");
  writeFileSync(join(dir, "while-disabled.csv"), "x\n");
  await sleep(7000); // longer than a quiet period and a rescan
  assert.equal((await events(s)).length, 104, "a disabled trigger reported");
  assert.equal(cliJson<{ state: string }>(["enable", "uploads"]).state, "ENABLED");
  await waitEvents(s, 105, 60_000);
  await sleep(6000);
  const all = await events(s);
  assert.equal(all.length, 105);
  assert.equal(all.filter((r) => r.s3.object.key === "while-disabled.csv").length, 1);
  const listed = cliJson<Array<{ name: string; kind: string; path: string }>>(["list"]);
  assert.deepEqual(
    listed.map((t) => [t.name, t.kind, t.path]),
    [["uploads", "directory", dir]],
  );
  assert.equal(s.cli(["storage-trigger", "delete", "uploads", "--yes"]).status, 0);
});

test("the S3 webhook: a wrong secret queues nothing; a MinIO-shaped post invokes with the record", async () => {
  const created = cliJson<{ secret: string; webhookPath: string }>([
    "create-webhook",
    "photos",
    "--function",
    "sink",
  ]);
  assert.equal(created.webhookPath, "/events/s3/photos");
  assert.ok(created.secret.length >= 24);
  const shown = cliJson<{ secret?: string }>(["show", "photos"]);
  assert.equal(shown.secret, undefined, "the secret is shown once");

  const record = {
    eventVersion: "2.0",
    eventSource: "minio:s3",
    awsRegion: "",
    eventTime: "2026-12-04T10:00:00.000Z",
    eventName: "s3:ObjectCreated:Put",
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "Config",
      bucket: { name: "photos", ownerIdentity: { principalId: "minio" }, arn: "arn:aws:s3:::photos" },
      object: { key: "cat.jpg", size: 42, eTag: "abc", sequencer: "17F0000000000000" },
    },
  };
  const minio = JSON.stringify({
    EventName: "s3:ObjectCreated:Put",
    Key: "photos/cat.jpg",
    Records: [record],
  });
  const post = (auth: string | undefined, body: string): Promise<Response> =>
    fetch(`${s.url}/events/s3/photos`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(auth === undefined ? {} : { authorization: auth }) },
      body,
    });
  const before = (await events(s)).length;
  for (const auth of [undefined, "Bearer wrong", `Bearer ${s.key}`]) {
    const r = await post(auth, minio);
    assert.equal(r.status, 401, `${auth ?? "no auth"}: ${r.status}`);
  }
  const unknown = await fetch(`${s.url}/events/s3/nosuch`, {
    method: "POST",
    headers: { authorization: `Bearer ${created.secret}` },
    body: minio,
  });
  assert.equal(unknown.status, 401);
  const bad = await post(`Bearer ${created.secret}`, JSON.stringify({ Records: "x" }));
  assert.equal(bad.status, 400);
  await sleep(2000);
  assert.equal((await events(s)).length, before, "a refused post queued something");

  const ok = await post(`Bearer ${created.secret}`, minio);
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.deepEqual(await ok.json(), { queued: 1 });
  // Ceph sends {"Records": [...]} without a content type, the secret as the URL's password (Basic).
  const ceph = await fetch(`${s.url}/events/s3/photos`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`ceph:${created.secret}`).toString("base64")}` },
    body: JSON.stringify({
      Records: [{ ...record, eventSource: "ceph:s3", s3: { ...record.s3, object: { key: "dog.jpg" } } }],
    }),
  });
  assert.equal(ceph.status, 200);
  const list = await waitEvents(s, before + 2, 60_000);
  const cat = (await events(s)).find((r) => r.s3.object.key === "cat.jpg");
  assert.deepEqual(cat, record, `${list.length} events`);
  assert.ok((await events(s)).some((r) => r.s3.object.key === "dog.jpg"));
  // Disabled, a delivery is accepted and dropped.
  cliJson(["disable", "photos"]);
  const dropped = await post(`Bearer ${created.secret}`, minio);
  assert.deepEqual(await dropped.json(), { queued: 0 });
  cliJson(["enable", "photos"]);
  const tooBig = await post(
    `Bearer ${created.secret}`,
    JSON.stringify({ Records: [record], pad: "x".repeat(300_000) }),
  );
  assert.equal(tooBig.status, 413);
});

test("bad input names the field and changes nothing", () => {
  const listBefore = cliJson<unknown[]>(["list"]);
  const file = join(dir, "f2.csv");
  const cases: Array<[string[], RegExp]> = [
    [
      ["create-dir", "rel", "--function", "sink", "--path", "relative/dir"],
      /path: 'relative\/dir' must be an absolute path/,
    ],
    [["create-dir", "gone", "--function", "sink", "--path", join(dir, "nope")], /path: .* does not exist/],
    [["create-dir", "file", "--function", "sink", "--path", file], /path: .* is not a directory/],
    [["create-dir", "nofn", "--function", "nosuch", "--path", dir], /nosuch/],
    [
      ["create-dir", "Bad_Name", "--function", "sink", "--path", dir],
      /name: 'Bad_Name' is not a valid trigger name/,
    ],
    [
      ["create-dir", "evs", "--function", "sink", "--path", dir, "--events", "created,renamed"],
      /events: 'renamed'/,
    ],
    [["create-webhook", "photos", "--function", "sink"], /already exists/],
    [
      ["create-dir", "data", "--function", "sink", "--path", s.dataDir],
      /overlaps the server's data directory/,
    ],
    [["show", "nosuch"], /Storage trigger nosuch does not exist/],
  ];
  for (const [args, re] of cases) {
    const r = s.cli(["storage-trigger", ...args]);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.stderr, re, args.join(" "));
  }
  assert.deepEqual(cliJson<unknown[]>(["list"]), listBefore);
});
