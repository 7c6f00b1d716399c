// The console's create-function page and configuration settings end to end: Debian's chromium, driven
// by playwright-core, against a real `vajra server`. A bad memory size is refused beside the field with
// the input kept; a function is created from a folder upload (zipped in the browser) and invoked from
// the Test tab; a tag and a destination set on the configuration tab are still there after a reload.
// Screenshots go to test-screenshots/console/ (git-ignored). Playwright never downloads a browser.

import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { SHOTS, apiJson, chromiumMissing, shot, openConsoleBrowser, signIn } from "./console-browser.js";
import { deploy, FIXTURES, startServer, stopAndClean, fileDeadline } from "./harness.js";

fileDeadline(180_000);

const missing = chromiumMissing("console create end-to-end test");

test(
  "the console creates a function from a folder, invokes it, and keeps a tag and a destination set on it",
  { skip: missing },
  async () => {
    mkdirSync(SHOTS, { recursive: true });
    const work = mkdtempSync(join(tmpdir(), "vajra-console-create-"));
    // The folder to upload, under a name of its own (the browser sends its contents, not the folder).
    const folder = join(work, "toolkit");
    cpSync(join(FIXTURES, "python", "toolkit"), folder, { recursive: true });
    const s = await startServer();
    let browser: Browser | undefined;
    try {
      // A function to be the destination.
      const sink = await deploy(
        s,
        { name: "sink", runtime: "python3.11", handler: "app.counter" },
        "python/toolkit",
      );
      assert.equal(sink.status, 201);
      const sinkArn = String(sink.json.arn);
      const key = await apiJson<{ secret: string }>(s, "/api-keys", { name: "console-create-e2e" });

      const opened = await openConsoleBrowser();
      browser = opened.browser;
      const { page } = opened;
      const pageErrors = opened.pageErrors;

      await signIn(page, s.url, key.secret);

      // Create: the runtimes come from the server, the handler follows the runtime.
      await page.getByRole("link", { name: "Create function" }).click();
      await page.getByRole("heading", { name: "Create function" }).waitFor();
      await page.getByLabel("Name").fill("fromfolder");
      await page.getByLabel("Runtime").selectOption("python3.11");
      assert.equal(await page.getByLabel("Handler").inputValue(), "app.handler");
      await page.getByLabel("Handler").fill("app.counter");
      await page.getByLabel("Folder with the code").setInputFiles(folder);
      await page.getByRole("status").filter({ hasText: "toolkit:" }).waitFor();
      // A memory size out of range: the API's message beside the field, everything typed kept.
      await page.getByLabel("Memory (MB)").fill("99999");
      await page.getByRole("button", { name: "Create function" }).click();
      await page
        .locator("#new-memory-err")
        .filter({ hasText: "memorySize must be an integer from 128" })
        .waitFor();
      assert.equal(await page.getByLabel("Memory (MB)").inputValue(), "99999");
      assert.equal(await page.getByLabel("Name").inputValue(), "fromfolder");
      assert.equal(await page.getByLabel("Handler").inputValue(), "app.counter");
      await shot(page, "20-create-invalid-memory");
      const none = await s.api("/functions/fromfolder");
      assert.equal(none.status, 404, "nothing was created");
      await none.body?.cancel();

      // Fixed: created from the folder, then its page opens.
      await page.getByLabel("Memory (MB)").fill("256");
      await page.getByRole("button", { name: "Create function" }).click();
      await page.waitForURL(/#\/functions\/fromfolder\/config$/);
      await page.getByRole("heading", { name: "fromfolder" }).waitFor();
      const created = await apiJson<{ memorySize: number; handler: string }>(
        s,
        "/functions/fromfolder",
        undefined,
        "GET",
      );
      assert.equal(created.memorySize, 256);
      assert.equal(created.handler, "app.counter");
      await shot(page, "21-created");

      // Invoked from the Test tab.
      await page.getByRole("tab", { name: "Test" }).click();
      await page.getByLabel("Event JSON").fill('{"who": "folder"}');
      await page.getByRole("button", { name: "Invoke" }).click();
      const result = page.getByTestId("invoke-result");
      await result.getByText("Succeeded").waitFor();
      assert.match(await result.locator("pre.response").innerText(), /"who": "folder"/);
      await shot(page, "22-created-invoked");

      // A tag and an on-failure destination, saved on the configuration tab.
      await page.getByRole("tab", { name: "Code & configuration" }).click();
      const tags = page.getByRole("form", { name: "Tags" });
      await tags.getByRole("button", { name: "Add tag" }).click();
      await tags.getByLabel("Key of tag 1").fill("team");
      await tags.getByLabel("Value of tag 1").fill("web");
      await tags.getByRole("button", { name: "Update tags" }).click();
      await tags.getByRole("status").filter({ hasText: "Saved: 1 tag(s)" }).waitFor();
      const dest = page.getByRole("form", { name: "Destinations" });
      // A destination that does not exist is refused beside its field.
      await dest.getByLabel("On failure").fill(sinkArn.replace("sink", "ghost"));
      await dest.getByRole("button", { name: "Update destinations" }).click();
      await dest.getByRole("alert").filter({ hasText: "does not exist" }).waitFor();
      await dest.getByLabel("On failure").fill(sinkArn);
      await dest.getByLabel("Retry attempts (0–2)").fill("1");
      await dest.getByRole("button", { name: "Update destinations" }).click();
      await dest.getByRole("status").filter({ hasText: "Saved: destinations" }).waitFor();
      await shot(page, "23-tags-destinations");

      // After a reload both are read back from the server.
      await page.reload();
      const tagsAgain = page.getByRole("form", { name: "Tags" });
      await tagsAgain.getByLabel("Key of tag 1").waitFor();
      assert.equal(await tagsAgain.getByLabel("Key of tag 1").inputValue(), "team");
      assert.equal(await tagsAgain.getByLabel("Value of tag 1").inputValue(), "web");
      const destAgain = page.getByRole("form", { name: "Destinations" });
      await destAgain.getByLabel("On failure").waitFor();
      assert.equal(await destAgain.getByLabel("On failure").inputValue(), sinkArn);
      assert.equal(await destAgain.getByLabel("Retry attempts (0–2)").inputValue(), "1");
      const eic = await apiJson<{ onFailure?: string }>(
        s,
        "/functions/fromfolder/event-invoke-config",
        undefined,
        "GET",
      );
      assert.equal(eic.onFailure, sinkArn);
      await shot(page, "24-after-reload");

      assert.deepEqual(pageErrors, [], "no uncaught error in the page");
    } finally {
      await browser?.close();
      await stopAndClean(s);
      rmSync(work, { recursive: true, force: true });
    }
  },
);
