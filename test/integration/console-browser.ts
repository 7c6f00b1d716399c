// What the console's end-to-end tests share: Debian's chromium (the real binary; /usr/bin/chromium is a
// wrapper script), the git-ignored screenshot folder, and a JSON call to the API for set-up. Playwright
// never downloads a browser here: it is given chromium's path. Without chromium the tests skip with the
// package named, and fail under CI.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import assert from "node:assert/strict";
import { ROOT, deploy, type ServerHandle } from "./harness.js";

export const CHROMIUM = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].find((p) => existsSync(p));
export const SHOTS = join(ROOT, "test-screenshots", "console");
/** How long one browser step may wait for the page. */
export const STEP_MS = 20_000;

/** Why a console test cannot run here; throws under CI instead. */
export function chromiumMissing(what: string): string | undefined {
  const missing =
    CHROMIUM === undefined ? "needs the Debian package chromium (apt-get install -y chromium)" : undefined;
  if (missing !== undefined && process.env.CI === "true") throw new Error(`${what}: ${missing}`);
  return missing;
}

export interface ConsoleBrowser {
  browser: Browser;
  page: Page;
  /** Uncaught errors of the page's scripts (a test ends by requiring none). */
  pageErrors: string[];
}

/** Debian's chromium, headless, with one light page 1280 px wide whose script errors are collected. */
export async function openConsoleBrowser(height = 860): Promise<ConsoleBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    timeout: STEP_MS,
  });
  const context = await browser.newContext({ viewport: { width: 1280, height }, colorScheme: "light" });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  return { browser, page, pageErrors };
}

/** Signs in at the console with an API key (typed, then Enter) and waits for the functions list. */
export async function signIn(page: Page, url: string, secret: string): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.getByLabel("API key").fill(secret);
  await page.getByLabel("API key").press("Enter");
  await page.getByRole("heading", { name: "Functions" }).waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The function the console tests look at: `hello`, the Python toolkit fixture (handler app.counter). */
export async function deployHello(s: ServerHandle): Promise<void> {
  const r = await deploy(
    s,
    { name: "hello", runtime: "python3.11", handler: "app.counter" },
    "python/toolkit",
  );
  assert.equal(r.status, 201, JSON.stringify(r.json));
}

export async function apiJson<T>(s: ServerHandle, path: string, body?: unknown, method = "POST"): Promise<T> {
  const r = await s.api(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

export interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The access key pair a server wrote to its data directory (the AWS credentials file, profile `vajra`). */
export function credentialsOf(dataDir: string): KeyPair {
  const text = readFileSync(join(dataDir, "credentials"), "utf8");
  const get = (k: string): string => new RegExp(`^${k} = (\\S+)$`, "m").exec(text)?.[1] ?? "";
  return { accessKeyId: get("aws_access_key_id"), secretAccessKey: get("aws_secret_access_key") };
}
