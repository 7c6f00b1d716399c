// The invoke payload: inline JSON, @file, stdin, and the errors a typo should produce before sending.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { EXIT_USAGE, UsageError } from "./errors.js";
import { resolvePayload, type StdinSource } from "./payload.js";

let dir: string | undefined;
after(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const noStdin: StdinSource = {
  hasData: false,
  read: () => Promise.reject(new Error("stdin must not be read")),
};
const stdinWith = (text: string): StdinSource => ({
  hasData: true,
  read: () => Promise.resolve(Buffer.from(text)),
});

void test("sends inline JSON exactly as typed", async () => {
  const raw = '{ "b": 1,  "a": [1, 2] }';
  assert.equal((await resolvePayload(raw, noStdin)).toString(), raw);
});

void test("rejects inline text that is not JSON with a usage error naming --payload", async () => {
  await assert.rejects(resolvePayload("{name: 1}", noStdin), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.equal(err.exitCode, EXIT_USAGE);
    assert.match(err.message, /^--payload is not valid JSON/);
    return true;
  });
});

void test("reads @file and validates it", async () => {
  dir = await mkdtemp(join(tmpdir(), "vajra-cli-payload-"));
  const good = join(dir, "event.json");
  const bad = join(dir, "bad.json");
  await writeFile(good, '{"n": 3}\n');
  await writeFile(bad, "{oops");
  assert.equal((await resolvePayload(`@${good}`, noStdin)).toString(), '{"n": 3}\n');
  await assert.rejects(resolvePayload(`@${bad}`, noStdin), /payload file .*bad\.json is not valid JSON/);
});

void test("names a missing @file", async () => {
  await assert.rejects(
    resolvePayload("@/nonexistent/event.json", noStdin),
    /cannot read the payload file .*: no such file/,
  );
  await assert.rejects(resolvePayload("@", noStdin), /needs a file name/);
});

void test("reads piped stdin when no --payload is given", async () => {
  assert.equal((await resolvePayload(undefined, stdinWith("[1,2]"))).toString(), "[1,2]");
  await assert.rejects(
    resolvePayload(undefined, stdinWith("nope")),
    /payload read from stdin is not valid JSON/,
  );
});

void test("reads stdin for --payload -", async () => {
  assert.equal((await resolvePayload("-", stdinWith('"hi"'))).toString(), '"hi"');
});

void test("sends {} when there is no payload and nothing piped, or the pipe is empty", async () => {
  assert.equal((await resolvePayload(undefined, noStdin)).toString(), "{}");
  assert.equal((await resolvePayload(undefined, stdinWith("  \n"))).toString(), "{}");
});

void test("rejects an empty inline payload", async () => {
  await assert.rejects(resolvePayload("", noStdin), /--payload is empty/);
});
