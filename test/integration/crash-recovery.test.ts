// A server killed with SIGKILL in the middle of a deploy restarts with consistent state: every
// function is still there, with either its old or its new code, and every one of them runs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipDirectory } from "../../src/blobs/zip-dir.js";
import { deploy, invoke, newDataDir, startServer, type ServerHandle } from "./harness.js";

test("SIGKILL during deploys keeps every function and a consistent state", async () => {
  const dataDir = newDataDir();
  const srcDir = mkdtempSync(join(tmpdir(), "vajra-crash-src-"));
  let s: ServerHandle | undefined;
  try {
    // A package big enough (incompressible 20 MB) that the deploy is still under way when killed.
    mkdirSync(join(srcDir, "pkg"));
    writeFileSync(join(srcDir, "pkg", "app.py"), "def handler(e, c):\n    return 'v2'\n");
    writeFileSync(join(srcDir, "pkg", "blob.bin"), randomBytes(20 * 1024 * 1024));
    const bigZip = (await zipDirectory(join(srcDir, "pkg"))).toString("base64");

    s = await startServer({ dataDir });
    for (const name of ["keep1", "keep2"]) {
      assert.equal(
        (await deploy(s, { name, runtime: "python3.11", handler: "app.counter" }, "python/toolkit")).status,
        201,
      );
    }
    for (const delayMs of [5, 60, 150, 400]) {
      const req = s
        .api("/functions", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "keep1", handler: "app.handler", zipFile: bigZip }),
        })
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, delayMs));
      await s.stop("SIGKILL");
      await req;
      s = await startServer({ dataDir });
      const names = (
        (await (await s.api("/functions")).json()) as { functions: Array<{ name: string; handler: string }> }
      ).functions;
      assert.deepEqual(
        names.map((f) => f.name),
        ["keep1", "keep2"],
        `after a kill at ${delayMs} ms`,
      );
      const keep1 = names.find((f) => f.name === "keep1");
      const r = await invoke(s, "keep1");
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("x-vajra-function-error"), null, r.text);
      if (keep1?.handler === "app.handler") assert.equal(r.text, '"v2"');
      else assert.equal(r.json().count, 1);
      assert.equal((await invoke(s, "keep2")).status, 200);
      // No half-unpacked code or temporary blobs survive a restart.
      assert.deepEqual(
        readdirSync(join(dataDir, "code")).filter((d) => d.startsWith(".tmp")),
        [],
      );
      // Put keep1 back on the small package for the next round.
      await deploy(s, { name: "keep1", runtime: "python3.11", handler: "app.counter" }, "python/toolkit");
    }
  } finally {
    await s?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(srcDir, { recursive: true, force: true });
  }
});
