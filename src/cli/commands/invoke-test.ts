// `vajra invoke --test`: a quick, honest look at a function's cold and warm behaviour. It stops the
// function's warm instances first so the first call really is a cold start, then reports the figures
// the server measured (not client round-trip times, which would include HTTP overhead).

import type { ApiClient } from "../client.js";
import type { CommandContext } from "../context.js";
import { CliError } from "../errors.js";
import { formatKeyValues, formatMs, formatTable } from "../output.js";
import { summarize, type TestRun } from "../stats.js";
import { describeFunctionError, invokeOnce } from "./invocation.js";

const mb = (n: number | undefined) => (n === undefined ? "-" : String(n));

export async function runInvokeTest(
  ctx: CommandContext,
  client: ApiClient,
  name: string,
  payload: Buffer,
  warmRuns: number,
  qualifier?: string,
): Promise<void> {
  await client.json("DELETE", `/functions/${encodeURIComponent(name)}/instances`);
  if (!ctx.json) ctx.out.note(`Invoking ${name}: 1 cold + ${warmRuns} warm...`);
  const runs: TestRun[] = [];
  let lastLog: string | undefined;
  let firstError: string | undefined;
  for (let i = 0; i <= warmRuns; i++) {
    const r = await invokeOnce(client, name, payload, true, qualifier);
    lastLog = r.log;
    if (r.functionError !== undefined) firstError ??= describeFunctionError(r);
    runs.push({
      run: i + 1,
      // Cold means the server reported an init phase; a pre-warmed pool can make even run 1 warm.
      cold: r.initDurationMs !== undefined,
      status: r.functionError === undefined ? "ok" : "error",
      initMs: r.initDurationMs,
      durationMs: r.durationMs,
      billedMs: r.billedDurationMs,
      maxMemoryMb: r.maxMemoryUsedMb,
      memorySizeMb: r.memorySizeMb,
      requestId: r.requestId,
    });
  }
  const summary = summarize(runs);

  if (ctx.json) {
    ctx.out.printJson({ runs, summary, lastLog: lastLog ?? null });
  } else {
    const c = ctx.out.colors;
    const table = formatTable(
      ["RUN", "START", "INIT MS", "DURATION MS", "BILLED MS", "MAX MEMORY MB", "STATUS"],
      runs.map((r) => [
        String(r.run),
        r.cold ? c.yellow("cold") : "warm",
        formatMs(r.initMs),
        formatMs(r.durationMs),
        formatMs(r.billedMs),
        mb(r.maxMemoryMb),
        r.status === "ok" ? c.green("ok") : c.red("error"),
      ]),
      { align: ["right", "left", "right", "right", "right", "right", "left"], styleHeader: c.bold },
    );
    const memory =
      summary.maxMemoryMb === undefined
        ? "-"
        : `${summary.maxMemoryMb} MB` +
          (summary.memorySizeMb === undefined ? "" : ` of ${summary.memorySizeMb} MB`);
    const pairs: Array<[string, string]> = [
      [
        "Init (cold start)",
        summary.initMs === undefined ? "no cold start observed" : `${formatMs(summary.initMs)} ms`,
      ],
      ["Duration p50", `${formatMs(summary.durationP50Ms)} ms`],
      ["Duration p95", `${formatMs(summary.durationP95Ms)} ms`],
      ["Warm duration p50", `${formatMs(summary.warmDurationP50Ms)} ms`],
      ["Billed p50", `${formatMs(summary.billedP50Ms)} ms`],
      ["Max memory used", memory],
      ["Errors", `${summary.errors} of ${summary.runs}`],
    ];
    ctx.out.print(`${table}\n\n${formatKeyValues(pairs, c.bold)}`);
    if (lastLog !== undefined)
      ctx.out.print(`\n${c.bold("Log of the last invocation:")}\n${lastLog.trimEnd()}`);
  }
  if (firstError !== undefined) {
    throw new CliError(`${summary.errors} of ${summary.runs} invocations of ${name} failed: ${firstError}`, {
      code: "FunctionError",
    });
  }
}
