// `vajra doctor`: checks this host for what sandboxes need (bubblewrap, cgroups, runtimes...) and says how
// to fix what is missing, then whether a server answers at the endpoint. A server that is not running is
// reported, not counted as a failure: doctor is often run before the first `vajra server`.

import type { Health } from "../api-types.js";
import { defineCommand } from "../command.js";
import type { CommandContext } from "../context.js";
import { CliError } from "../errors.js";

interface HostCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

type ServerStatus =
  | { reachable: true; ok: boolean; status: number; health?: Health; error?: string }
  | { reachable: false; error: string };

async function probeServer(ctx: CommandContext): Promise<ServerStatus> {
  const client = await ctx.client();
  try {
    const res = await client.request("GET", "/health");
    if (res.status >= 400) {
      try {
        client.throwIfError(res);
      } catch (err) {
        return { reachable: true, ok: false, status: res.status, error: (err as Error).message };
      }
    }
    let health: Health | undefined;
    try {
      health = JSON.parse(res.body.toString("utf8")) as Health;
    } catch {
      health = undefined;
    }
    return { reachable: true, ok: true, status: res.status, health };
  } catch (err) {
    return { reachable: false, error: (err as Error).message };
  }
}

export const doctorCommand = defineCommand({
  name: "doctor",
  summary: "check this host for what Vajra needs, and whether the server answers",
  description:
    "Check this host (bubblewrap, cgroups, runtimes, ...) and print how to fix what is missing, then " +
    "whether a server answers GET /health at the endpoint. Exits 1 if a host check fails; a server that " +
    "is not running is reported but is not a failure.",
  examples: ["vajra doctor", "vajra doctor --json"],
  async run(ctx) {
    const { checkHost } = await import("../../executor/host-check.js");
    const checks: HostCheck[] = await checkHost();
    const server = await probeServer(ctx);
    const failed = checks.filter((c) => !c.ok);

    if (ctx.json) {
      ctx.out.printJson({ ok: failed.length === 0, checks, server: { endpoint: ctx.endpoint, ...server } });
    } else {
      const c = ctx.out.colors;
      const lines: string[] = [];
      for (const check of checks) {
        const mark = check.ok ? c.green("✓") : c.red("✗");
        lines.push(`${mark} ${check.name}${check.detail === "" ? "" : c.dim(`: ${check.detail}`)}`);
        if (!check.ok && check.fix !== undefined) lines.push(`    ${c.yellow("fix:")} ${check.fix}`);
      }
      lines.push("");
      if (!server.reachable) {
        lines.push(
          `${c.dim("-")} no server answers at ${ctx.endpoint} ${c.dim("(start one with `vajra server`)")}`,
        );
      } else if (!server.ok) {
        lines.push(
          `${c.yellow("!")} the server at ${ctx.endpoint} answers, but: ${server.error ?? "unknown error"}`,
        );
      } else {
        const version = server.health?.version === undefined ? "" : ` (version ${server.health.version})`;
        lines.push(`${c.green("✓")} the server at ${ctx.endpoint} answers${version}`);
        const isolation = server.health?.isolation;
        if (isolation !== undefined) {
          lines.push(
            isolation.isolated
              ? `${c.green("✓")} functions run in sandboxes`
              : `${c.red("✗")} functions run WITHOUT isolation`,
          );
          for (const warning of isolation.warnings) lines.push(`    ${c.yellow("warning:")} ${warning}`);
        }
      }
      ctx.out.print(lines.join("\n"));
    }
    if (failed.length > 0) {
      throw new CliError(`${failed.length} host check(s) failed: ${failed.map((c) => c.name).join(", ")}`, {
        code: "HostCheckFailed",
      });
    }
  },
});
