// The CLI driven in-process through `run` against a small fake of the native API: exit codes, what goes
// to stdout versus stderr, the unreachable-server message, deploy detection and the delete safeguard.
// (The real server is exercised by test/integration.)

import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CliIo } from "./context.js";
import { run } from "./main.js";

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

const seen: Seen[] = [];
let server: Server;
let endpoint: string;
let dir: string;

const fn = {
  name: "hello",
  arn: "arn:aws:lambda:us-east-1:000000000000:function:hello",
  runtime: "python3.12",
  handler: "app.handler",
  memorySize: 128,
  timeout: 3,
  environment: { STAGE: "dev" },
  description: "",
  ephemeralStorage: 512,
  reservedConcurrency: null,
  codeSha256: "ab".repeat(32),
  codeSize: 2048,
  version: "$LATEST",
  revisionId: "r1",
  state: "Active",
  lastModified: "2024-05-01T12:00:00.000Z",
  createdAt: "2024-05-01T12:00:00.000Z",
};

function reply(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body));
}

function handle(req: IncomingMessage, body: string, res: ServerResponse): void {
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
  if (req.headers.authorization !== "Bearer test-key") {
    return reply(res, 401, { error: { code: "Unauthorized", message: "missing or invalid API key" } });
  }
  const route = `${req.method} ${req.url}`;
  const notFound = { error: { code: "FunctionNotFound", message: "Function not found: missing" } };
  switch (route) {
    case "GET /functions":
      return reply(res, 200, { functions: [fn] });
    case "GET /functions/hello":
      return reply(res, 200, { ...fn, instances: { idle: 1, busy: 0 } });
    case "GET /functions/missing":
    case "GET /functions/fresh":
      return reply(res, 404, notFound);
    case "GET /runtimes":
      return reply(res, 200, {
        runtimes: [
          {
            id: "python3.11",
            family: "python",
            available: true,
            version: "3.11.2",
            path: "/usr/bin/python3.11",
          },
          { id: "python3.12", family: "python", available: false, reason: "python3.12 not found" },
          { id: "nodejs20.x", family: "nodejs", available: true, version: "20.1.0", path: "/usr/bin/node" },
        ],
      });
    case "POST /functions": {
      const req = JSON.parse(body) as { name: string; runtime?: string; handler?: string };
      return reply(res, 201, {
        ...fn,
        ...req,
        runtime: req.runtime ?? fn.runtime,
        handler: req.handler ?? fn.handler,
      });
    }
    case "POST /functions/hello/invoke":
      return reply(res, 200, body, {
        "x-vajra-request-id": "req-1",
        "x-vajra-duration-ms": "1.5",
        "x-vajra-billed-duration-ms": "2",
        ...(req.headers["x-vajra-log-type"] === "Tail"
          ? { "x-vajra-log-result": Buffer.from("START\nhello log\nEND\n").toString("base64") }
          : {}),
      });
    case "POST /functions/broken/invoke":
      return reply(
        res,
        200,
        { errorType: "ValueError", errorMessage: "bad input" },
        { "x-vajra-function-error": "Unhandled" },
      );
    case "DELETE /functions/hello":
      return reply(res, 204);
    default:
      return reply(res, 404, { error: { code: "NotFound", message: `no route ${route}` } });
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vajra-cli-main-"));
  await writeFile(join(dir, "admin-key"), "test-key\n");
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

async function cli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: Partial<CliIo["stdin"]>; tty?: boolean } = {},
): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { VAJRA_ENDPOINT: endpoint, VAJRA_DATA_DIR: dir, ...options.env },
    stdin: {
      isTTY: false,
      hasData: false,
      read: () => Promise.resolve(Buffer.alloc(0)),
      question: () => Promise.reject(new Error("unexpected prompt")),
      ...options.stdin,
    },
  };
  const code = await run(["node", "vajra", ...args], io);
  return { code, stdout, stderr };
}

void describe("vajra CLI", () => {
  void test("bare vajra prints the help, with the banner only on a terminal", async () => {
    const piped = await cli([]);
    assert.equal(piped.code, 0);
    assert.match(piped.stdout, /Usage: vajra/);
    assert.doesNotMatch(piped.stdout, /\\_\\/);
    const tty = await cli(["--help"], { tty: true, env: { NO_COLOR: "1" } });
    assert.equal(tty.code, 0);
    assert.match(tty.stdout, /self-hosted serverless/);
    assert.match(tty.stdout, /\\_\\/);
    assert.equal(tty.stdout.includes("\u001b["), false);
  });

  void test("usage errors exit 2", async () => {
    assert.equal((await cli(["deploy"])).code, 2);
    assert.equal((await cli(["frobnicate"])).code, 2);
    const bad = await cli(["deploy", "x", dir, "--env", "NOEQUALS"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected KEY=VALUE/);
    assert.equal((await cli(["invoke", "hello", "--payload", "{nope"])).code, 2);
  });

  void test("an unreachable server is named with a hint to start it", async () => {
    const r = await cli(["list", "--endpoint", "http://127.0.0.1:1"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /^error: cannot reach the Vajra server at http:\/\/127\.0\.0\.1:1: is `vajra server` running\?/,
    );
  });

  void test("a rejected key says where the key came from", async () => {
    const r = await cli(["list"], { env: { VAJRA_API_KEY: "wrong" } });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: the server rejected the API key \(from VAJRA_API_KEY\) \(Unauthorized\)\n$/,
    );
  });

  void test("list prints a table, or only JSON with --json", async () => {
    const human = await cli(["list"]);
    assert.equal(human.code, 0);
    assert.match(
      human.stdout,
      /^NAME\s+RUNTIME\s+MEMORY\s+TIMEOUT\s+LAST MODIFIED\nhello\s+python3\.12\s+128 MB\s+3 s\s+2024-05-01 12:00:00\n$/,
    );
    const json = await cli(["list", "--json"]);
    assert.deepEqual(JSON.parse(json.stdout), { functions: [fn] });
    assert.equal(json.stderr, "");
  });

  void test("info prints aligned configuration and the server's error for a missing function", async () => {
    const r = await cli(["info", "hello"]);
    assert.match(r.stdout, /Handler\s+app\.handler/);
    assert.match(r.stdout, /Instances\s+1 idle, 0 busy/);
    assert.match(r.stdout, / {2}STAGE\s+dev/);
    const missing = await cli(["info", "missing"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "error: Function not found: missing (FunctionNotFound)\n");
  });

  void test("invoke sends the payload bytes and prints the response, with the log on stderr", async () => {
    const r = await cli(["invoke", "hello", "--payload", '{"a":  1}', "--log"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '{"a":  1}\n');
    assert.match(r.stderr, /hello log/);
    const sent = seen.findLast((s) => s.url === "/functions/hello/invoke");
    assert.equal(sent?.body, '{"a":  1}');
    assert.equal(sent?.headers["x-vajra-log-type"], "Tail");
  });

  void test("invoke reads piped stdin", async () => {
    const r = await cli(["invoke", "hello"], {
      stdin: { hasData: true, read: () => Promise.resolve(Buffer.from("[1]")) },
    });
    assert.equal(r.stdout, "[1]\n");
  });

  void test("invoke exits 1 on a function error and still prints the error body", async () => {
    const r = await cli(["invoke", "broken"]);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout), { errorType: "ValueError", errorMessage: "bad input" });
    assert.match(r.stderr, /error: function broken failed: ValueError: bad input \(Unhandled\)/);
    const json = await cli(["invoke", "broken", "--json"]);
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as { functionError: string }).functionError, "Unhandled");
  });

  void test("deploy of a new function detects runtime and handler and says so", async () => {
    const code = join(dir, "fresh");
    await rm(code, { recursive: true, force: true });
    await mkdir(code);
    await writeFile(join(code, "app.py"), "def handler(event, context):\n    return 1\n");
    const r = await cli(["deploy", "fresh", code, "--env", "A=1", "--memory", "256"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Detected runtime python3\.11 \(found app\.py\), handler app\.handler/);
    assert.match(r.stdout, /Created function fresh: python3\.11, handler app\.handler/);
    const post = seen.findLast((s) => s.method === "POST" && s.url === "/functions");
    const body = JSON.parse(post?.body ?? "{}") as Record<string, unknown>;
    assert.equal(body.runtime, "python3.11");
    assert.deepEqual(body.environment, { A: "1" });
    assert.equal(body.memorySize, 256);
    assert.equal(typeof body.zipFile, "string");
    assert.equal("timeout" in body, false);
  });

  void test("deploy to an existing function keeps its runtime and handler", async () => {
    const code = join(dir, "fresh");
    const r = await cli(["deploy", "hello", code]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Detected/);
    const post = seen.findLast((s) => s.method === "POST" && s.url === "/functions");
    const body = JSON.parse(post?.body ?? "{}") as Record<string, unknown>;
    assert.equal("runtime" in body, false);
    assert.equal("handler" in body, false);
  });

  void test("delete never deletes without confirmation", async () => {
    const refused = await cli(["delete", "hello"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /pass --yes/);
    let asked = "";
    const declined = await cli(["delete", "hello"], {
      stdin: { isTTY: true, question: (q: string) => ((asked = q), Promise.resolve("")) },
    });
    assert.equal(asked, "Delete function hello? [y/N] ");
    assert.equal(declined.code, 1);
    assert.equal(seen.filter((s) => s.method === "DELETE").length, 0);
    const confirmed = await cli(["delete", "hello"], {
      stdin: { isTTY: true, question: () => Promise.resolve("y") },
    });
    assert.equal(confirmed.code, 0);
    assert.equal((await cli(["delete", "hello", "--yes", "--json"])).stdout, '{\n  "deleted": "hello"\n}\n');
  });

  void test("runtimes shows availability with the path or the reason", async () => {
    const r = await cli(["runtimes"]);
    assert.match(r.stdout, /python3\.11\s+yes\s+3\.11\.2\s+\/usr\/bin\/python3\.11/);
    assert.match(r.stdout, /python3\.12\s+no\s+-\s+python3\.12 not found/);
  });
});
