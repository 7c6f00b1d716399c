// Cost recommendations computed from what functions actually did, in the spirit of AWS Compute
// Optimizer and Lambda Power Tuning: each states its evidence in words and numbers, the estimated
// monthly saving (or cost) at the observed traffic, and the risk of acting on it. Pure: the engine
// gathers the evidence (engine/cost/recommendations.ts); the thresholds are in recommend-model.ts.

import { HOUR_MS, invocationCost, type PriceSheet } from "./billing.js";
import { LIMITS } from "./limits.js";
import {
  COLD_START_MIN_INIT_MS,
  COLD_START_MIN_INVOCATIONS,
  COLD_START_SHARE,
  ERROR_MIN_INVOCATIONS,
  ERROR_RATE,
  ERROR_RATE_HIGH,
  MEMORY_HEADROOM_FACTOR,
  MEMORY_HEADROOM_MIN_MB,
  MEMORY_MIN_REDUCTION_MB,
  MEMORY_MIN_SAMPLES,
  MEMORY_NEAR_LIMIT_RATIO,
  MEMORY_OVERSIZED_RATIO,
  MEMORY_SPEEDUP_MIN,
  MONTH_MS,
  PROVISIONED_IDLE_UTILISATION,
  PROVISIONED_MIN_OBSERVED_MS,
  RECOMMENDATION_WINDOW_MS,
  TIMEOUT_FACTOR,
  TIMEOUT_MIN_GAP_MS,
  TIMEOUT_MIN_SAMPLES,
  TIMEOUT_SUGGEST_FACTOR,
  TIMEOUT_SUGGEST_MAX_FACTOR,
  TIMEOUT_SUGGEST_MIN_SECONDS,
  days,
  formatMoney,
  mean,
  ms,
  peakOverlap,
  pct,
  quantile,
  round,
  savingSeverity,
  sizeStats,
  sizeWithHeadroom,
  traffic,
  trafficWords,
  type EvidenceValue,
  type FunctionEvidence,
  type RecommendOutcome,
  type Recommendation,
  type RecommendationKind,
  type Severity,
  type Traffic,
} from "./recommend-model.js";

export * from "./recommend-model.js";

const GB_MB = 1024;

/** What every rule sees about one function. */
interface Ctx {
  ev: FunctionEvidence;
  sheet: PriceSheet;
  nowMs: number;
  t: Traffic;
  notes: string[];
}

function make(
  c: Ctx,
  kind: RecommendationKind,
  severity: Severity,
  title: string,
  detail: string,
  evidence: Record<string, EvidenceValue>,
  extra: { saving?: number; risk?: string } = {},
): Recommendation {
  const r: Recommendation = {
    function: c.ev.function,
    kind,
    severity,
    title,
    detail,
    evidence,
    currency: c.sheet.currency,
  };
  if (extra.saving !== undefined) r.estimatedMonthlySaving = round(extra.saving);
  if (extra.risk !== undefined) r.risk = extra.risk;
  return r;
}

const money = (c: Ctx, v: number): string => formatMoney(v, c.sheet.currency);

/** The monthly cost of billed duration at `memoryMb`, at the observed traffic and `billedMs` per call. */
function monthlyDurationCost(c: Ctx, billedMs: number, memoryMb: number): number {
  return c.t.monthlyRequests * (billedMs / 1000) * (memoryMb / GB_MB) * c.sheet.durationPerGbSecond;
}

/** Duration and cost per request at each memory size the function ran at; says whether memory bought speed. */
function memorySizeComparison(c: Ctx): { rec?: Recommendation; faster?: string } {
  const stats = sizeStats(c.ev, c.sheet);
  const small = stats[0];
  const large = stats[stats.length - 1];
  if (stats.length < 2 || small === undefined || large === undefined) return {};
  const speedup = small.p50DurationMs > 0 ? 1 - large.p50DurationMs / small.p50DurationMs : 0;
  const bought = speedup >= MEMORY_SPEEDUP_MIN;
  const cheapest = stats.reduce((a, b) => (b.costPerRequest < a.costPerRequest ? b : a));
  const current = stats.find((s) => s.memorySizeMb === c.ev.memorySizeMb);
  const saving =
    current !== undefined && cheapest !== current
      ? (current.costPerRequest - cheapest.costPerRequest) * c.t.monthlyRequests
      : undefined;
  const sizes = stats
    .map(
      (s) =>
        `${s.memorySizeMb} MB: median ${ms(s.p50DurationMs)}, ${money(c, s.costPerRequest)} per request ` +
        `(${s.invocations} invocations)`,
    )
    .join("; ");
  const speed = bought
    ? `More memory bought speed: the median at ${large.memorySizeMb} MB is ${pct(speedup)} shorter than at ` +
      `${small.memorySizeMb} MB (the CPU share grows with memory).`
    : `More memory did not buy speed: the median at ${large.memorySizeMb} MB is not ${pct(MEMORY_SPEEDUP_MIN)} ` +
      `shorter than at ${small.memorySizeMb} MB.`;
  const title =
    saving !== undefined && saving > 0
      ? `${cheapest.memorySizeMb} MB is cheaper per request than the configured ${c.ev.memorySizeMb} MB`
      : `ran at ${stats.length} memory sizes; ${cheapest.memorySizeMb} MB is the cheapest per request`;
  const evidence: Record<string, EvidenceValue> = {
    configuredMemoryMb: c.ev.memorySizeMb,
    sizes: stats.map((s) => ({
      memorySizeMb: s.memorySizeMb,
      invocations: s.invocations,
      p50DurationMs: round(s.p50DurationMs, 3),
      meanBilledDurationMs: round(s.meanBilledMs, 3),
      costPerRequest: round(s.costPerRequest, 12),
    })),
    speedup: round(speedup, 4),
    moreMemoryBoughtSpeed: bought,
    cheapestMemoryMb: cheapest.memorySizeMb,
    monthlyRequests: Math.round(c.t.monthlyRequests),
  };
  const rec = make(
    c,
    "memory-size-comparison",
    saving !== undefined && saving > 0 ? savingSeverity(saving) : "info",
    title,
    `Successful invocations by memory size — ${sizes}. ${speed}` +
      (saving !== undefined && saving > 0
        ? ` At ${Math.round(c.t.monthlyRequests)} requests a month, ${cheapest.memorySizeMb} MB saves about ` +
          `${money(c, saving)} a month.`
        : ""),
    evidence,
    {
      ...(saving !== undefined && saving > 0 ? { saving } : {}),
      risk: "The sizes were observed at different times: code, input and traffic may have changed in between.",
    },
  );
  const faster = bought
    ? `At ${large.memorySizeMb} MB its median duration was ${pct(speedup)} shorter than at ${small.memorySizeMb} MB.`
    : undefined;
  return faster === undefined ? { rec } : { rec, faster };
}

/** Max memory used against the configured size: over-sized (saving) or near the limit (risk). */
function memoryRightSizing(c: Ctx, faster: string | undefined): Recommendation | undefined {
  const { ev } = c;
  const configured = ev.memorySizeMb;
  const at = ev.samples.filter((s) => s.memorySizeMb === configured);
  const oom = at.filter((s) => s.errorType === "Runtime.OutOfMemory").length;
  if (at.length < MEMORY_MIN_SAMPLES && oom === 0) {
    c.notes.push(
      `${ev.function}: memory not judged: ${at.length} invocations at ${configured} MB in the window, ` +
        `${MEMORY_MIN_SAMPLES} needed`,
    );
    return undefined;
  }
  const used = at.map((s) => s.maxMemoryUsedMb);
  const maxUsed = Math.max(...used);
  const p99Used = quantile(used, 0.99) ?? maxUsed;
  const meanBilled = mean(at.map((s) => s.billedDurationMs));
  const evidence: Record<string, EvidenceValue> = {
    configuredMemoryMb: configured,
    maxMemoryUsedMb: maxUsed,
    p99MemoryUsedMb: p99Used,
    usedShare: round(maxUsed / configured, 4),
    invocations: at.length,
    outOfMemoryErrors: oom,
    meanBilledDurationMs: round(meanBilled, 3),
    monthlyRequests: Math.round(c.t.monthlyRequests),
  };
  const used_ =
    `The most memory an invocation used was ${maxUsed} MB of the configured ${configured} MB ` +
    `(${pct(maxUsed / configured)}; p99 ${p99Used} MB) over ${at.length} invocations`;
  if (maxUsed >= MEMORY_NEAR_LIMIT_RATIO * configured || oom > 0) {
    let suggested = sizeWithHeadroom(maxUsed);
    if (oom > 0)
      suggested = Math.max(
        suggested,
        Math.min(LIMITS.memoryMaxMb, Math.ceil(configured * MEMORY_HEADROOM_FACTOR)),
      );
    if (suggested <= configured) return undefined;
    const extra =
      monthlyDurationCost(c, meanBilled, suggested) - monthlyDurationCost(c, meanBilled, configured);
    evidence.suggestedMemoryMb = suggested;
    evidence.monthlyCostIncrease = round(extra);
    return make(
      c,
      "memory-right-sizing",
      "high",
      `near its memory limit: raise memory from ${configured} MB to ${suggested} MB`,
      `${used_}${oom > 0 ? `; ${oom} ran out of memory (Runtime.OutOfMemory)` : ""}. ${suggested} MB leaves ` +
        `${MEMORY_HEADROOM_FACTOR}× (at least +${MEMORY_HEADROOM_MIN_MB} MB) headroom above the most used.`,
      evidence,
      {
        risk:
          `Invocations that need more than ${configured} MB fail with Runtime.OutOfMemory. The larger size costs ` +
          `about ${money(c, extra)} more a month at the observed traffic (${trafficWords(c.t)}) if durations stay the same ` +
          `(they may drop: the CPU share grows with memory).`,
      },
    );
  }
  if (maxUsed > MEMORY_OVERSIZED_RATIO * configured) return undefined;
  const suggested = sizeWithHeadroom(maxUsed);
  if (configured - suggested < MEMORY_MIN_REDUCTION_MB) return undefined;
  const saving =
    monthlyDurationCost(c, meanBilled, configured) - monthlyDurationCost(c, meanBilled, suggested);
  evidence.suggestedMemoryMb = suggested;
  return make(
    c,
    "memory-right-sizing",
    savingSeverity(saving),
    `over-sized memory: lower it from ${configured} MB to ${suggested} MB`,
    `${used_}. ${suggested} MB leaves ${MEMORY_HEADROOM_FACTOR}× (at least +${MEMORY_HEADROOM_MIN_MB} MB) ` +
      `headroom above the most used. At the observed traffic (${trafficWords(c.t)}) and a mean billed duration of ${ms(meanBilled)}, ` +
      `that saves about ${money(c, saving)} a month if durations stay the same.`,
    evidence,
    {
      saving,
      risk:
        "A smaller size also gets a smaller CPU share: a CPU-bound handler may run longer, which eats into " +
        `the saving; compare durations after the change.${faster !== undefined ? ` ${faster}` : ""}`,
    },
  );
}

/** A timeout far above the p99 duration: hung invocations run (and are billed) until it. */
function timeoutRule(c: Ctx): Recommendation | undefined {
  const { ev } = c;
  const durations = ev.samples.map((s) => s.durationMs);
  if (durations.length < TIMEOUT_MIN_SAMPLES) {
    c.notes.push(
      `${ev.function}: timeout not judged: ${durations.length} invocations in the window, ` +
        `${TIMEOUT_MIN_SAMPLES} needed`,
    );
    return undefined;
  }
  const p99 = quantile(durations, 0.99) ?? 0;
  const longest = Math.max(...durations);
  const timeoutMs = ev.timeoutSeconds * 1000;
  if (!(timeoutMs > TIMEOUT_FACTOR * p99 && timeoutMs - p99 > TIMEOUT_MIN_GAP_MS)) return undefined;
  const suggested = Math.max(
    TIMEOUT_SUGGEST_MIN_SECONDS,
    Math.ceil(Math.max(p99 * TIMEOUT_SUGGEST_FACTOR, longest * TIMEOUT_SUGGEST_MAX_FACTOR) / 1000),
  );
  if (suggested >= ev.timeoutSeconds) return undefined;
  const worstNow = invocationCost(timeoutMs, ev.memorySizeMb, ev.ephemeralStorageMb, c.sheet);
  const worstThen = invocationCost(suggested * 1000, ev.memorySizeMb, ev.ephemeralStorageMb, c.sheet);
  return make(
    c,
    "timeout",
    "low",
    `timeout far above its durations: lower it from ${ev.timeoutSeconds} s to ${suggested} s`,
    `p99 duration ${ms(p99)} and longest ${ms(longest)} over ${durations.length} invocations, against a ` +
      `timeout of ${ev.timeoutSeconds} s (${p99 > 0 ? `${Math.round(timeoutMs / p99)}×` : "far above"} the p99). ` +
      `A hung invocation runs and is billed until the timeout: ${money(c, worstNow)} each now, ` +
      `${money(c, worstThen)} at ${suggested} s; a shorter timeout also frees its instance sooner.`,
    {
      timeoutSeconds: ev.timeoutSeconds,
      p99DurationMs: round(p99, 3),
      maxDurationMs: round(longest, 3),
      invocations: durations.length,
      suggestedTimeoutSeconds: suggested,
      hungInvocationCostNow: round(worstNow, 9),
      hungInvocationCostSuggested: round(worstThen, 9),
    },
    {
      risk:
        `An invocation that needs more than ${suggested} s (a slow path not seen in the window) would fail ` +
        "with Sandbox.Timedout.",
    },
  );
}

/** Provisioned instances kept ready but hardly used over the time they have been in place. */
function idleProvisioned(c: Ctx): Recommendation[] {
  const { ev } = c;
  const out: Recommendation[] = [];
  for (const p of ev.provisioned) {
    if (p.allocated <= 0) continue;
    const from = Math.max(p.sinceMs, c.nowMs - RECOMMENDATION_WINDOW_MS);
    const observed = c.nowMs - from;
    if (observed < PROVISIONED_MIN_OBSERVED_MS) {
      c.notes.push(
        `${ev.function}:${p.qualifier}: provisioned concurrency not judged: in place for ${days(observed)}, ` +
          `${days(PROVISIONED_MIN_OBSERVED_MS)} needed`,
      );
      continue;
    }
    let peak: number;
    let meanUse: number | null = null;
    if (ev.series !== undefined) {
      // Periods overlapping the time it has been in place (the first one partly: conservative).
      const periods = ev.series.filter((s) => s.startMs + HOUR_MS > from);
      peak = Math.max(0, ...periods.map((s) => s.maxConcurrency));
      meanUse = periods.length > 0 ? mean(periods.map((s) => s.maxConcurrency)) / p.allocated : 0;
    } else {
      peak = peakOverlap(ev.samples.filter((s) => s.startedAt >= from));
    }
    const use = peak / p.allocated;
    if (use > PROVISIONED_IDLE_UTILISATION) continue;
    const suggested = Math.min(peak, p.allocated);
    const perInstance =
      (p.memorySizeMb / GB_MB) * (MONTH_MS / 1000) * c.sheet.provisionedConcurrencyPerGbSecond;
    const saving = (p.allocated - suggested) * perInstance;
    const name = `${ev.function}:${p.qualifier}`;
    out.push(
      make(
        c,
        "idle-provisioned-concurrency",
        savingSeverity(saving),
        suggested === 0
          ? `idle provisioned concurrency on ${name}: remove it (${p.allocated} instances)`
          : `under-used provisioned concurrency on ${name}: lower it from ${p.allocated} to ${suggested}`,
        `${p.allocated} instances of ${p.memorySizeMb} MB have been kept ready for ${days(observed)}; the ` +
          `function's peak concurrency in that time (all versions together) was ${peak}, ${pct(use)} of them` +
          (meanUse !== null ? `, and its hourly peaks averaged ${pct(meanUse)} of them` : "") +
          `. Each kept-ready instance costs ${money(c, perInstance)} a month, busy or not.`,
        {
          qualifier: p.qualifier,
          allocated: p.allocated,
          memorySizeMb: p.memorySizeMb,
          observedDays: round(observed / 86_400_000, 2),
          peakConcurrency: peak,
          utilisation: round(use, 4),
          meanHourlyUtilisation: meanUse === null ? null : round(meanUse, 4),
          suggestedProvisioned: suggested,
          monthlyCostPerInstance: round(perInstance),
        },
        {
          saving,
          risk:
            suggested === 0
              ? `Invocations of ${name} start cold again after an idle spell.`
              : `A burst above ${suggested} concurrent invocations starts cold instances.`,
        },
      ),
    );
  }
  return out;
}

/** Many cold starts with a long init, on enough traffic: provisioned concurrency would serve them warm. */
function coldStarts(c: Ctx): Recommendation | undefined {
  const { ev, t } = c;
  if (t.requests < COLD_START_MIN_INVOCATIONS || t.coldStarts === 0) return undefined;
  const share = t.coldStarts / t.requests;
  const inits = ev.samples.flatMap((s) => (s.initDurationMs === undefined ? [] : [s.initDurationMs]));
  const initP50 = quantile(inits, 0.5);
  if (share < COLD_START_SHARE || initP50 === null || initP50 < COLD_START_MIN_INIT_MS) return undefined;
  const already = ev.provisioned.reduce((n, p) => n + p.allocated, 0);
  const n = Math.max(1, t.peakConcurrency);
  if (already >= n) return undefined;
  const add = n - already;
  const gb = ev.memorySizeMb / GB_MB;
  const fixed = add * gb * (MONTH_MS / 1000) * c.sheet.provisionedConcurrencyPerGbSecond;
  const meanBilled = mean(ev.samples.map((s) => s.billedDurationMs));
  const monthlyGbS = t.monthlyRequests * (meanBilled / 1000) * gb;
  const discount = Math.max(
    0,
    monthlyGbS * (c.sheet.durationPerGbSecond - c.sheet.provisionedDurationPerGbSecond),
  );
  const net = fixed - discount;
  const breakdown =
    `${add} × ${ev.memorySizeMb} MB kept ready (${money(c, fixed)} a month) less the lower duration price on ` +
    `provisioned instances at the observed traffic (${money(c, discount)})`;
  return make(
    c,
    "cold-starts",
    share >= 2 * COLD_START_SHARE ? "medium" : "low",
    `${pct(share)} of invocations start cold: provision ${n} instance${n === 1 ? "" : "s"}`,
    `${t.coldStarts} of ${t.requests} invocations started cold (${pct(share)}), with a median init of ` +
      `${ms(initP50)} (longest ${ms(Math.max(...inits))}); the peak concurrency was ${t.peakConcurrency}. ` +
      `Provisioned concurrency of ${n} on a published version or alias that callers use keeps that many ` +
      "instances initialised.",
    {
      invocations: t.requests,
      coldStarts: t.coldStarts,
      coldStartShare: round(share, 4),
      p50InitDurationMs: round(initP50, 3),
      peakConcurrency: t.peakConcurrency,
      provisionedNow: already,
      suggestedProvisioned: n,
      monthlyProvisionedCost: round(fixed),
      monthlyDurationDiscount: round(discount),
      monthlyNetCost: round(net),
    },
    net < 0
      ? { saving: -net, risk: `Pays for itself: ${breakdown}. Bursts above ${n} still start cold.` }
      : {
          risk: `Costs about ${money(c, net)} more a month: ${breakdown}. Bursts above ${n} still start cold.`,
        },
  );
}

/** A high share of failed invocations: a finding (failures are billed too), no saving. */
function errorRate(c: Ctx): Recommendation | undefined {
  const { ev, t } = c;
  if (t.requests < ERROR_MIN_INVOCATIONS) return undefined;
  const rate = t.errors / t.requests;
  if (rate < ERROR_RATE) return undefined;
  const failed = ev.samples.filter((s) => !s.ok);
  const types = new Map<string, number>();
  for (const s of failed) types.set(s.errorType ?? "unknown", (types.get(s.errorType ?? "unknown") ?? 0) + 1);
  const top = [...types].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3);
  const perFailure = invocationCost(
    mean(failed.map((s) => s.billedDurationMs)),
    ev.memorySizeMb,
    ev.ephemeralStorageMb,
    c.sheet,
  );
  const monthlyFailures = rate * t.monthlyRequests;
  const wasted = failed.length > 0 ? monthlyFailures * perFailure : 0;
  return make(
    c,
    "error-rate",
    rate >= ERROR_RATE_HIGH ? "high" : "medium",
    `${pct(rate)} of invocations fail`,
    `${t.errors} of ${t.requests} invocations failed` +
      (top.length > 0 ? `; most common: ${top.map(([k, v]) => `${k} (${v})`).join(", ")}` : "") +
      `. Failed invocations are billed like successful ones: about ${money(c, wasted)} a month at ` +
      `the observed traffic (${trafficWords(t)}). ` +
      `See \`vajra logs ${ev.function} --errors\`.`,
    {
      invocations: t.requests,
      errors: t.errors,
      errorRate: round(rate, 4),
      errorTypes: Object.fromEntries(top),
      monthlyCostOfFailures: round(wasted),
    },
  );
}

const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };

/**
 * Recommendations for each function's evidence at `sheet`'s prices, most severe first (then the
 * largest saving). Functions with too little evidence get notes instead of guesses.
 */
export function recommend(
  evidence: readonly FunctionEvidence[],
  sheet: PriceSheet,
  nowMs: number,
): RecommendOutcome {
  const recs: Recommendation[] = [];
  const notes: string[] = [];
  for (const ev of evidence) {
    const c: Ctx = { ev, sheet, nowMs, t: traffic(ev, nowMs), notes };
    if (ev.samples.length === 0 && c.t.requests === 0) {
      // Nothing ran: only kept-ready instances can be judged (and they are the waste).
      notes.push(`${ev.function}: no invocations in the window`);
      recs.push(...idleProvisioned(c));
      continue;
    }
    const { rec: comparison, faster } = memorySizeComparison(c);
    const found = [
      memoryRightSizing(c, faster),
      comparison,
      timeoutRule(c),
      ...idleProvisioned(c),
      coldStarts(c),
      errorRate(c),
    ];
    for (const r of found) if (r !== undefined) recs.push(r);
  }
  recs.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (b.estimatedMonthlySaving ?? 0) - (a.estimatedMonthlySaving ?? 0) ||
      a.function.localeCompare(b.function) ||
      a.kind.localeCompare(b.kind),
  );
  return { recommendations: recs, notes };
}
