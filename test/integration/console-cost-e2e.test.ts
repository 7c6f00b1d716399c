// The console's Cost page and the editing of triggers end to end: Debian's chromium, driven by
// playwright-core, against a real `vajra server`. Invocations made over the API are counted in the cost
// report (which flushes the meter before answering), the report downloads as CSV, a budget is refused
// in place (a negative amount, a name in use) and then created, raised and deleted; on the Triggers tab a
// schedule is refused in place, created, disabled and deleted, a storage trigger disabled and a route
// deleted. Screenshots go to test-screenshots/console/ (git-ignored). Playwright never downloads a browser.

import { mkdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  SHOTS,
  apiJson,
  chromiumMissing,
  shot,
  openConsoleBrowser,
  signIn,
  deployHello,
} from "./console-browser.js";
import { invoke, startServer, stopAndClean, fileDeadline, type ServerHandle } from "./harness.js";

fileDeadline(180_000);

const missing = chromiumMissing("console cost end-to-end test");

async function status(s: ServerHandle, path: string): Promise<number> {
  const r = await s.api(path);
  await r.body?.cancel();
  return r.status;
}

/** The cells of the table row whose header cell is `name`. */
async function rowCells(page: Page, table: string, name: string): Promise<string[]> {
  const row = page
    .getByRole("table", { name: table })
    .getByRole("row")
    .filter({
      has: page.getByRole("rowheader", { name, exact: true }),
    });
  await row.waitFor();
  return row.getByRole("cell").allInnerTexts();
}

test(
  "the console reports cost, manages budgets, and creates, switches and deletes triggers",
  { skip: missing },
  async () => {
    mkdirSync(SHOTS, { recursive: true });
    const s = await startServer();
    let browser: Browser | undefined;
    try {
      await deployHello(s);
      for (let i = 0; i < 3; i++) assert.equal((await invoke(s, "hello", { i })).status, 200);
      const key = await apiJson<{ secret: string }>(s, "/api-keys", { name: "console-cost-e2e" });

      const opened = await openConsoleBrowser(900);
      browser = opened.browser;
      const { page } = opened;
      const pageErrors = opened.pageErrors;

      await signIn(page, s.url, key.secret);

      // The report: the three invocations are counted against the function.
      await page.getByRole("link", { name: "Cost", exact: true }).click();
      await page.getByRole("heading", { name: "Cost & budgets" }).waitFor();
      const cells = await rowCells(page, "Cost report", "hello");
      assert.equal(cells[0], "3", `requests of hello: ${cells.join(" | ")}`);
      assert.match(cells[5] ?? "", / USD$/);
      assert.equal(cells[7], "new", "nothing ran in the previous period");
      await page.getByRole("img", { name: /^Cost by day/ }).waitFor();

      // The CSV is fetched with the key in a header and saved under the server's file name.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download CSV" }).click(),
      ]);
      assert.equal(download.suggestedFilename(), "vajra-cost-by-function.csv");
      const csv = readFileSync(await download.path(), "utf8");
      assert.match(csv, /^function,requests,gb_seconds,/);
      assert.match(csv, /\r\nhello,3,/);
      assert.match(csv, /\r\nTOTAL,3,/);

      // By day: one row, today's, with the three requests.
      await page.getByLabel("Group by").selectOption("day");
      await page.getByRole("columnheader", { name: "Day (UTC)" }).waitFor();
      const today = new Date().toISOString().slice(0, 10);
      assert.equal((await rowCells(page, "Cost report", today))[0], "3");

      // A custom range that ends before it starts: the server's refusal, in place, with its code.
      await page.getByLabel("Period").selectOption("custom");
      await page.getByLabel("From").fill("2026-03-02T10:00");
      await page.getByLabel("Until").fill("2026-03-01T10:00");
      await page
        .getByRole("alert")
        .filter({ hasText: "InvalidParameter" })
        .filter({ hasText: "must be before until" })
        .waitFor();
      await page.getByLabel("Period").selectOption("7d");
      await page.getByRole("columnheader", { name: "Day (UTC)" }).waitFor();

      // A budget with a negative amount is refused beside the field, nothing created, input kept.
      await page.getByLabel("Name", { exact: true }).fill("team");
      await page.getByLabel("Monthly amount", { exact: true }).fill("-5");
      await page.getByRole("button", { name: "Create budget" }).click();
      await page
        .locator("#budget-amount-err")
        .filter({ hasText: "monthlyAmount must be a number greater than 0" })
        .waitFor();
      assert.equal(await page.getByLabel("Monthly amount", { exact: true }).inputValue(), "-5");
      assert.equal(await status(s, "/budgets/team"), 404, "nothing was created");
      await shot(page, "30-budget-refused");

      // Then created for the function, thresholds typed out of order, enforced.
      await page.getByLabel("Monthly amount", { exact: true }).fill("5");
      await page.getByLabel("Scope", { exact: true }).selectOption("hello");
      await page.getByLabel("Alert thresholds (percent, 1–1000)").fill("100, 50");
      await page.getByRole("checkbox", { name: /Enforce/ }).check();
      await page.getByRole("button", { name: "Create budget" }).click();
      await page.getByRole("status").filter({ hasText: "Created budget team" }).waitFor();
      const row = page.getByTestId("budget-team");
      await row.filter({ hasText: "of 5.00 USD" }).waitFor();
      const rowText = await row.innerText();
      assert.match(rowText, /function:hello/);
      assert.match(rowText, /reached: none/);
      assert.match(rowText, /Within budget; throttles at 100 %/);
      const made = await apiJson<{ alertAt: number[]; enforce: boolean; scope: string }>(
        s,
        "/budgets/team",
        undefined,
        "GET",
      );
      assert.deepEqual(made.alertAt, [50, 100]);
      assert.equal(made.enforce, true);
      assert.equal(made.scope, "function:hello");
      assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "", "the form is cleared");

      // A name in use: the server's refusal beside the name, with the input kept.
      await page.getByLabel("Name", { exact: true }).fill("team");
      await page.getByLabel("Monthly amount", { exact: true }).fill("7");
      await page.getByRole("button", { name: "Create budget" }).click();
      await page.locator("#budget-name-err").filter({ hasText: "AlreadyExists" }).waitFor();
      assert.equal(await page.getByLabel("Monthly amount", { exact: true }).inputValue(), "7");

      // Raised.
      await row.getByRole("button", { name: "Edit" }).click();
      await page.getByRole("heading", { name: "Edit budget team" }).waitFor();
      assert.equal(await page.getByLabel("Monthly amount", { exact: true }).inputValue(), "5");
      await page.getByLabel("Monthly amount", { exact: true }).fill("10");
      await page.getByRole("button", { name: "Save budget" }).click();
      await row.filter({ hasText: "of 10.00 USD" }).waitFor();
      await page.setViewportSize({ width: 1280, height: 1400 });
      await shot(page, "31-cost-budgets");
      await page.setViewportSize({ width: 1280, height: 900 });

      // Deleted, after the confirmation.
      page.once("dialog", (d) => void d.accept());
      await row.getByRole("button", { name: "Delete" }).click();
      await page.getByRole("status").filter({ hasText: "Deleted budget team" }).waitFor();
      await row.waitFor({ state: "detached" });
      assert.equal(await status(s, "/budgets/team"), 404);

      // Triggers: a bad expression refused beside its field, then a schedule made from the tab.
      await page.goto(`${s.url}/console/#/functions/hello/triggers`);
      await page.getByRole("heading", { name: "New schedule" }).waitFor();
      await page.getByLabel("Schedule name").fill("hourly-hello");
      await page.getByLabel("Expression").fill("rate(1 hours)");
      await page.getByLabel("Event JSON (blank: the default Scheduled Event)").fill('{"from": "schedule"}');
      await page.getByRole("button", { name: "Create schedule" }).click();
      await page.locator("#schedule-expression-err").filter({ hasText: "write rate(1 hour)" }).waitFor();
      assert.equal(await status(s, "/schedules/hourly-hello"), 404, "nothing was created");
      await page.getByLabel("Expression").fill("rate(1 hour)");
      await page.getByRole("button", { name: "Create schedule" }).click();
      await page.getByRole("status").filter({ hasText: "Created schedule hourly-hello" }).waitFor();
      assert.deepEqual((await rowCells(page, "Triggers", "hourly-hello")).slice(0, 3), [
        "Schedule",
        "rate(1 hour) (UTC)",
        "ENABLED",
      ]);
      const schedule = await apiJson<{ function: string; input: string; state: string }>(
        s,
        "/schedules/hourly-hello",
        undefined,
        "GET",
      );
      assert.equal(schedule.function, "hello");
      assert.equal(schedule.input, '{"from": "schedule"}');
      await shot(page, "32-triggers-schedule");

      // Disabled.
      await page.getByRole("button", { name: "Disable hourly-hello" }).click();
      await page.getByRole("button", { name: "Enable hourly-hello" }).waitFor();
      assert.equal((await rowCells(page, "Triggers", "hourly-hello"))[2], "DISABLED");
      const paused = await apiJson<{ state: string }>(s, "/schedules/hourly-hello", undefined, "GET");
      assert.equal(paused.state, "DISABLED");

      // Deleted, after the confirmation.
      page.once("dialog", (d) => void d.accept());
      await page.getByRole("button", { name: "Delete hourly-hello" }).click();
      await page.getByRole("status").filter({ hasText: "Deleted schedule hourly-hello" }).waitFor();
      await page.getByRole("rowheader", { name: "hourly-hello" }).waitFor({ state: "detached" });
      assert.equal(await status(s, "/schedules/hourly-hello"), 404);

      // The other kinds the API can change: a storage trigger disabled, an HTTP route deleted.
      await apiJson(s, "/storage-triggers", { name: "photos", kind: "webhook", function: "hello" });
      const route = await apiJson<{ id: string }>(s, "/routes", {
        routeKey: "GET /hello",
        function: "hello",
      });
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.getByRole("button", { name: "Disable photos" }).click();
      await page.getByRole("button", { name: "Enable photos" }).waitFor();
      const storage = await apiJson<{ state: string }>(s, "/storage-triggers/photos", undefined, "GET");
      assert.equal(storage.state, "DISABLED");
      assert.equal(
        await page.getByRole("button", { name: "Disable GET /hello" }).count(),
        0,
        "a route has no switch",
      );
      page.once("dialog", (d) => void d.accept());
      await page.getByRole("button", { name: "Delete GET /hello" }).click();
      await page.getByRole("status").filter({ hasText: "Deleted http route GET /hello" }).waitFor();
      assert.equal(await status(s, `/routes/${route.id}`), 404);
      // A confirmation declined deletes nothing.
      page.once("dialog", (d) => void d.dismiss());
      await page.getByRole("button", { name: "Delete photos" }).click();
      assert.equal(await status(s, "/storage-triggers/photos"), 200);
      await page.getByRole("rowheader", { name: "photos" }).waitFor();

      assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
    } finally {
      await browser?.close();
      await stopAndClean(s);
    }
  },
);
