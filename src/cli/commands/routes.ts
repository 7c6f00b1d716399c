// `vajra route add|list|delete`: API-Gateway-style HTTP routes served on the public listener
// (`vajra server --public-port`), through the native /routes API.

import { defineCommand, defineGroup } from "../command.js";
import type { CommandContext } from "../context.js";
import { UsageError } from "../errors.js";
import { formatTable } from "../output.js";
import { confirmDeletion } from "./functions.js";

interface RouteView {
  id: string;
  routeKey: string;
  function: string;
  qualifier?: string;
  payloadFormat: string;
  authType: string;
  createdAt: string;
}

const path = (ref?: string): string => (ref === undefined ? "/routes" : `/routes/${encodeURIComponent(ref)}`);

function target(r: RouteView): string {
  return r.qualifier === undefined ? r.function : `${r.function}:${r.qualifier}`;
}

export const routeAddCommand = defineCommand<{ qualifier?: string; payloadFormat?: string; auth?: string }>({
  name: "add",
  args: ["<route-key>", "<function>"],
  summary: "route 'METHOD /path' (or $default) on the public listener to a function",
  options: [
    { flags: "--qualifier <version|alias>", description: "invoke this version or alias (default $LATEST)" },
    {
      flags: "--payload-format <1.0|2.0>",
      description: "event shape: 2.0 (HTTP API, the default) or 1.0 (REST API proxy)",
    },
    { flags: "--auth <none>", description: "authorization: none (the only one so far)" },
  ],
  examples: [
    "vajra route add 'GET /users/{id}' users",
    "vajra route add 'ANY /files/{proxy+}' files --qualifier live --payload-format 1.0",
    "vajra route add '$default' fallback",
  ],
  async run(ctx, [key, fn], opts) {
    if (key === undefined || fn === undefined)
      throw new UsageError(
        "usage: vajra route add 'METHOD /path' FUNCTION [--qualifier Q] [--payload-format 2.0]",
      );
    const auth = (opts.auth ?? "none").toUpperCase();
    if (auth !== "NONE") throw new UsageError(`--auth must be none; got '${opts.auth ?? ""}'`);
    const body: Record<string, unknown> = { routeKey: key, function: fn, authType: auth };
    if (opts.qualifier !== undefined) body.qualifier = opts.qualifier;
    if (opts.payloadFormat !== undefined) body.payloadFormat = opts.payloadFormat;
    const r = await (await ctx.client()).json<RouteView>("POST", path(), body);
    if (ctx.json) return ctx.out.printJson(r);
    ctx.out.print(
      `${ctx.out.colors.green("✓")} ${r.routeKey} → ${target(r)} (id ${r.id}, payload ${r.payloadFormat})`,
    );
  },
});

function printList(ctx: CommandContext, routes: RouteView[]): void {
  if (ctx.json) return ctx.out.printJson(routes);
  if (routes.length === 0) return ctx.out.print("No routes.");
  ctx.out.print(
    formatTable(
      ["ID", "ROUTE", "FUNCTION", "PAYLOAD", "AUTH"],
      routes.map((r) => [r.id, r.routeKey, target(r), r.payloadFormat, r.authType]),
      { styleHeader: ctx.out.colors.bold },
    ),
  );
}

export const routeListCommand = defineCommand({
  name: "list",
  summary: "list HTTP routes",
  async run(ctx) {
    const r = await (await ctx.client()).json<{ routes: RouteView[] }>("GET", path());
    printList(ctx, r.routes);
  },
});

export const routeDeleteCommand = defineCommand<{ yes?: boolean }>({
  name: "delete",
  args: ["<id|route-key>"],
  summary: "delete a route by its id or its route key",
  options: [{ flags: "--yes", description: "do not ask for confirmation" }],
  examples: ["vajra route delete a1b2c3d --yes", "vajra route delete 'GET /users/{id}' --yes"],
  async run(ctx, [ref], opts) {
    if (ref === undefined) throw new UsageError("usage: vajra route delete ID|'METHOD /path'");
    if (opts.yes !== true) await confirmDeletion(ctx, `route ${ref}`, `Delete route ${ref}?`);
    const r = await (await ctx.client()).json<RouteView>("DELETE", path(ref));
    if (ctx.json) return ctx.out.printJson({ deleted: r.id, routeKey: r.routeKey });
    ctx.out.print(`${ctx.out.colors.green("✓")} Deleted route ${r.routeKey} (id ${r.id})`);
  },
});

export const routeGroup = defineGroup({
  name: "route",
  summary: "HTTP routes (API Gateway style) on the public listener",
  commands: [routeAddCommand, routeListCommand, routeDeleteCommand],
  examples: [
    "vajra route add 'GET /users/{id}' users",
    "vajra route list",
    "vajra route delete 'GET /users/{id}' --yes",
  ],
});
