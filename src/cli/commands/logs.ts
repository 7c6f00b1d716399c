// `vajra logs`: searches a function's log events (time range, filter pattern, request id, errors,
// version or alias) or follows them live over the server's event stream. Presentation only: the server
// searches and filters.

import { defineCommand } from "../command.js";
import { UsageError } from "../errors.js";
import { intOption } from "../parse-options.js";
import type { CommandContext } from "../context.js";

interface LogsOptions {
  follow?: boolean;
  since?: string;
  until?: string;
  filter?: string;
  requestId?: string;
  errors?: boolean;
  version?: string;
  alias?: string;
  limit?: number;
}

export interface LogEventView {
  timestamp: number;
  time: string;
  stream: string;
  version: string;
  requestId: string;
  error: boolean;
  message: string;
}

function query(opts: LogsOptions): string {
  const q = new URLSearchParams({ events: "1", limit: String(opts.limit ?? 100) });
  if (opts.since !== undefined) q.set("since", opts.since);
  if (opts.until !== undefined) q.set("until", opts.until);
  if (opts.filter !== undefined) q.set("filter", opts.filter);
  if (opts.requestId !== undefined) q.set("requestId", opts.requestId);
  if (opts.errors === true) q.set("errors", "1");
  if (opts.version !== undefined) q.set("version", opts.version);
  if (opts.alias !== undefined) q.set("alias", opts.alias);
  if (opts.follow === true) q.set("follow", "1");
  return q.toString();
}

function printer(ctx: CommandContext): (e: LogEventView) => void {
  const c = ctx.out.colors;
  if (ctx.json) return (e) => ctx.out.printRaw(JSON.stringify(e) + "\n");
  return (e) => {
    const text = e.message.replace(/\r/g, "\n");
    ctx.out.print(`${c.dim(e.time)} ${e.error ? c.red(text) : text}`);
  };
}

export const logsCommand = defineCommand<LogsOptions>({
  name: "logs",
  args: ["<name>"],
  summary: "search or follow a function's log events",
  description:
    "Print a function's log events, newest last. --filter takes a CloudWatch Logs filter pattern: terms, " +
    '"quoted phrases", -excluded, ?optional, %regex% or a JSON pattern such as \'{ $.level = "ERROR" }\'. ' +
    "--follow keeps printing new events as invocations finish (Ctrl-C stops).",
  options: [
    { flags: "-f, --follow", description: "keep printing new events as they arrive" },
    {
      flags: "--since <when>",
      description: "from this time: a duration ago (30s, 15m, 1h, 2d) or an ISO date",
    },
    { flags: "--until <when>", description: "up to this time (same forms as --since)" },
    { flags: "--filter <pattern>", description: "CloudWatch Logs filter pattern the events must match" },
    { flags: "--request-id <id>", description: "only the events of this invocation" },
    { flags: "--errors", description: "only error events (ERROR/FATAL lines and failed invocations)" },
    { flags: "--version <version>", description: "only events of this version ($LATEST, 1, 2, …)" },
    { flags: "--alias <alias>", description: "only events of the version this alias points to" },
    {
      flags: "--limit <n>",
      description: "at most this many events, the newest (default 100)",
      parse: intOption(1, 10_000),
    },
  ],
  examples: [
    "vajra logs hello",
    "vajra logs hello --follow",
    "vajra logs hello --since 1h --filter 'ERROR -retry'",
    "vajra logs hello --filter '{ $.latency > 500 }' --alias prod",
    "vajra logs hello --request-id 6f1c2a9e-1d2b-4c3d-9e8f-0a1b2c3d4e5f",
  ],
  async run(ctx, [name], opts) {
    if (name === undefined) throw new UsageError("usage: vajra logs NAME");
    const client = await ctx.client();
    const path = `/functions/${encodeURIComponent(name)}/logs?${query(opts)}`;
    const print = printer(ctx);
    if (opts.follow === true) {
      let pending = "";
      let streaming = false;
      const res = await client.request("GET", path, {
        headers: { accept: "text/event-stream" },
        onChunk: (chunk) => {
          streaming = true;
          pending += chunk.toString("utf8");
          const blocks = pending.split("\n\n");
          pending = blocks.pop() ?? "";
          for (const block of blocks) {
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (data === undefined) continue;
            if (block.startsWith("event: dropped")) {
              ctx.out.warn(`some events were dropped: the terminal did not keep up (${data})`);
              continue;
            }
            print(JSON.parse(data) as LogEventView);
          }
        },
      });
      if (!streaming || res.status >= 400) client.throwIfError(res);
      return;
    }
    const result = await client.json<{ events: LogEventView[]; nextToken?: string }>("GET", path);
    if (ctx.json) {
      ctx.out.printJson(result);
      return;
    }
    if (result.events.length === 0) {
      ctx.out.print(`No log events of ${name} match.`);
      return;
    }
    for (const e of result.events) print(e);
  },
});
