// `vajra versions publish|list`: immutable snapshots of a function's code and configuration. Publishing
// when nothing changed since the last version is not an error: the server returns that version (200).

import type { VersionView } from "../api-types.js";
import { defineCommand, defineGroup } from "../command.js";
import { UsageError } from "../errors.js";
import { formatTable } from "../output.js";

const path = (name: string, rest = "") => `/functions/${encodeURIComponent(name)}${rest}`;

export const publishCommand = defineCommand<{ description?: string }>({
  name: "publish",
  args: ["<name>"],
  summary: "publish the function's current code and configuration as a new version",
  description:
    "Publish $LATEST as a numbered, immutable version. If nothing changed since the last published " +
    "version, that version is returned instead of a new one.",
  options: [{ flags: "--description <text>", description: "description of the version" }],
  examples: ["vajra versions publish hello", 'vajra versions publish hello --description "fix the greeting"'],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra versions publish NAME");
    const client = await ctx.client();
    const { status, body: v } = await client.jsonResponse<VersionView>(
      "POST",
      path(name, "/versions"),
      opts.description === undefined ? {} : { description: opts.description },
    );
    if (ctx.json) {
      ctx.out.printJson(v);
      return;
    }
    const c = ctx.out.colors;
    if (status === 201) ctx.out.print(`${c.green("✓")} Published version ${c.bold(v.version)} of ${name}`);
    else ctx.out.print(`Version ${c.bold(v.version)} of ${name} is already current`);
  },
});

export const versionsListCommand = defineCommand({
  name: "list",
  args: ["<name>"],
  summary: "list a function's versions ($LATEST first)",
  examples: ["vajra versions list hello", "vajra versions list hello --json | jq -r '.versions[].version'"],
  async run(ctx, [name]) {
    if (name === undefined) throw new UsageError("usage: vajra versions list NAME");
    const client = await ctx.client();
    const result = await client.json<{ versions: VersionView[] }>("GET", path(name, "/versions"));
    if (ctx.json) {
      ctx.out.printJson(result);
      return;
    }
    const c = ctx.out.colors;
    ctx.out.print(
      formatTable(
        ["VERSION", "RUNTIME", "MEMORY", "CODE", "DESCRIPTION"],
        result.versions.map((v) => [
          c.bold(v.version),
          v.runtime,
          `${v.memorySize} MB`,
          v.codeSha256.slice(0, 12),
          v.description,
        ]),
        { align: ["left", "left", "right", "left", "left"], styleHeader: c.dim },
      ),
    );
  },
});

export const versionsGroup = defineGroup({
  name: "versions",
  summary: "publish and list a function's versions",
  commands: [publishCommand, versionsListCommand],
  examples: ["vajra versions publish hello", "vajra versions list hello"],
});
