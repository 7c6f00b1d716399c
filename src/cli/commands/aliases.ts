// `vajra alias create|update|list|delete`: named pointers to a function version, optionally sending a
// share of the traffic to a second version (Lambda's routingConfig.additionalVersionWeights).

import type { AliasRequest, AliasView } from "../api-types.js";
import { defineCommand, defineGroup, type OptionSpec } from "../command.js";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatTable } from "../output.js";
import { weightOption, type VersionWeights } from "../parse-options.js";
import { formatWeights } from "../qualifier.js";
import { confirmDeletion } from "./functions.js";

const path = (name: string, rest = "") => `/functions/${encodeURIComponent(name)}${rest}`;
const aliasPath = (name: string, alias: string) => path(name, `/aliases/${encodeURIComponent(alias)}`);

/** What an alias may point to: a published version number or $LATEST. */
function checkVersion(version: string): string {
  if (!/^(\$LATEST|\d+)$/.test(version)) {
    throw new UsageError(`--version must be a published version number or $LATEST, got "${version}"`);
  }
  return version;
}

function checkWeightTarget(version: string | undefined, weights: VersionWeights | undefined): void {
  if (version === undefined || weights === undefined) return;
  if (version in weights) {
    throw new UsageError(`--weight must name another version than --version (${version})`);
  }
}

const weightSpec: OptionSpec = {
  flags: "--weight <version=fraction>",
  description: "send a share of the traffic to another version: 2=0.1 or 2=10% (one only)",
  parse: weightOption,
};
const descriptionSpec: OptionSpec = {
  flags: "--description <text>",
  description: "description of the alias",
};

function printAlias(ctx: CommandContext, verb: string, fn: string, a: AliasView): void {
  if (ctx.json) {
    ctx.out.printJson(a);
    return;
  }
  const c = ctx.out.colors;
  const weights = a.routingConfig?.additionalVersionWeights ?? {};
  const routing = Object.keys(weights).length === 0 ? "" : ` (${formatWeights(weights)})`;
  ctx.out.print(
    `${c.green("✓")} ${verb} alias ${c.bold(a.name)} of ${fn} → version ${a.functionVersion}${routing}`,
  );
}

export const aliasCreateCommand = defineCommand<{
  version?: string;
  weight?: VersionWeights;
  description?: string;
}>({
  name: "create",
  args: ["<name>", "<alias>"],
  summary: "create an alias pointing to a version",
  options: [
    { flags: "--version <version>", description: "the version the alias points to (required)" },
    weightSpec,
    descriptionSpec,
  ],
  examples: [
    "vajra alias create hello live --version 1",
    "vajra alias create hello live --version 1 --weight 2=10%",
  ],
  async run(ctx, [name, alias], opts) {
    if (name === undefined || alias === undefined) {
      throw new UsageError("usage: vajra alias create NAME ALIAS --version V");
    }
    if (opts.version === undefined)
      throw new UsageError("--version is required: the version the alias points to");
    checkWeightTarget(checkVersion(opts.version), opts.weight);
    const body: AliasRequest = { name: alias, functionVersion: opts.version };
    if (opts.description !== undefined) body.description = opts.description;
    if (opts.weight !== undefined) body.routingConfig = { additionalVersionWeights: opts.weight };
    const client = await ctx.client();
    printAlias(ctx, "Created", name, await client.json<AliasView>("POST", path(name, "/aliases"), body));
  },
});

export const aliasUpdateCommand = defineCommand<{
  version?: string;
  weight?: VersionWeights | false;
  description?: string;
}>({
  name: "update",
  args: ["<name>", "<alias>"],
  summary: "point an alias to another version, or change its traffic split",
  description:
    "Change an alias; only the given fields change. --weight sets the share of traffic sent to a second " +
    "version, --no-weight removes it.",
  options: [
    { flags: "--version <version>", description: "the version the alias points to" },
    weightSpec,
    { flags: "--no-weight", description: "send all traffic to --version again (clears the routing)" },
    descriptionSpec,
  ],
  examples: [
    "vajra alias update hello live --weight 2=50%",
    "vajra alias update hello live --version 2 --no-weight",
  ],
  async run(ctx, [name, alias], opts) {
    if (name === undefined || alias === undefined)
      throw new UsageError("usage: vajra alias update NAME ALIAS");
    const body: AliasRequest = {};
    if (opts.version !== undefined) body.functionVersion = checkVersion(opts.version);
    if (opts.weight === false) body.routingConfig = null;
    else if (opts.weight !== undefined) {
      checkWeightTarget(opts.version, opts.weight);
      body.routingConfig = { additionalVersionWeights: opts.weight };
    }
    if (opts.description !== undefined) body.description = opts.description;
    if (Object.keys(body).length === 0) {
      throw new UsageError("nothing to update: give --version, --weight, --no-weight or --description");
    }
    const client = await ctx.client();
    printAlias(ctx, "Updated", name, await client.json<AliasView>("PUT", aliasPath(name, alias), body));
  },
});

export const aliasListCommand = defineCommand({
  name: "list",
  args: ["<name>"],
  summary: "list a function's aliases",
  examples: ["vajra alias list hello", "vajra alias list hello --json"],
  async run(ctx, [name]) {
    if (name === undefined) throw new UsageError("usage: vajra alias list NAME");
    const client = await ctx.client();
    const result = await client.json<{ aliases: AliasView[] }>("GET", path(name, "/aliases"));
    if (ctx.json) {
      ctx.out.printJson(result);
      return;
    }
    if (result.aliases.length === 0) {
      ctx.out.print(
        `No aliases of ${name} yet. Create one with \`vajra alias create ${name} ALIAS --version V\`.`,
      );
      return;
    }
    const c = ctx.out.colors;
    ctx.out.print(
      formatTable(
        ["ALIAS", "VERSION", "WEIGHTS", "DESCRIPTION"],
        result.aliases.map((a) => [
          c.bold(a.name),
          a.functionVersion,
          formatWeights(a.routingConfig?.additionalVersionWeights),
          a.description,
        ]),
        { styleHeader: c.dim },
      ),
    );
  },
});

export const aliasDeleteCommand = defineCommand<{ yes?: boolean }>({
  name: "delete",
  args: ["<name>", "<alias>"],
  summary: "delete an alias (asks first unless --yes)",
  description:
    "Delete an alias; the versions stay. On a terminal it asks for confirmation; without a terminal " +
    "(scripts, CI) it refuses unless --yes is given.",
  options: [{ flags: "-y, --yes", description: "do not ask for confirmation" }],
  examples: ["vajra alias delete hello live", "vajra alias delete hello live --yes"],
  async run(ctx, [name, alias], opts) {
    if (name === undefined || alias === undefined)
      throw new UsageError("usage: vajra alias delete NAME ALIAS");
    if (opts.yes !== true) {
      await confirmDeletion(ctx, `alias ${alias} of ${name}`, `Delete alias ${alias} of function ${name}?`);
    }
    const client = await ctx.client();
    await client.json("DELETE", aliasPath(name, alias));
    if (ctx.json) ctx.out.printJson({ deleted: alias, function: name });
    else ctx.out.print(`${ctx.out.colors.green("✓")} Deleted alias ${alias} of function ${name}`);
  },
});

export const aliasGroup = defineGroup({
  name: "alias",
  summary: "manage a function's aliases (named versions, traffic splits)",
  commands: [aliasCreateCommand, aliasUpdateCommand, aliasListCommand, aliasDeleteCommand],
  examples: [
    "vajra alias create hello live --version 1",
    "vajra alias update hello live --weight 2=10%",
    "vajra alias list hello",
  ],
});
