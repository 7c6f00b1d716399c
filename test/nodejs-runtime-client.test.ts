// The Node.js runtime's Runtime API client (runtimes/nodejs/runtime-client.mjs), on its own: the
// response parser fed every way a byte stream can be cut, the request writer, the error-type header's
// ASCII form, and the client against real node:http servers on a UNIX socket and on loopback TCP
// (pipelining, Connection: close, a dropped keep-alive connection, an unreachable API).

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./integration/harness.js";

interface Response {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Buffer;
  close: boolean;
}
interface Parser {
  feed(chunk: Buffer): Response[];
  end(): Response | undefined;
  readonly inProgress: boolean;
}
interface Request {
  method: string;
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
}
interface Client {
  request(
    method: string,
    path: string,
    body?: string | Buffer,
    headers?: Record<string, string>,
  ): Promise<Response>;
  pipeline(requests: Request[]): Promise<Response>[];
  close(): void;
}
interface ClientModule {
  ResponseParser: new () => Parser;
  RuntimeClient: new (
    target: { path: string } | { host: string; port: number },
    opts?: { hostHeader?: string; maxAttempts?: number },
  ) => Client;
  encodeRequest(
    method: string,
    path: string,
    host: string,
    body?: string | Buffer,
    headers?: Record<string, string>,
  ): Buffer;
  headerSafe(value: string): string;
  parseTarget(api: string): { host: string; port: number };
}

const mod = (await import(
  pathToFileURL(join(ROOT, "runtimes/nodejs/runtime-client.mjs")).href
)) as ClientModule;

/** Feeds `bytes` to a fresh parser cut at the given sizes (cycled), then ends it. */
function parseInPieces(bytes: Buffer, sizes: number[]): Response[] {
  const p = new mod.ResponseParser();
  const out: Response[] = [];
  let off = 0;
  for (let i = 0; off < bytes.length; i++) {
    const n = sizes[i % sizes.length] ?? 1;
    out.push(...p.feed(bytes.subarray(off, off + n)));
    off += n;
  }
  const last = p.end();
  if (last !== undefined) out.push(last);
  return out;
}

const text = "héllo wörld € 😀";
const utf8 = Buffer.from(text, "utf8");
const stream = Buffer.concat([
  Buffer.from("HTTP/1.1 100 Continue\r\n\r\n"),
  Buffer.from(
    `HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: abc\r\nCONTENT-LENGTH: ${utf8.length}\r\nX-Folded: a\r\n  b\r\n\r\n`,
  ),
  utf8,
  Buffer.from("HTTP/1.1 202 Accepted\r\ntransfer-encoding: chunked\r\n\r\n"),
  Buffer.from("4;ext=1\r\nhé"),
  Buffer.from("l\r\n"),
  Buffer.from(`${(utf8.length - 4).toString(16)}\r\n`),
  utf8.subarray(4),
  Buffer.from("\r\n0\r\nX-Trailer: t\r\n\r\n"),
  Buffer.from("HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n"),
  Buffer.from("HTTP/1.1 500 Oops\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}"),
]);

test("the parser reads pipelined responses whichever way the stream is cut", () => {
  for (const sizes of [[stream.length], [1], [2, 3], [7], [13, 1, 64]]) {
    const rs = parseInPieces(stream, sizes);
    assert.equal(rs.length, 4, `cut ${JSON.stringify(sizes)}`);
    const [a, b, c, d] = rs as [Response, Response, Response, Response];
    assert.equal(a.status, 200);
    assert.equal(a.headers["lambda-runtime-aws-request-id"], "abc");
    assert.equal(a.headers["x-folded"], "a b");
    assert.equal(a.body.toString("utf8"), text);
    assert.equal(a.close, false);
    assert.equal(b.status, 202);
    assert.equal(
      b.body.toString("utf8"),
      "hél" + text.slice(3),
      "chunked body, multi-byte characters across chunks",
    );
    assert.deepEqual([c.status, c.body.length, c.close], [204, 0, false]);
    assert.deepEqual([d.status, d.statusText, d.body.toString(), d.close], [500, "Oops", "{}", true]);
  }
});

test("a body without a length ends with the connection; HTTP/1.0 closes unless kept alive", () => {
  const rs = parseInPieces(
    Buffer.from("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"),
    [4],
  );
  assert.equal(rs.length, 1);
  assert.equal(rs[0]?.body.toString(), "until the end");
  assert.equal(rs[0]?.close, true);
  const kept = parseInPieces(
    Buffer.from("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx"),
    [3],
  );
  assert.equal(kept[0]?.close, false);
});

test("malformed responses and a close in the middle of one are errors naming the problem", () => {
  const bad = (s: string, re: RegExp): void => {
    assert.throws(() => parseInPieces(Buffer.from(s), [s.length]), re);
  };
  bad("HTTX/1.1 200 OK\r\n\r\n", /malformed status line/);
  bad("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", /malformed header line/);
  bad("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", /invalid Content-Length/);
  bad("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", /invalid Content-Length/);
  bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", /invalid chunk size/);
  bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc", /not followed by CRLF/);
  bad("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", /closed the connection in the middle/);
  bad("HTTP/1.1 200 OK\r\nContent-Len", /closed the connection in the middle/);
  assert.throws(() => new mod.ResponseParser().feed(Buffer.alloc(70 * 1024, 0x61)), /larger than 64 KiB/);
});

test("requests carry Content-Length in bytes, and header values that HTTP cannot carry are refused", () => {
  const req = mod.encodeRequest("POST", "/p", "localhost", "ä€", { "Content-Type": "application/json" });
  assert.equal(
    req.toString("latin1"),
    "POST /p HTTP/1.1\r\nHost: localhost\r\nUser-Agent: vajra-nodejs\r\nContent-Type: application/json\r\n" +
      "Content-Length: 5\r\n\r\n" +
      Buffer.from("ä€").toString("latin1"),
  );
  const get = mod.encodeRequest("GET", "/next", "h:1").toString();
  assert.doesNotMatch(get, /Content-Length/);
  assert.throws(
    () => mod.encodeRequest("GET", "/x", "h", undefined, { A: "a\r\nB: b" }),
    /invalid character/,
  );
  assert.throws(() => mod.encodeRequest("GET", "/x", "h", undefined, { A: "💥" }), /invalid character/);
  assert.throws(() => mod.encodeRequest("GET", "/a b", "h"), /invalid request path/);
  assert.throws(() => mod.encodeRequest("GE T", "/a", "h"), /invalid HTTP method/);
});

test("the error-type header's form is printable ASCII and decodes back to the name", () => {
  for (const name of [
    "TypeError",
    "Runtime.UnhandledPromiseRejection",
    "ÜberFehler💥",
    "a%b",
    "tab\there",
    "line\r\nbreak",
  ]) {
    const v = mod.headerSafe(name);
    assert.match(v, /^[\x20-\x7e]*$/);
    assert.equal(decodeURIComponent(v), name);
  }
  assert.equal(mod.headerSafe("Runtime.ImportModuleError"), "Runtime.ImportModuleError");
  assert.equal(mod.headerSafe("Fehlerä"), "Fehler%C3%A4");
});

test("AWS_LAMBDA_RUNTIME_API is host:port", () => {
  assert.deepEqual(mod.parseTarget("127.0.0.1:9001"), { host: "127.0.0.1", port: 9001 });
  assert.deepEqual(mod.parseTarget("[::1]:80"), { host: "::1", port: 80 });
  assert.throws(() => mod.parseTarget("localhost"), /must be host:port/);
  assert.throws(() => mod.parseTarget("h:99999"), /must be host:port/);
});

/** A node:http server on a UNIX socket in a fresh folder, or on loopback TCP. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
  tcp = false,
): Promise<{
  server: Server;
  target: { path: string } | { host: string; port: number };
  connections: Socket[];
  stop(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), "vajra-rtclient-"));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, res, Buffer.concat(chunks)));
  });
  const connections: Socket[] = [];
  server.on("connection", (c: Socket) => connections.push(c));
  const path = join(dir, "api.sock");
  await new Promise<void>((r) => (tcp ? server.listen(0, "127.0.0.1", r) : server.listen(path, r)));
  const target = tcp ? { host: "127.0.0.1", port: (server.address() as AddressInfo).port } : { path };
  return {
    server,
    target,
    connections,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test("pipelined requests go out in one connection and are answered in order, binary bodies intact", async () => {
  const seen: string[] = [];
  const api = await serve((req, res, body) => {
    seen.push(`${req.method} ${req.url} ${body.length}`);
    // answer the second one first in time: the order of answers is still the order of requests
    const delay = req.url === "/a" ? 30 : 0;
    setTimeout(() => {
      res.writeHead(200, { "content-length": body.length, "x-url": req.url ?? "" });
      res.end(body);
    }, delay);
  });
  const client = new mod.RuntimeClient(api.target);
  try {
    const binary = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    const [a, b] = client.pipeline([
      { method: "POST", path: "/a", body: binary },
      { method: "POST", path: "/b", body: "😀".repeat(50_000) },
    ]);
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra?.headers["x-url"], "/a");
    assert.ok(ra?.body.equals(binary));
    assert.equal(rb?.body.toString("utf8"), "😀".repeat(50_000));
    const c = await client.request("GET", "/c");
    assert.equal(c.status, 200);
    assert.deepEqual(seen, ["POST /a 300000", "POST /b 200000", "GET /c 0"]);
    assert.equal(api.connections.length, 1, "one persistent connection");
  } finally {
    client.close();
    await api.stop();
  }
});

test("Connection: close and a dropped idle connection are followed by a new connection", async () => {
  let n = 0;
  const api = await serve((req, res) => {
    n++;
    const close = req.url === "/close";
    res.writeHead(200, { "content-length": 2, ...(close ? { connection: "close" } : {}) });
    res.end(String(n).padStart(2, "0"));
  });
  const client = new mod.RuntimeClient(api.target);
  try {
    // the server closes after the first answer: the pipelined second one is sent again
    const [first, second] = client.pipeline([
      { method: "GET", path: "/close" },
      { method: "GET", path: "/after" },
    ]);
    assert.equal((await first)?.close, true);
    assert.equal((await second)?.status, 200);
    assert.equal(api.connections.length, 2);
    // the server drops the idle keep-alive connection: the next request reconnects
    for (const c of api.connections) c.destroy();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await client.request("GET", "/again")).status, 200);
    assert.equal(api.connections.length, 3);
  } finally {
    client.close();
    await api.stop();
  }
});

test("over TCP the client works the same (TCP_NODELAY set)", async () => {
  const api = await serve((req, res, body) => {
    res.writeHead(200, { "content-length": body.length });
    res.end(body);
  }, true);
  const client = new mod.RuntimeClient(api.target);
  try {
    const [a, b] = client.pipeline([
      { method: "POST", path: "/x", body: "one" },
      { method: "POST", path: "/y", body: "two" },
    ]);
    assert.equal((await a)?.body.toString(), "one");
    assert.equal((await b)?.body.toString(), "two");
  } finally {
    client.close();
    await api.stop();
  }
});

test("an unreachable Runtime API fails after a bounded number of attempts, naming the request", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vajra-rtclient-"));
  const client = new mod.RuntimeClient({ path: join(dir, "nothing.sock") }, { maxAttempts: 3 });
  try {
    await assert.rejects(
      client.request("GET", "/next"),
      /GET \/next: the Runtime API connection failed 3 times: .*ENOENT/,
    );
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a connection that breaks in the middle of an answer fails that request instead of repeating it", async () => {
  let calls = 0;
  const api = await serve((_req, res) => {
    calls++;
    res.writeHead(200, { "content-length": 100 });
    res.write("partial");
    setTimeout(() => res.socket?.destroy(), 10);
  });
  const client = new mod.RuntimeClient(api.target);
  try {
    await assert.rejects(client.request("GET", "/next"), /mid-response|middle of a response/);
    assert.equal(calls, 1);
  } finally {
    client.close();
    await api.stop();
  }
});
