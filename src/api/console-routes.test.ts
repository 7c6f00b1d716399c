import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import Fastify, { type FastifyInstance } from "fastify";
import { isConsolePath, registerConsoleRoutes, resolveAsset } from "./console-routes.js";

async function withConsole(built: boolean, f: (app: FastifyInstance) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "vajra-console-"));
  if (built) {
    mkdirSync(join(root, "assets"));
    writeFileSync(join(root, "index.html"), "<!doctype html><title>console</title>");
    writeFileSync(join(root, "assets", "index-abc123.js"), "console.log(1)");
  }
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  registerConsoleRoutes(app, root);
  try {
    await f(app);
  } finally {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
}

test("serves index.html revalidated and hashed assets cached for a year", () =>
  withConsole(true, async (app) => {
    const index = await app.inject("/console/");
    assert.equal(index.statusCode, 200);
    assert.equal(index.headers["cache-control"], "no-cache");
    assert.match(String(index.headers["content-security-policy"]), /frame-ancestors 'none'/);
    const asset = await app.inject("/console/assets/index-abc123.js");
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.match(String(asset.headers["content-type"]), /javascript/);
  }));

test("redirects /console to /console/ and answers app paths with index.html", () =>
  withConsole(true, async (app) => {
    const r = await app.inject("/console");
    assert.equal(r.statusCode, 301);
    assert.equal(r.headers.location, "/console/");
    const page = await app.inject("/console/functions/hello");
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<title>console/);
  }));

test("a missing asset is 404 and no path leaves the console's folder", () =>
  withConsole(true, async (app) => {
    assert.equal((await app.inject("/console/assets/gone.js")).statusCode, 404);
    for (const p of [
      "/console/..%2f..%2fetc%2fpasswd",
      "/console/assets/..%2F..%2Findex.html.bak",
      "/console/%00.js",
    ])
      assert.equal((await app.inject(p)).statusCode, 404, p);
    assert.equal(resolveAsset("/srv/console", "../x"), undefined);
    assert.equal(resolveAsset("/srv/console", "a/%2e%2e/%2e%2e/x"), undefined);
    assert.equal(resolveAsset("/srv/console", "assets/a.js"), "/srv/console/assets/a.js");
  }));

test("a server whose console was not built says so at /console/", () =>
  withConsole(false, async (app) => {
    const r = await app.inject("/console/");
    assert.equal(r.statusCode, 503);
    assert.match(r.body, /console was not built/);
    assert.match(r.body, /npm run build/);
  }));

test("only /console paths are public", () => {
  assert.ok(isConsolePath("/console"));
  assert.ok(isConsolePath("/console/assets/a.js"));
  assert.ok(!isConsolePath("/consoles"));
  assert.ok(!isConsolePath("/functions"));
});
