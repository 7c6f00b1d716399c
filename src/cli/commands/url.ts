// `vajra url`: a function's HTTP endpoint (Lambda function URL) on the Vajra server itself.

import { defineCommand, defineGroup } from "../command.js";
import { UsageError } from "../errors.js";
import { confirmDeletion } from "./functions.js";

interface UrlView {
  url: string;
  authType: string;
}

const path = (name: string): string => `/functions/${encodeURIComponent(name)}/url`;

export const urlCreateCommand = defineCommand<{ auth?: string }>({
  name: "create",
  args: ["<name>"],
  summary: "give the function an HTTP URL",
  options: [
    {
      flags: "--auth <NONE|AWS_IAM>",
      description: "NONE (anyone who reaches the server) or AWS_IAM (SigV4-signed requests)",
    },
  ],
  examples: ["vajra url create hello", "curl $(vajra url create hello --json | jq -r .url)"],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra url create NAME");
    const auth = (opts.auth ?? "NONE").toUpperCase();
    if (auth !== "NONE" && auth !== "AWS_IAM")
      throw new UsageError(`--auth must be NONE or AWS_IAM; got '${opts.auth ?? ""}'`);
    const client = await ctx.client();
    const r = await client.json<UrlView>("POST", path(name), { authType: auth });
    if (ctx.json) ctx.out.printJson(r);
    else ctx.out.print(`${ctx.out.colors.green("✓")} ${name}: ${r.url} (auth ${r.authType})`);
  },
});

export const urlShowCommand = defineCommand({
  name: "show",
  args: ["<name>"],
  summary: "print the function's URL",
  async run(ctx, [name]) {
    if (name === undefined) throw new UsageError("usage: vajra url show NAME");
    const r = await (await ctx.client()).json<UrlView>("GET", path(name));
    if (ctx.json) ctx.out.printJson(r);
    else ctx.out.print(r.url);
  },
});

export const urlDeleteCommand = defineCommand<{ yes?: boolean }>({
  name: "delete",
  args: ["<name>"],
  summary: "remove the function's URL",
  options: [{ flags: "--yes", description: "do not ask for confirmation" }],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra url delete NAME");
    if (opts.yes !== true) await confirmDeletion(ctx, `the URL of ${name}`, `Delete the URL of ${name}?`);
    await (await ctx.client()).json("DELETE", path(name));
    if (ctx.json) ctx.out.printJson({ deleted: name });
    else ctx.out.print(`${ctx.out.colors.green("✓")} Deleted the URL of ${name}`);
  },
});

export const urlGroup = defineGroup({
  name: "url",
  summary: "create, show and delete function URLs",
  commands: [urlCreateCommand, urlShowCommand, urlDeleteCommand],
  examples: ["vajra url create hello", "vajra url show hello", "vajra url delete hello --yes"],
});
