// Test events of the Test tab: JSON checked before sending, saved by name per function in this
// browser's localStorage (they are the user's drafts, not server state), and templates of the event
// shapes Vajra emits: its HTTP routes (API Gateway payloads 2.0 and 1.0), S3 notifications, schedules
// and the brokers' batches (RabbitMQ in AWS's shape, NATS in Vajra's SQS-like one).

export interface SavedEvent {
  name: string;
  json: string;
}

export interface EventStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const storageKey = (fn: string): string => `vajra.console.events.${fn}`;

export type JsonCheck = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses the event text; on failure says where (line and column) when the engine tells the offset. */
export function checkEventJson(text: string): JsonCheck {
  if (text.trim() === "") return { ok: false, message: "The event is empty: enter a JSON value such as {}." };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const msg = (err as Error).message;
    const m = /position (\d+)/.exec(msg);
    if (m !== null) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos).split("\n");
      const line = before.length;
      const column = (before.at(-1)?.length ?? 0) + 1;
      return { ok: false, message: `The event is not valid JSON (line ${line}, column ${column}): ${msg}` };
    }
    return { ok: false, message: `The event is not valid JSON: ${msg}` };
  }
}

const NAME_RE = /^[A-Za-z0-9 _.-]{1,40}$/;

export function checkEventName(name: string): string | undefined {
  if (!NAME_RE.test(name.trim()))
    return "Name the event with 1 to 40 letters, digits, spaces, '.', '_' or '-'.";
  return undefined;
}

export function loadEvents(store: EventStore, fn: string): SavedEvent[] {
  try {
    const v = JSON.parse(store.getItem(storageKey(fn)) ?? "[]") as unknown;
    if (!Array.isArray(v)) return [];
    return v.filter(
      (e): e is SavedEvent =>
        typeof e === "object" &&
        e !== null &&
        typeof (e as SavedEvent).name === "string" &&
        typeof (e as SavedEvent).json === "string",
    );
  } catch {
    return [];
  }
}

/** Saves (or replaces by name) an event; the list stays sorted by name. */
export function saveEvent(store: EventStore, fn: string, event: SavedEvent): SavedEvent[] {
  const events = loadEvents(store, fn).filter((e) => e.name !== event.name);
  events.push({ name: event.name.trim(), json: event.json });
  events.sort((a, b) => a.name.localeCompare(b.name));
  store.setItem(storageKey(fn), JSON.stringify(events));
  return events;
}

export function deleteEvent(store: EventStore, fn: string, name: string): SavedEvent[] {
  const events = loadEvents(store, fn).filter((e) => e.name !== name);
  store.setItem(storageKey(fn), JSON.stringify(events));
  return events;
}

const now = (): string => new Date().toISOString();

export const TEMPLATES: { id: string; label: string; make: () => unknown }[] = [
  { id: "empty", label: "Empty object", make: () => ({}) },
  {
    id: "apigw-v2",
    label: "API Gateway HTTP API (payload 2.0)",
    make: () => ({
      version: "2.0",
      routeKey: "GET /hello",
      rawPath: "/hello",
      rawQueryString: "name=world",
      headers: { accept: "application/json", host: "127.0.0.1" },
      queryStringParameters: { name: "world" },
      requestContext: {
        accountId: "000000000000",
        apiId: "vajra",
        domainName: "127.0.0.1",
        http: {
          method: "GET",
          path: "/hello",
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
          userAgent: "vajra-console",
        },
        requestId: "console-test",
        routeKey: "GET /hello",
        stage: "$default",
        time: now(),
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
    }),
  },
  {
    id: "apigw-v1",
    label: "API Gateway REST API (payload 1.0)",
    make: () => ({
      version: "1.0",
      resource: "/hello",
      path: "/hello",
      httpMethod: "GET",
      headers: { accept: "application/json" },
      multiValueHeaders: { accept: ["application/json"] },
      queryStringParameters: { name: "world" },
      multiValueQueryStringParameters: { name: ["world"] },
      pathParameters: null,
      stageVariables: null,
      requestContext: {
        accountId: "000000000000",
        apiId: "vajra",
        httpMethod: "GET",
        path: "/hello",
        requestId: "console-test",
        resourcePath: "/hello",
        stage: "$default",
        identity: { sourceIp: "127.0.0.1", userAgent: "vajra-console" },
        requestTimeEpoch: Date.now(),
      },
      body: null,
      isBase64Encoded: false,
    }),
  },
  {
    id: "s3-put",
    label: "S3 object created",
    make: () => ({
      Records: [
        {
          eventVersion: "2.1",
          eventSource: "aws:s3",
          awsRegion: "us-east-1",
          eventTime: now(),
          eventName: "ObjectCreated:Put",
          s3: {
            s3SchemaVersion: "1.0",
            bucket: { name: "example-bucket", arn: "arn:aws:s3:::example-bucket" },
            object: { key: "uploads/example.txt", size: 1024, eTag: "0123456789abcdef0123456789abcdef" },
          },
        },
      ],
    }),
  },
  {
    id: "schedule",
    label: "Scheduled event",
    make: () => ({
      version: "0",
      id: "00000000-0000-0000-0000-000000000000",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: now(),
      region: "us-east-1",
      resources: ["arn:aws:events:us-east-1:000000000000:rule/example"],
      detail: {},
    }),
  },
];

TEMPLATES.push(
  {
    id: "rabbitmq",
    label: "RabbitMQ messages (event source mapping)",
    make: () => ({
      eventSource: "aws:rmq",
      eventSourceArn: "arn:aws:mq:us-east-1:000000000000:broker:vajra:example",
      rmqMessagesByQueue: {
        "orders::/": [
          {
            basicProperties: { contentType: "application/json", headers: {}, deliveryMode: 2 },
            redelivered: false,
            data: btoa(JSON.stringify({ order: 1 })),
          },
        ],
      },
    }),
  },
  {
    id: "nats",
    label: "NATS JetStream messages (event source mapping)",
    make: () => ({
      Records: [
        {
          eventSource: "vajra:nats",
          eventSourceArn: "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:example",
          messageId: "1",
          stream: "ORDERS",
          subject: "orders.created",
          headers: {},
          body: JSON.stringify({ order: 1 }),
          attributes: { redelivered: false, deliveryCount: 1, timestamp: now() },
        },
      ],
    }),
  },
);

export function templateText(id: string): string {
  const t = TEMPLATES.find((x) => x.id === id) ?? TEMPLATES[0];
  return JSON.stringify(t?.make() ?? {}, null, 2);
}
