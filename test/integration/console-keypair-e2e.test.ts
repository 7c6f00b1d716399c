// The console's access-key-pair sign-in end to end (Debian's chromium, real server): a malformed id is
// refused in place with the input kept, a wrong secret is refused by the server, the pair from the
// data directory's credentials file signs in and lists the functions, and signing out deletes the
// issued session key so it is refused afterwards. Screenshots go to test-screenshots/console/.

import { mkdirSync } from "node:fs";
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import {
  SHOTS,
  chromiumMissing,
  credentialsOf,
  shot,
  openConsoleBrowser,
  deployHello,
} from "./console-browser.js";
import { fileDeadline, startServer, stopAndClean } from "./harness.js";

fileDeadline(120_000);

const missing = chromiumMissing("console key-pair sign-in test");

test(
  "the console signs in with an access key pair, lists functions, and its session key dies at sign-out",
  { skip: missing },
  async () => {
    mkdirSync(SHOTS, { recursive: true });
    const s = await startServer();
    let browser: Browser | undefined;
    try {
      await deployHello(s);
      const pair = credentialsOf(s.dataDir);
      const opened = await openConsoleBrowser();
      browser = opened.browser;
      const { page } = opened;
      const pageErrors = opened.pageErrors;

      await page.goto(`${s.url}/console/`);
      await page.getByRole("tab", { name: "Access key pair" }).click();
      const id = page.getByLabel("Access key id");
      const secret = page.getByLabel("Secret access key");

      // A malformed id: refused before anything is signed, beside its field, the input kept.
      await id.fill("AKIA123");
      await secret.fill(pair.secretAccessKey);
      await secret.press("Enter");
      await page.locator("#accessKeyId-err").filter({ hasText: "20 characters" }).waitFor();
      assert.equal(await id.inputValue(), "AKIA123");
      await shot(page, "13-keypair-invalid");

      // A wrong secret of the right shape: the server's SigV4 check refuses it, shown in place.
      await id.fill(pair.accessKeyId);
      await secret.fill("x".repeat(40));
      await secret.press("Enter");
      await page.getByRole("alert").filter({ hasText: "InvalidSignatureException" }).waitFor();
      assert.equal(await id.inputValue(), pair.accessKeyId);
      await shot(page, "14-keypair-refused");

      // The real pair: signed in, the list shows the function; only the issued key is stored.
      await secret.fill(pair.secretAccessKey);
      await shot(page, "15-keypair-form");
      await secret.press("Enter");
      await page.getByRole("heading", { name: "Functions" }).waitFor();
      await page.getByRole("link", { name: "hello" }).waitFor();
      const stored = await page.evaluate<string>(
        "JSON.stringify(Object.fromEntries(Object.entries(sessionStorage)))",
      );
      const session = JSON.parse(stored) as Record<string, string>;
      const key = session["vajra.console.apiKey"] ?? "";
      assert.match(key, /^vjk_/);
      assert.ok(!stored.includes(pair.secretAccessKey), "the secret access key is never stored");
      assert.ok(!page.url().includes(key), "the key is never in the URL");
      assert.deepEqual(await page.context().cookies(), [], "no cookies");
      const keys = (await (await s.api("/api-keys")).json()) as { apiKeys: Array<{ name: string }> };
      assert.ok(keys.apiKeys.some((k) => k.name === `console session for ${pair.accessKeyId}`));
      await shot(page, "16-keypair-signed-in");

      // Sign out: the console deletes its session key on the server and forgets it.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("tab", { name: "API key" }).waitFor();
      assert.equal(await page.evaluate("sessionStorage.length"), 0);
      const after = await fetch(`${s.url}/functions`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(after.status, 401);
      const left = (await (await s.api("/api-keys")).json()) as { apiKeys: Array<{ name: string }> };
      assert.deepEqual(
        left.apiKeys.map((k) => k.name),
        ["admin"],
      );
      assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
    } finally {
      await browser?.close();
      await stopAndClean(s);
    }
  },
);
