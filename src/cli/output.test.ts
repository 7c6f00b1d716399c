// The table and key/value formatters, and when colors are used.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createColors,
  formatBytes,
  formatKeyValues,
  formatMs,
  formatTable,
  formatTimestamp,
  Output,
  shouldColor,
  stripAnsi,
  visibleWidth,
} from "./output.js";

void test("aligns columns to the widest cell and leaves no trailing spaces", () => {
  const table = formatTable(
    ["NAME", "MEMORY", "RUNTIME"],
    [
      ["hello", "128 MB", "python3.12"],
      ["a-much-longer-name", "1024 MB", "nodejs20.x"],
    ],
  );
  assert.equal(
    table,
    [
      "NAME                MEMORY   RUNTIME",
      "hello               128 MB   python3.12",
      "a-much-longer-name  1024 MB  nodejs20.x",
    ].join("\n"),
  );
});

void test("right-aligns the columns asked for", () => {
  const table = formatTable(
    ["RUN", "MS"],
    [
      ["1", "12.5"],
      ["10", "3"],
    ],
    { align: ["right", "right"] },
  );
  assert.equal(table, ["RUN  MS", "  1  12.5", " 10  3"].join("\n"));
});

void test("measures colored cells by their visible width", () => {
  const c = createColors(true);
  const table = formatTable(
    ["A", "B"],
    [
      [c.green("yes"), "x"],
      ["no", "y"],
    ],
  );
  const lines = table.split("\n").map(stripAnsi);
  assert.deepEqual(lines, ["A    B", "yes  x", "no   y"]);
  assert.equal(visibleWidth(c.red("✓ ok")), 4);
});

void test("fills missing cells with nothing", () => {
  assert.equal(formatTable(["A", "B", "C"], [["1"]]), "A  B  C\n1");
});

void test("aligns key/value lines", () => {
  assert.equal(
    formatKeyValues([
      ["Name", "hello"],
      ["Memory size", "128 MB"],
    ]),
    "Name         hello\nMemory size  128 MB",
  );
});

void test("colors only on a TTY without NO_COLOR and never in --json mode", () => {
  assert.equal(shouldColor({ isTTY: true }, {}, false), true);
  assert.equal(shouldColor({ isTTY: false }, {}, false), false);
  assert.equal(shouldColor({}, {}, false), false);
  assert.equal(shouldColor({ isTTY: true }, { NO_COLOR: "1" }, false), false);
  assert.equal(shouldColor({ isTTY: true }, {}, true), false);
});

void test("disabled colors return the text unchanged", () => {
  const c = createColors(false);
  assert.equal(c.red("x") + c.bold("y") + c.dim("z"), "xyz");
  assert.equal(createColors(true).red("x"), "\u001b[31mx\u001b[39m");
});

void test("Output puts JSON alone on stdout and commentary on stderr, uncolored when not a TTY", () => {
  let stdout = "";
  let stderr = "";
  const out = new Output({
    stdout: { write: (s: string) => (stdout += s), isTTY: true },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: {},
    json: true,
  });
  out.printJson({ a: 1 });
  out.warn("careful");
  out.error("broken", "Oops");
  assert.deepEqual(JSON.parse(stdout), { a: 1 });
  assert.equal(stderr, "warning: careful\nerror: broken (Oops)\n");
  assert.equal(out.colors.enabled, false);
});

void test("formats sizes, durations and timestamps for people", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1536), "1.5 KB");
  assert.equal(formatBytes(5 * 1024 * 1024), "5.0 MB");
  assert.equal(formatMs(0.421), "0.42");
  assert.equal(formatMs(12.34), "12.3");
  assert.equal(formatMs(1534.2), "1534");
  assert.equal(formatMs(undefined), "-");
  assert.equal(formatMs(2), "2");
  assert.equal(formatTimestamp("2024-05-01T12:34:56.789Z"), "2024-05-01 12:34:56");
  assert.equal(formatTimestamp("not a date"), "not a date");
});
