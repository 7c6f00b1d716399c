// Java handlers written as AWS documents them (RequestHandler<Map<String,String>, String>, POJO events
// and results, aws-lambda-java-events classes), mapped by Debian's Jackson the way AWS's Java runtime
// maps them; java.time values and Optional as ISO-8601 text and plain values.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { deploy, invoke, startServer, stopAndClean, type ServerHandle } from "./harness.js";
import { sharedBuildCache, skipUnlessRuntime, underCi } from "./runtime-support.js";
import { cpSync, mkdirSync, mkdtempSync, rmSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { zipDirectory } from "../../src/blobs/zip-dir.js";
import { jacksonJars } from "../../src/executor/java-runtime.js";

function skipUnlessJackson(): string | false {
  const runtime = skipUnlessRuntime("java17");
  if (runtime !== false) return runtime;
  if (jacksonJars() !== undefined) return false;
  const why = "needs Jackson's jars in /usr/share/java: install libjackson2-databind-java";
  if (underCi()) throw new Error(`CI must have Jackson: ${why}`);
  return why;
}

let s: ServerHandle;
const skip = skipUnlessJackson();
const deployed = new Set<string>();

before(async () => {
  if (skip === false) s = await startServer({ env: sharedBuildCache() });
});
after(async () => {
  if (skip === false) await stopAndClean(s);
});

/** Deploys test/fixtures/java/aws with the given handler (once per name). */
async function fn(name: string, handler: string): Promise<string> {
  if (deployed.has(name)) return name;
  const r = await deploy(s, { name, runtime: "java17", handler }, "java/aws");
  assert.equal(r.status, 201, JSON.stringify(r.json));
  deployed.add(name);
  return name;
}

test(
  "java17: AWS's documented RequestHandler<Map<String,String>, String> answers a JSON string",
  { skip },
  async () => {
    const name = await fn("aws-doc", "example.Handler::handleRequest");
    const r = await invoke(s, name, { name: "Ada", extra: "ignored" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, '"200 OK Ada"');
    const logs = s.cli(["logs", name]);
    assert.match(logs.stdout + logs.stderr, /EVENT TYPE: class java\.util\.LinkedHashMap/);
  },
);

test("java17: a handler's exception is the invoke error, with its type and message", { skip }, async () => {
  const name = await fn("aws-doc", "example.Handler::handleRequest");
  const r = await invoke(s, name, { action: "fail" });
  const body = r.json();
  assert.equal(body.errorType, "java.lang.IllegalArgumentException", r.text);
  assert.equal(body.errorMessage, "cannot handle fail");
  assert.ok(
    Array.isArray(body.stackTrace) && String(body.stackTrace[0]).startsWith("example.Handler.handleRequest"),
  );
});

test(
  "java17: a POJO handler maps its input and output with Jackson, java.time and Optional included",
  { skip },
  async () => {
    const name = await fn("aws-pojo", "example.OrderHandler");
    const r = await invoke(s, name, {
      orderId: "o-1",
      customer_name: "Ada",
      Unknown: true,
      items: [
        { sku: "a", quantity: 2, price: 1.25, colour: "red" },
        { sku: "b", quantity: 1, price: 10 },
      ],
      placedAt: "2024-02-29T10:15:30.123Z",
      deliverBy: "2024-03-01",
      note: "fragile",
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json(), {
      orderId: "o-1/Ada",
      total: 12.5,
      deliverBy: "2024-03-02",
      placedAt: "2024-02-29T10:15:30.123Z",
      window: "PT2H",
      note: "FRAGILE",
      URL: "https://example.com/orders/o-1/Ada",
    });
    // A missing Optional stays empty (written as null); a single item is accepted where a list is expected.
    const r2 = await invoke(s, name, {
      orderId: "o-2",
      items: { sku: "c", quantity: 3, price: 2 },
      placedAt: 1700000000,
      deliverBy: "2024-12-31",
    });
    assert.equal(r2.status, 200, r2.text);
    const j = r2.json();
    assert.equal(j.total, 6);
    assert.equal(j.note, null);
    assert.equal(j.placedAt, "2023-11-14T22:13:20Z");
    assert.equal(j.deliverBy, "2025-01-01");
  },
);

test(
  "java17: a JSON body that does not fit the POJO is an invoke error naming the type, not a hang",
  { skip },
  async () => {
    const name = await fn("aws-pojo", "example.OrderHandler");
    const r = await invoke(s, name, {
      orderId: "o-3",
      items: [],
      placedAt: "yesterday",
      deliverBy: "2024-01-01",
    });
    const body = r.json();
    assert.equal(body.errorType, "java.lang.RuntimeException", r.text);
    assert.match(
      String(body.errorMessage),
      /An error occurred during JSON parsing: cannot read the event as example\.Order/,
    );
    assert.match(String(body.errorMessage), /Instant/);
  },
);

test(
  "java17: an input type Jackson cannot make (an abstract class) is an invoke error naming it",
  { skip },
  async () => {
    const name = await fn("aws-abstract", "example.Methods::area");
    const r = await invoke(s, name, { side: 2 });
    const body = r.json();
    assert.equal(body.errorType, "java.lang.RuntimeException", r.text);
    assert.match(String(body.errorMessage), /example\.Methods\$Shape/);
    assert.match(String(body.errorMessage), /abstract types/);
  },
);

test(
  "java17: handlers named by method take and return lists, strings, primitives, records and null",
  { skip },
  async () => {
    const sum = await fn("aws-sum", "example.Methods::sum");
    assert.equal((await invoke(s, sum, [1, 2, 3, 4])).text, "10");
    const shout = await fn("aws-shout", "example.Methods::shout");
    assert.equal((await invoke(s, shout, "hi")).text, '"HI\\n\\"quoted\\""');
    const nothing = await fn("aws-nothing", "example.Methods::nothing");
    assert.equal((await invoke(s, nothing, {})).text, "null");
    const twice = await fn("aws-twice", "example.Methods::twice");
    assert.equal((await invoke(s, twice, 21)).text, "42");
    const moved = await fn("aws-moved", "example.Methods::moved");
    assert.deepEqual((await invoke(s, moved, { x: 1, y: 2, label: "p", z: 9 })).json(), {
      x: 2,
      y: 3,
      label: "p",
    });
  },
);

test(
  "java17: RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> answers a function URL",
  { skip },
  async () => {
    const name = await fn("aws-url", "example.UrlHandler");
    const created = s.cli(["url", "create", name, "--json"]);
    assert.equal(created.status, 0, created.stderr);
    const { url } = JSON.parse(created.stdout) as { url: string };
    const r = await fetch(`${url}orders/7?name=Ada`, { method: "POST", body: "hello" });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get("content-type"), "text/plain");
    assert.equal(r.headers.get("x-route"), "$default");
    assert.equal(await r.text(), "POST /orders/7 Ada base64=false body=hello");
  },
);

test(
  "java17: SQS, SNS, S3, scheduled and REST API events read and write with AWS's JSON names",
  { skip },
  async () => {
    const sqsEvent = {
      Records: [
        {
          messageId: "m-1",
          receiptHandle: "rh",
          body: "payload",
          attributes: { ApproximateReceiveCount: "1" },
          messageAttributes: { kind: { stringValue: "order", dataType: "String" } },
          md5OfBody: "abc",
          eventSource: "aws:sqs",
          eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:q",
          awsRegion: "us-east-1",
        },
      ],
    };
    const sqs = await fn("aws-sqs", "example.Events::sqs");
    assert.deepEqual(JSON.parse((await invoke(s, sqs, sqsEvent)).text), [
      "m-1 arn:aws:sqs:us-east-1:123456789012:q payload order",
    ]);
    const echo = await fn("aws-sqs-echo", "example.Events::sqsEcho");
    assert.deepEqual((await invoke(s, echo, sqsEvent)).json(), sqsEvent);

    const sns = await fn("aws-sns", "example.Events::sns");
    const snsEvent = {
      Records: [
        {
          EventSource: "aws:sns",
          EventVersion: "1.0",
          EventSubscriptionArn: "arn:sub",
          Sns: {
            Type: "Notification",
            MessageId: "n-1",
            TopicArn: "arn:aws:sns:us-east-1:123456789012:t",
            Message: "hello",
            Timestamp: "2019-01-02T12:45:07.000Z",
            MessageAttributes: { k: { Type: "String", Value: "v" } },
          },
        },
      ],
    };
    assert.equal(
      (await invoke(s, sns, snsEvent)).text,
      '"aws:sns hello arn:aws:sns:us-east-1:123456789012:t 1546433107 v"',
    );

    const scheduledEvent = {
      version: "0",
      id: "e-1",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "123456789012",
      time: "2019-10-08T16:53:06Z",
      region: "us-east-1",
      resources: ["arn:aws:events:us-east-1:123456789012:rule/r"],
      detail: {},
    };
    const sched = await fn("aws-scheduled", "example.Events::scheduled");
    assert.equal(
      (await invoke(s, sched, scheduledEvent)).text,
      '"Scheduled Event aws.events 2019-10-08T16:53:06Z [arn:aws:events:us-east-1:123456789012:rule/r]"',
    );
    const schedEcho = await fn("aws-scheduled-echo", "example.Events::scheduledEcho");
    assert.deepEqual((await invoke(s, schedEcho, scheduledEvent)).json(), scheduledEvent);

    const s3 = await fn("aws-s3", "example.Events::s3");
    const s3Event = {
      Records: [
        {
          eventVersion: "2.1",
          eventSource: "aws:s3",
          awsRegion: "us-east-1",
          eventTime: "2019-09-03T19:37:27.192Z",
          eventName: "ObjectCreated:Put",
          userIdentity: { principalId: "AWS:X" },
          requestParameters: { sourceIPAddress: "205.255.255.255" },
          responseElements: { "x-amz-request-id": "D82B88E5F771F645", "x-amz-id-2": "vlR7" },
          s3: {
            s3SchemaVersion: "1.0",
            configurationId: "c",
            bucket: {
              name: "my-bucket",
              ownerIdentity: { principalId: "A3I5" },
              arn: "arn:aws:s3:::my-bucket",
            },
            object: { key: "my+file%21.txt", size: 1305107, eTag: "b21b", sequencer: "0C0F6F405D6ED209E1" },
          },
        },
      ],
    };
    assert.equal(
      (await invoke(s, s3, s3Event)).text,
      '"ObjectCreated:Put my-bucket my file!.txt 1305107 2.1 D82B88E5F771F645"',
    );

    const rest = await fn("aws-rest", "example.Events::rest");
    const r = await invoke(s, rest, {
      resource: "/{proxy+}",
      path: "/a/b",
      httpMethod: "GET",
      requestContext: { requestId: "req-1", identity: { sourceIp: "1.2.3.4" } },
      isBase64Encoded: false,
    });
    assert.deepEqual(r.json(), { statusCode: 200, body: "GET /a/b req-1 false" });
  },
);

test(
  "java17: the runtime's Jackson maps POJOs, unless the function bundles its own, which then wins",
  { skip },
  async () => {
    const name = await fn("aws-where", "example.Where");
    const r = await invoke(s, name, { name: "Ada" });
    assert.equal(r.status, 200, r.text);
    assert.equal(JSON.parse(r.text), "file:/var/runtime/lib/jackson-databind.jar Ada");
    // The same code with Jackson's jars in lib/: they come before the runtime's on the class path.
    const dir = mkdtempSync(join(tmpdir(), "vajra-java-own-jackson-"));
    try {
      const fixture = resolve(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "java", "aws");
      cpSync(fixture, dir, { recursive: true });
      mkdirSync(join(dir, "lib"));
      for (const j of jacksonJars() ?? []) copyFileSync(j, join(dir, "lib", basename(j)));
      const zipFile = (await zipDirectory(dir)).toString("base64");
      const own = "aws-where-own";
      const d = await deploy(s, { name: own, runtime: "java17", handler: "example.Where", zipFile });
      assert.equal(d.status, 201, JSON.stringify(d.json));
      const r2 = await invoke(s, own, { name: "Bo" });
      assert.equal(r2.status, 200, r2.text);
      assert.match(
        JSON.parse(r2.text) as string,
        /^file:\/var\/task\/lib\/jackson-databind[-.0-9]*\.jar Bo$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
