// The web console end to end: Debian's chromium, driven by playwright-core, against a real `vajra
// server`: sign in, list, change memory (a bad value refused in place first), invoke from the Test tab
// and see the new memory in the response and the log, follow logs live while invoking over the API,
// see the invocations counted on the Monitor tab, shift 10 % of an alias to a second version, and be
// refused once the key is revoked. Screenshots of each page go to test-screenshots/console/
// (git-ignored). Playwright never downloads a browser here: it is given chromium's path.

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { zipDirectory } from "../../src/blobs/zip-dir.js";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { SHOTS, apiJson, chromiumMissing, shot, openConsoleBrowser, deployHello } from "./console-browser.js";
import { FIXTURES, invoke, startServer, stopAndClean, fileDeadline } from "./harness.js";

fileDeadline(240_000);

const missing = chromiumMissing("console end-to-end test");

test(
  "the console signs in, lists, configures, uploads code, invokes, follows logs, monitors, shifts traffic, refuses a revoked key and reports a stopped server",
  { skip: missing },
  async () => {
    mkdirSync(SHOTS, { recursive: true });
    // The code to upload: the fixture with one more file, so its digest differs.
    const work = mkdtempSync(join(tmpdir(), "vajra-console-e2e-"));
    cpSync(join(FIXTURES, "python", "toolkit"), join(work, "code"), { recursive: true });
    writeFileSync(join(work, "code", "VERSION"), "2\n");
    const s = await startServer();
    let browser: Browser | undefined;
    try {
      await deployHello(s);
      const key = await apiJson<{ id: string; secret: string }>(s, "/api-keys", { name: "console-e2e" });

      const opened = await openConsoleBrowser();
      browser = opened.browser;
      const { page } = opened;
      const consoleErrors = opened.pageErrors;

      // Sign in: a wrong key is refused with a clear message; Enter submits.
      await page.goto(`${s.url}/console/`);
      await page.getByLabel("API key").fill("vjk_not-a-key");
      await page.getByLabel("API key").press("Enter");
      await page.getByRole("alert").filter({ hasText: "refused this API key" }).waitFor();
      await shot(page, "01-sign-in-refused");
      await page.getByLabel("API key").fill(key.secret);
      await page.getByLabel("API key").press("Enter");
      await page.getByRole("heading", { name: "Functions" }).waitFor();
      assert.equal(await page.evaluate("sessionStorage.getItem('vajra.console.apiKey')"), key.secret);
      assert.ok(!page.url().includes(key.secret), "the key is never in the URL");
      await page.getByRole("link", { name: "hello" }).waitFor();
      await shot(page, "02-functions");

      // Code & configuration: a memory size out of range is refused in place, the input kept.
      await page.getByRole("link", { name: "hello" }).click();
      await page.getByRole("tab", { name: "Code & configuration" }).waitFor();
      const memory = page.getByLabel("Memory (MB)");
      await memory.fill("99999");
      await page.getByRole("button", { name: "Save" }).click();
      await page
        .locator("#cfg-memory-err")
        .filter({ hasText: "memorySize must be an integer from 128" })
        .waitFor();
      assert.equal(await memory.inputValue(), "99999");
      await shot(page, "03-config-invalid-memory");
      await memory.fill("256");
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByRole("status").filter({ hasText: "Saved: 256 MB" }).waitFor();
      await shot(page, "04-config-saved");

      // New code from a zip upload: the function's code changes.
      const before = await apiJson<{ codeSha256: string }>(s, "/functions/hello", undefined, "GET");
      writeFileSync(join(work, "code.zip"), await zipDirectory(join(work, "code")));
      await page.getByLabel("Deploy new code").setInputFiles(join(work, "code.zip"));
      await page.getByRole("button", { name: "Deploy", exact: true }).click();
      await page.getByRole("status").filter({ hasText: "Deployed code.zip" }).waitFor();
      const after = await apiJson<{ codeSha256: string }>(s, "/functions/hello", undefined, "GET");
      assert.notEqual(after.codeSha256, before.codeSha256);
      await page.getByRole("button", { name: "Build log" }).click();
      await page.getByText("there was no build, so there is no build log").waitFor();
      await shot(page, "04b-code-deployed");

      // Test: invalid JSON is refused in place; a valid event is invoked and its response and log shown.
      await page.getByRole("tab", { name: "Test" }).click();
      const eventJson = page.getByLabel("Event JSON");
      await eventJson.fill('{"who": "console",');
      await page.getByRole("button", { name: "Invoke" }).click();
      await page.locator("#event-json-err").filter({ hasText: "not valid JSON" }).waitFor();
      assert.equal(await eventJson.inputValue(), '{"who": "console",');
      await eventJson.fill('{"who": "console"}');
      await page.getByLabel("Event name").fill("console event");
      await page.getByRole("button", { name: "Save event" }).click();
      await page.getByRole("button", { name: "Invoke" }).click();
      const result = page.getByTestId("invoke-result");
      await result.getByText("Succeeded").waitFor();
      const response = await result.locator("pre.response").innerText();
      assert.match(response, /"memory": "?256"?/, "the new memory took effect in the next invocation");
      assert.match(response, /"who": "console"/);
      assert.match(await result.locator("pre.log").innerText(), /REPORT RequestId/);
      assert.match(await result.innerText(), /of 256 MB/);
      await shot(page, "05-test-invoked");

      // Logs: follow live while invocations come over the API.
      await page.getByRole("tab", { name: "Logs" }).click();
      await page.getByRole("button", { name: "Live tail" }).click();
      await page.getByText("Following new log events").waitFor();
      // Invocations over the API, a second apart, until one's START line shows (bounded).
      let seen = false;
      for (let i = 0; i < 10 && !seen; i++) {
        const r = await invoke(s, "hello", { from: "api" });
        assert.equal(r.status, 200);
        const requestId = r.headers.get("x-vajra-request-id") ?? "";
        const line = page.getByTestId("log-events").getByText(`START RequestId: ${requestId}`);
        seen = await line.waitFor({ timeout: 1000 }).then(
          () => true,
          () => false,
        );
      }
      assert.ok(seen, "an invocation made while following appeared in the live tail");
      await shot(page, "06-logs-live");
      await page.getByRole("button", { name: "Stop live tail" }).click();

      // Monitor: the invocations are counted.
      await page.getByRole("tab", { name: "Monitor" }).click();
      const totals = page.getByTestId("monitor-totals");
      await totals.waitFor();
      for (
        let i = 0;
        i < 20 && !/^[2-9]\d* invocations|^\d{2,} invocations/.test(await totals.innerText());
        i++
      ) {
        await page.waitForTimeout(500);
        await page.getByRole("button", { name: "Refresh" }).click();
      }
      assert.match(await totals.innerText(), /^([2-9]|\d{2,})\d* invocations/);
      await page.locator(".uplot").first().waitFor();
      // The function's cost recommendations: a few invocations are too little evidence for any.
      const recs = page.getByTestId("recommendations");
      await recs
        .getByText(/None for now|Recommendations/)
        .first()
        .waitFor();
      assert.match(await recs.innerText(), /Recommendations/);
      await shot(page, "07-monitor");
      // The dark theme follows the system.
      await page.emulateMedia({ colorScheme: "dark" });
      await page.locator(".uplot").first().waitFor();
      await shot(page, "07b-monitor-dark");
      await page.emulateMedia({ colorScheme: "light" });

      // Versions & aliases: two versions, an alias sending 10 % to the second.
      await apiJson(s, "/functions/hello/versions", { description: "first" });
      await apiJson(s, "/functions", { name: "hello", memorySize: 320 });
      await apiJson(s, "/functions/hello/versions", { description: "second" });
      await page.getByRole("tab", { name: "Versions & aliases" }).click();
      const create = page.getByRole("form", { name: "Create alias" });
      await create.getByLabel("Alias name").fill("live");
      await create.getByLabel("Version", { exact: true }).selectOption("1");
      await create.getByLabel("Shift traffic to").selectOption("2");
      await create.getByLabel(/Weight of version 2/).fill("10");
      await create.getByRole("button", { name: "Create alias" }).click();
      await page.getByTestId("split-live").filter({ hasText: "90% → 1, 10% → 2" }).waitFor();
      const alias = await apiJson<{ routingConfig: { additionalVersionWeights: Record<string, number> } }>(
        s,
        "/functions/hello/aliases/live",
        undefined,
        "GET",
      );
      assert.deepEqual(alias.routingConfig.additionalVersionWeights, { "2": 0.1 });
      await shot(page, "08-versions-aliases");

      // Triggers: a schedule made over the API is listed with its state.
      await apiJson(s, "/schedules", {
        name: "daily-hello",
        function: "hello",
        expression: "cron(0 3 * * ? *)",
        state: "DISABLED",
      });
      await page.getByRole("tab", { name: "Triggers" }).click();
      await page.getByRole("rowheader", { name: "daily-hello" }).waitFor();
      await page.getByRole("cell", { name: "cron(0 3 * * ? *) (UTC)" }).waitFor();
      await shot(page, "08b-triggers");

      // A phone's width: the list still reads.
      await page.setViewportSize({ width: 390, height: 800 });
      await page.goto(`${s.url}/console/#/`);
      await page.getByRole("link", { name: "hello" }).waitFor();
      await shot(page, "09-functions-phone");
      await page.setViewportSize({ width: 1280, height: 860 });

      // Revoke the key: the next call is refused and the console says so on the sign-in page.
      const revoked = await s.api(`/api-keys/${key.id}`, { method: "DELETE" });
      assert.equal(revoked.status, 204);
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.getByRole("alert").filter({ hasText: "refused this API key" }).waitFor();
      await page.getByLabel("API key").waitFor();
      assert.equal(await page.evaluate("sessionStorage.getItem('vajra.console.apiKey')"), null);
      await shot(page, "10-revoked");

      // The Server page, signed in again with the admin key: runtimes, a new key's secret shown once,
      // and the sandbox status.
      await page.getByLabel("API key").fill(s.key);
      await page.getByLabel("API key").press("Enter");
      await page.getByRole("heading", { name: "Functions" }).waitFor();
      await page.getByRole("link", { name: "Server" }).click();
      await page.getByRole("heading", { name: "Runtimes" }).waitFor();
      await page.getByRole("rowheader", { name: "python3.11" }).waitFor();
      const createKey = page.getByRole("form", { name: "Create API key" });
      await createKey.getByLabel("Name").fill("second");
      await createKey.getByRole("button", { name: "Create key" }).click();
      assert.match(await page.getByTestId("new-secret").innerText(), /^vjk_/);
      await page.getByRole("rowheader", { name: "second" }).waitFor();
      // Sandbox status: the server host's doctor checks, each marked, with its hint when it fails.
      await page.getByRole("heading", { name: "Sandbox status" }).waitFor();
      const sandboxChecks = page.getByRole("list", { name: "Sandbox" });
      await sandboxChecks.getByRole("listitem").filter({ hasText: "bubblewrap" }).waitFor();
      const doctor = await apiJson<{ checks: Array<{ name: string; status: string; fix?: string }> }>(
        s,
        "/doctor",
        undefined,
        "GET",
      );
      for (const c of doctor.checks.filter((k) => k.status !== "pass" && k.fix !== undefined)) {
        const item = page.getByRole("listitem").filter({ hasText: c.name }).first();
        assert.match(await item.innerText(), new RegExp(c.status === "fail" ? "failed" : "warning"));
        assert.ok((await item.innerText()).includes(c.fix ?? ""), `${c.name} shows its fix`);
      }
      await shot(page, "11-server");

      // The server goes away mid-session: the console says so in place.
      await s.stop();
      await page.getByRole("link", { name: "Functions" }).first().click();
      await page.getByRole("alert").filter({ hasText: "ServerUnreachable" }).waitFor();
      await shot(page, "12-server-gone");

      assert.deepEqual(consoleErrors, [], "no uncaught errors in the page");
    } finally {
      await browser?.close();
      await stopAndClean(s);
      rmSync(work, { recursive: true, force: true });
    }
  },
);
