// `vajra versions`, `vajra alias` and `vajra invoke NAME:QUALIFIER` driven through `run` against a small
// fake of the native API: the requests they send, what they print, and their exit codes.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import type { CliIo } from "./context.js";
import { run } from "./main.js";

interface Seen {
  method: string;
  url: string;
  body: string;
}

const seen: Seen[] = [];
let server: Server;
let endpoint: string;
let dir: string;
/** Whether the next publish finds changes since the last version (201) or none (200). */
let changed = true;

const version = (v: string, description = "") => ({
  version: v,
  codeSha256: "ab12cd34ef56".repeat(5) + "abcd",
  runtime: "python3.12",
  handler: "app.handler",
  memorySize: 128,
  timeout: 3,
  description,
  lastModified: "2024-05-01T12:00:00.000Z",
});

const alias = {
  name: "live",
  arn: "arn:aws:lambda:us-east-1:000000000000:function:hello:live",
  functionVersion: "1",
  description: "production",
  routingConfig: { additionalVersionWeights: { "2": 0.1 } },
  revisionId: "r1",
};

function reply(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

function handle(req: IncomingMessage, body: string, res: ServerResponse): void {
  seen.push({ method: req.method ?? "", url: req.url ?? "", body });
  const route = `${req.method} ${req.url}`;
  switch (route) {
    case "POST /functions/hello/versions":
      return reply(res, changed ? 201 : 200, version("2", "fix"));
    case "GET /functions/hello/versions":
      return reply(res, 200, { versions: [version("$LATEST"), version("1", "first")] });
    case "GET /functions/missing/versions":
      return reply(res, 404, { error: { code: "FunctionNotFound", message: "Function not found: missing" } });
    case "POST /functions/hello/aliases": {
      const sent = JSON.parse(body) as Record<string, unknown>;
      return reply(res, 201, { ...alias, ...sent, routingConfig: sent.routingConfig ?? null });
    }
    case "PUT /functions/hello/aliases/live":
      return reply(res, 200, { ...alias, routingConfig: null });
    case "GET /functions/hello/aliases":
      return reply(res, 200, {
        aliases: [alias, { ...alias, name: "beta", routingConfig: null, description: "" }],
      });
    case "DELETE /functions/hello/aliases/live":
      return reply(res, 204);
    case "POST /functions/hello/invoke?qualifier=live":
    case "POST /functions/hello/invoke?qualifier=%24LATEST":
      return reply(
        res,
        200,
        { ok: true },
        { "x-vajra-request-id": "req-1", "x-vajra-executed-version": "2" },
      );
    default:
      return reply(res, 404, { error: { code: "NotFound", message: `no route ${route}` } });
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "vajra-cli-aliases-"));
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

beforeEach(() => {
  seen.length = 0;
});

async function cli(args: string[], stdin: Partial<CliIo["stdin"]> = {}) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { VAJRA_ENDPOINT: endpoint, VAJRA_DATA_DIR: dir },
    stdin: {
      isTTY: false,
      hasData: false,
      read: () => Promise.resolve(Buffer.alloc(0)),
      question: () => Promise.reject(new Error("unexpected prompt")),
      ...stdin,
    },
  };
  const code = await run(["node", "vajra", ...args], io);
  return { code, stdout, stderr };
}

const sentBody = (method: string) =>
  JSON.parse(seen.findLast((s) => s.method === method)?.body ?? "null") as unknown;

void describe("vajra versions", () => {
  void test("publish says whether a new version was made, and sends the description", async () => {
    changed = true;
    const fresh = await cli(["versions", "publish", "hello", "--description", "fix"]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(fresh.stdout, "✓ Published version 2 of hello\n");
    assert.deepEqual(sentBody("POST"), { description: "fix" });
    changed = false;
    const same = await cli(["versions", "publish", "hello"]);
    assert.equal(same.stdout, "Version 2 of hello is already current\n");
    assert.deepEqual(sentBody("POST"), {});
    const json = await cli(["versions", "publish", "hello", "--json"]);
    assert.equal((JSON.parse(json.stdout) as { version: string }).version, "2");
    assert.equal(json.stderr, "");
  });

  void test("list prints a table with the code hash prefix, or the server's JSON", async () => {
    const r = await cli(["versions", "list", "hello"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^VERSION\s+RUNTIME\s+MEMORY\s+CODE\s+DESCRIPTION\n\$LATEST\s+python3\.12\s+128 MB\s+ab12cd34ef56\n1\s+python3\.12\s+128 MB\s+ab12cd34ef56\s+first\n$/,
    );
    const json = await cli(["--json", "versions", "list", "hello"]);
    assert.equal((JSON.parse(json.stdout) as { versions: unknown[] }).versions.length, 2);
    const missing = await cli(["versions", "list", "missing"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "error: Function not found: missing (FunctionNotFound)\n");
  });
});

void describe("vajra alias", () => {
  void test("create sends the version, weight and description; --version is not the program's", async () => {
    const r = await cli([
      "alias",
      "create",
      "hello",
      "live",
      "--version",
      "1",
      "--weight",
      "2=10%",
      "--description",
      "production",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "✓ Created alias live of hello → version 1 (2=10%)\n");
    assert.deepEqual(sentBody("POST"), {
      name: "live",
      functionVersion: "1",
      description: "production",
      routingConfig: { additionalVersionWeights: { "2": 0.1 } },
    });
  });

  void test("bad weights, a missing --version and an empty update are usage errors, sent nowhere", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["alias", "create", "hello", "live"], /--version is required/],
      [["alias", "create", "hello", "live", "--version", "live"], /published version number or \$LATEST/],
      [["alias", "create", "hello", "live", "--version", "1", "--weight", "2=1.5"], /not between 0 and 1/],
      [["alias", "create", "hello", "live", "--version", "1", "--weight", "2"], /expected VERSION=FRACTION/],
      [["alias", "create", "hello", "live", "--version", "1", "--weight", "1=0.5"], /another version/],
      [["alias", "update", "hello", "live", "--weight", "2=0.1", "--weight", "3=0.1"], /only one --weight/],
      [["alias", "update", "hello", "live"], /nothing to update/],
      [["alias"], /Usage: vajra alias/],
    ];
    for (const [args, pattern] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, pattern, args.join(" "));
    }
    assert.equal(seen.length, 0);
  });

  void test("update sends only the given fields; --no-weight clears the routing", async () => {
    const r = await cli(["alias", "update", "hello", "live", "--no-weight", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(sentBody("PUT"), { routingConfig: null });
    assert.equal((JSON.parse(r.stdout) as { routingConfig: unknown }).routingConfig, null);
    await cli(["alias", "update", "hello", "live", "--version", "2"]);
    assert.deepEqual(sentBody("PUT"), { functionVersion: "2" });
  });

  void test("list shows weights as percentages", async () => {
    const r = await cli(["alias", "list", "hello"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ALIAS\s+VERSION\s+WEIGHTS\s+DESCRIPTION\nlive\s+1\s+2=10%\s+production\nbeta\s+1\s+-\n$/,
    );
  });

  void test("delete asks on a terminal and refuses without one unless --yes", async () => {
    const refused = await cli(["alias", "delete", "hello", "live"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refusing to delete alias live of hello without confirmation: pass --yes/);
    let asked = "";
    const declined = await cli(["alias", "delete", "hello", "live"], {
      isTTY: true,
      question: (q: string) => ((asked = q), Promise.resolve("n")),
    });
    assert.equal(asked, "Delete alias live of function hello? [y/N] ");
    assert.equal(declined.code, 1);
    assert.equal(seen.length, 0);
    const confirmed = await cli(["alias", "delete", "hello", "live", "--yes", "--json"]);
    assert.equal(confirmed.code, 0);
    assert.deepEqual(JSON.parse(confirmed.stdout), { deleted: "live", function: "hello" });
    assert.equal(seen.findLast((s) => s.method === "DELETE")?.url, "/functions/hello/aliases/live");
  });
});

void describe("vajra invoke with a qualifier", () => {
  void test("NAME:QUALIFIER and --qualifier send ?qualifier= and report the executed version", async () => {
    const r = await cli(["invoke", "hello:live"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '{"ok":true}\n');
    assert.equal(r.stderr, "hello:live ran version 2\n");
    const encoded = await cli(["invoke", "hello", "--qualifier", "$LATEST", "--json"]);
    assert.equal(encoded.code, 0, encoded.stderr);
    assert.equal(seen.at(-1)?.url, "/functions/hello/invoke?qualifier=%24LATEST");
    assert.equal((JSON.parse(encoded.stdout) as { executedVersion: string }).executedVersion, "2");
    const both = await cli(["invoke", "hello:live", "--qualifier", "2"]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give the qualifier once/);
  });
});
