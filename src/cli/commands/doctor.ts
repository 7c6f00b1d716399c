// `vajra doctor`: checks this host for what sandboxes need (bubblewrap, setpriv, cgroups, seccomp) and for
// every runtime family, and names the exact command that installs each missing piece; then whether a
// server answers at the endpoint. Only an essential piece (without which functions cannot run isolated)
// fails the command; a server that is not running is reported, not counted: doctor is often run first.

import { join } from "node:path";
import { doctorReport, type DoctorReport, type HostCheck } from "../../core/host-checks.js";
import type { Health } from "../api-types.js";
import { defineCommand } from "../command.js";
import type { CommandContext } from "../context.js";
import { CliError } from "../errors.js";
import type { Colors } from "../output.js";

const MARKS = { pass: "✓", warn: "!", fail: "✗" } as const;

/** A doctor report as printed: sandbox pieces, then runtime families, then one apt-get line. */
export function renderDoctorReport(report: DoctorReport, c: Colors): string[] {
  const lines: string[] = [];
  const paint = { pass: c.green, warn: c.yellow, fail: c.red };
  const section = (title: string, group: "sandbox" | "runtime"): void => {
    lines.push(c.bold(title));
    for (const check of report.checks.filter((k) => (k.group ?? "sandbox") === group)) {
      const mark = paint[check.status](MARKS[check.status]);
      lines.push(`  ${mark} ${check.name}${check.detail === "" ? "" : c.dim(`: ${check.detail}`)}`);
      if (check.ok) continue;
      if (check.fix !== undefined) lines.push(`      ${c.yellow("fix:")} ${check.fix}`);
      for (const m of check.missing ?? []) {
        lines.push(`      ${m.id}: ${c.cyan(m.command)}`);
        if (m.note !== undefined) lines.push(`        ${c.dim(`(${m.note})`)}`);
      }
    }
  };
  section("Sandbox", "sandbox");
  section("Runtimes", "runtime");
  if (report.aptInstall !== "") {
    lines.push("", `Debian/Ubuntu, every package above at once: ${c.cyan(report.aptInstall)}`);
  }
  return lines;
}

/** The host checks as doctor prints them (see renderDoctorReport). */
export function renderHostChecks(checks: HostCheck[], c: Colors): string[] {
  return renderDoctorReport(doctorReport(checks), c);
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

/** Throws doctor's failure when an essential check failed. */
function failIfEssentialMissing(report: DoctorReport, where: string): void {
  const failed = report.checks.filter((c) => c.status === "fail");
  if (failed.length > 0) {
    throw new CliError(
      `${where} lacks what functions need: ${failed.map((c) => `${c.name} (${c.fix ?? c.detail})`).join(", ")}`,
      { code: "HostCheckFailed" },
    );
  }
}

/** `vajra doctor --server`: the running server's own checks (GET /doctor), printed the same way. */
async function serverDoctor(ctx: CommandContext): Promise<void> {
  const client = await ctx.client();
  const report = await client.json<DoctorReport>("GET", "/doctor");
  if (ctx.json) ctx.out.printJson({ ...report, server: { endpoint: ctx.endpoint } });
  else
    ctx.out.print(
      [
        `${ctx.out.colors.bold("The server at")} ${ctx.endpoint}`,
        ...renderDoctorReport(report, ctx.out.colors),
      ].join("\n"),
    );
  failIfEssentialMissing(report, `the server's host (${ctx.endpoint})`);
}

export const doctorCommand = defineCommand<{ server?: boolean }>({
  name: "doctor",
  summary: "check this host for what Vajra needs, and whether the server answers",
  description:
    "Check this host's sandbox (bubblewrap, setpriv, cgroups, seccomp) and every runtime family, and print " +
    "the exact command that installs each missing piece, then whether a server answers GET /health at the " +
    "endpoint. Exits 1 only when something essential is missing (bubblewrap; setpriv as root; every " +
    "runtime); other gaps are warnings, and a server that is not running is reported but is not a failure. " +
    "With --server, the running server reports its own host's checks instead (GET /doctor): what its " +
    "sandboxes actually get, e.g. as root or on another machine.",
  options: [
    {
      flags: "--server",
      description: "print the checks of the running server's host (GET /doctor) instead of this host's",
    },
  ],
  examples: ["vajra doctor", "vajra doctor --json", "vajra doctor --server"],
  async run(ctx, _args, opts) {
    if (opts.server === true) return serverDoctor(ctx);
    const { checkHost } = await import("../../executor/host-check.js");
    // The server's Node.js installs live in <data-dir>/runtimes: count them as it does.
    const report = doctorReport(await checkHost({ nodeInstallDir: join(ctx.dataDir, "runtimes") }));
    const server = await probeServer(ctx);

    if (ctx.json) {
      ctx.out.printJson({ ...report, server: { endpoint: ctx.endpoint, ...server } });
    } else {
      const c = ctx.out.colors;
      const lines = renderDoctorReport(report, c);
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
    failIfEssentialMissing(report, "this host");
  },
});
