// Arithmetic for `vajra invoke --test`: percentiles and the summary of a series of runs.

/** Nearest-rank percentile (p in 0..100) of the values; undefined for an empty list. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export interface TestRun {
  run: number;
  cold: boolean;
  status: "ok" | "error";
  initMs?: number;
  durationMs?: number;
  billedMs?: number;
  maxMemoryMb?: number;
  memorySizeMb?: number;
  requestId?: string;
}

export interface TestSummary {
  runs: number;
  errors: number;
  /** Init duration of the cold start, when there was one. */
  initMs?: number;
  durationP50Ms?: number;
  durationP95Ms?: number;
  /** Percentiles of the warm runs only: what steady-state traffic sees. */
  warmDurationP50Ms?: number;
  billedP50Ms?: number;
  maxMemoryMb?: number;
  memorySizeMb?: number;
}

function defined(values: Array<number | undefined>): number[] {
  return values.filter((v): v is number => v !== undefined && Number.isFinite(v));
}

export function summarize(runs: TestRun[]): TestSummary {
  const durations = defined(runs.map((r) => r.durationMs));
  const warm = defined(runs.filter((r) => !r.cold).map((r) => r.durationMs));
  const memory = defined(runs.map((r) => r.maxMemoryMb));
  const summary: TestSummary = { runs: runs.length, errors: runs.filter((r) => r.status === "error").length };
  const init = runs.find((r) => r.cold && r.initMs !== undefined)?.initMs;
  const optional: Omit<TestSummary, "runs" | "errors"> = {
    initMs: init,
    durationP50Ms: percentile(durations, 50),
    durationP95Ms: percentile(durations, 95),
    warmDurationP50Ms: percentile(warm, 50),
    billedP50Ms: percentile(defined(runs.map((r) => r.billedMs)), 50),
    maxMemoryMb: memory.length === 0 ? undefined : Math.max(...memory),
    memorySizeMb: runs.find((r) => r.memorySizeMb !== undefined)?.memorySizeMb,
  };
  // Leave unknown figures out rather than serializing them as null in --json output.
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(summary, { [k]: v });
  return summary;
}
