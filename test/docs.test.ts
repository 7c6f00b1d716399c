// Keeps the documentation honest: every error code of the catalog is documented with its HTTP
// status (as fastify's error catalog test does), the README shows the two set-up commands, and no
// relative link in README.md or docs/ points to a file that does not exist.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_CODES, type ErrorCode } from "../src/core/errors.js";
import { HTTP_STATUS } from "../src/api/http-errors.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const read = (rel: string): string => readFileSync(join(ROOT, rel), "utf8");

/** The text of the `### \`Code\`` section: from its heading to the next heading of level 1–3. */
function section(markdown: string, code: string): string | undefined {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => l.trim() === `### \`${code}\``);
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^#{1,3} /.test(l));
  return (end < 0 ? rest : rest.slice(0, end)).join("\n");
}

test("every error code is documented in docs/errors.md with its HTTP status", () => {
  const errorsMd = read("docs/errors.md");
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const text = section(errorsMd, code);
    assert.ok(text !== undefined, `docs/errors.md has no "### \`${code}\`" heading`);
    const status = HTTP_STATUS[code];
    assert.ok(
      new RegExp(`\\b${status}\\b`).test(text),
      `the section of ${code} in docs/errors.md does not mention its HTTP status ${status}`,
    );
  }
});

test("the README shows the two set-up commands", () => {
  const readme = read("README.md");
  assert.ok(readme.includes("npm install && npm start"), "README.md lacks `npm install && npm start`");
  assert.ok(/(^|[\s`])npm test([\s`]|$)/m.test(readme), "README.md lacks `npm test`");
  assert.match(
    readme,
    /`apt-get install -y bubblewrap[^`]*`/,
    "README.md lacks the apt-get line for Debian/Ubuntu",
  );
});

test("every relative link in README.md and docs/ points to an existing file", () => {
  const files = [
    "README.md",
    ...readdirSync(join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const broken: string[] = [];
  for (const file of files) {
    // Inline links and images: [text](target) — the target up to a space (a title) or the paren.
    for (const m of read(file).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1] ?? "";
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue; // URLs, same-page anchors
      const path = decodeURIComponent(target.split("#")[0] ?? "");
      if (!existsSync(resolve(ROOT, dirname(file), path))) broken.push(`${file}: ${target}`);
    }
  }
  assert.deepEqual(broken, [], `broken relative links:\n${broken.join("\n")}`);
});
