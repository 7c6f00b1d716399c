// The console's client of the native REST API, the same API the CLI uses (no private back door). The
// response shapes come from the CLI's src/cli/api-types.ts as types only, so console and server cannot
// drift apart unnoticed (the console's typecheck reads that file). The key travels in the
// Authorization header, never in a URL.

import type {
  AliasRequest,
  AliasView,
  BuildLog,
  DeployRequest,
  FunctionConfig,
  FunctionDetails,
  Health,
  InvokeConfigView,
  LayerView,
  NetworkSummary,
  RuntimeInfo,
  VersionView,
} from "../../../src/cli/api-types.ts";
import type { MetricPoint, MetricSeries } from "../../../src/core/metric-series.ts";
import type { CheckStatus, DoctorReport } from "../../../src/core/host-checks.ts";
import type { Recommendation, RecommendationReport } from "../../../src/core/recommend-model.ts";
import type { CostLine, CostReport } from "../../../src/core/billing.ts";
import type { BudgetView } from "../../../src/core/budget.ts";

export type { MetricPoint, MetricSeries, Recommendation, RecommendationReport };
export type { CheckStatus, DoctorReport };
export type { AliasView, BuildLog, FunctionConfig, FunctionDetails, Health, RuntimeInfo, VersionView };
export type { InvokeConfigView, LayerView, NetworkSummary };
export type { BudgetView, CostLine, CostReport };

/** An error from the API (its code and message), or from reaching it (ServerUnreachable). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field the server named, to show the message beside its input. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** One log event of `GET /functions/{name}/logs?events=1` (and of the follow stream). */
export interface LogEvent {
  id: number;
  timestamp: number;
  time: string;
  stream: string;
  version: string;
  requestId: string | null;
  error: boolean;
  message: string;
}

export interface LogQuery {
  filter?: string;
  requestId?: string;
  errors?: boolean;
  since?: string;
  limit?: number;
}

export interface InvokeResult {
  ok: boolean;
  body: string;
  requestId: string;
  version: string;
  durationMs: number;
  billedDurationMs: number;
  initDurationMs?: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  logTail: string;
}

/** An entry of `GET /api-keys`; `secret` only in the answer of a create. */
export interface ApiKeyView {
  id: string;
  name: string;
  createdAt: string;
  expiresAt?: string;
  secret?: string;
}

const fnPath = (name: string, rest = ""): string => `/functions/${encodeURIComponent(name)}${rest}`;

/** Reads `{ "error": { "code", "message", "details": { "field" } } }`, or says what came instead. */
export async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  try {
    const parsed = JSON.parse(text) as {
      error?: { code?: unknown; message?: unknown; details?: { field?: unknown } };
    };
    const e = parsed.error;
    if (e !== undefined && typeof e.code === "string" && typeof e.message === "string")
      return new ApiError(
        res.status,
        e.code,
        e.message,
        typeof e.details?.field === "string" ? e.details.field : undefined,
      );
  } catch {
    // not JSON: described below
  }
  return new ApiError(
    res.status,
    `HTTP${res.status}`,
    `the server answered HTTP ${res.status} ${res.statusText}`.trim(),
  );
}

export function logQueryString(q: LogQuery, follow = false): string {
  const p = new URLSearchParams({ events: "1" });
  if (q.filter) p.set("filter", q.filter);
  if (q.requestId) p.set("requestId", q.requestId);
  if (q.errors) p.set("errors", "1");
  if (q.since) p.set("since", q.since);
  if (q.limit !== undefined) p.set("limit", String(q.limit));
  if (follow) p.set("follow", "1");
  return p.toString();
}

/** Decodes the base64 log tail of an invocation (UTF-8). */
export function decodeLogTail(b64: string | null): string {
  if (b64 === null || b64 === "") return "";
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export class Api {
  constructor(
    private readonly key: string,
    /** Called when the server refuses the key (revoked, expired, wrong), before the error is thrown. */
    private readonly onUnauthorized: (e: ApiError) => void = () => {},
    private readonly base = "",
  ) {}

  /** Sends a request; a network failure becomes ServerUnreachable, a 401 also calls onUnauthorized. */
  async send(
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: { accept: "application/json", authorization: `Bearer ${this.key}`, ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
        cache: "no-store",
      });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw new ApiError(
        0,
        "ServerUnreachable",
        "cannot reach the Vajra server: it may have stopped, or the network is down",
      );
    }
    if (!res.ok) {
      const e = await errorOf(res);
      if (res.status === 401) {
        const refused = new ApiError(
          401,
          e.code,
          "the server refused this API key: it was revoked, has expired or is wrong. Sign in with a valid key.",
        );
        this.onUnauthorized(refused);
        throw refused;
      }
      throw e;
    }
    return res;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(
      method,
      path,
      body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } },
    );
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  health(): Promise<Health> {
    return this.json<Health>("GET", "/health");
  }

  /** The server host's sandbox and runtime checks, as `vajra doctor` reports them. */
  doctor(): Promise<DoctorReport> {
    return this.json<DoctorReport>("GET", "/doctor");
  }

  async runtimes(): Promise<RuntimeInfo[]> {
    return (await this.json<{ runtimes: RuntimeInfo[] }>("GET", "/runtimes")).runtimes;
  }

  async apiKeys(): Promise<ApiKeyView[]> {
    return (await this.json<{ apiKeys: ApiKeyView[] }>("GET", "/api-keys")).apiKeys;
  }

  createApiKey(name: string, expiresInDays?: number): Promise<ApiKeyView> {
    return this.json<ApiKeyView>("POST", "/api-keys", {
      name,
      ...(expiresInDays === undefined ? {} : { expiresInDays }),
    });
  }

  revokeApiKey(id: string): Promise<void> {
    return this.json<undefined>("DELETE", `/api-keys/${encodeURIComponent(id)}`);
  }

  async listFunctions(): Promise<FunctionConfig[]> {
    return (await this.json<{ functions: FunctionConfig[] }>("GET", "/functions")).functions;
  }

  getFunction(name: string): Promise<FunctionDetails> {
    return this.json<FunctionDetails>("GET", fnPath(name));
  }

  /** A deploy; mode "create" refuses a name in use (409 AlreadyExists) instead of updating it. */
  deploy(req: DeployRequest, mode?: "create"): Promise<FunctionConfig> {
    return this.json<FunctionConfig>(
      "POST",
      mode === undefined ? "/functions" : `/functions?mode=${mode}`,
      req,
    );
  }

  buildLog(name: string): Promise<BuildLog> {
    return this.json<BuildLog>("GET", fnPath(name, "/build-log"));
  }

  metrics(name: string, q: { since?: string; period?: string } = {}): Promise<MetricSeries> {
    const p = new URLSearchParams();
    if (q.since !== undefined) p.set("since", q.since);
    if (q.period !== undefined) p.set("period", q.period);
    const qs = p.toString();
    return this.json<MetricSeries>("GET", fnPath(name, `/metrics${qs === "" ? "" : `?${qs}`}`));
  }

  /** The cost recommendations for one function (`GET /recommendations?function=NAME`). */
  recommendations(name: string): Promise<RecommendationReport> {
    return this.json<RecommendationReport>("GET", `/recommendations?function=${encodeURIComponent(name)}`);
  }

  async invoke(name: string, payload: string, qualifier?: string): Promise<InvokeResult> {
    const qs =
      qualifier === undefined || qualifier === "" ? "" : `?qualifier=${encodeURIComponent(qualifier)}`;
    const res = await this.send("POST", fnPath(name, `/invoke${qs}`), {
      body: payload,
      headers: { "content-type": "application/json", "x-vajra-log-type": "Tail" },
    });
    const h = (n: string): string => res.headers.get(n) ?? "";
    const init = res.headers.get("x-vajra-init-duration-ms");
    return {
      ok: res.headers.get("x-vajra-function-error") === null,
      body: await res.text(),
      requestId: h("x-vajra-request-id"),
      version: h("x-vajra-executed-version"),
      durationMs: Number(h("x-vajra-duration-ms")),
      billedDurationMs: Number(h("x-vajra-billed-duration-ms")),
      ...(init === null ? {} : { initDurationMs: Number(init) }),
      memorySizeMb: Number(h("x-vajra-memory-size-mb")),
      maxMemoryUsedMb: Number(h("x-vajra-max-memory-used-mb")),
      logTail: decodeLogTail(res.headers.get("x-vajra-log-result")),
    };
  }

  async searchLogs(name: string, q: LogQuery): Promise<{ events: LogEvent[]; nextToken?: string }> {
    return this.json("GET", fnPath(name, `/logs?${logQueryString(q)}`));
  }

  /** Opens the live log stream (server-sent events read through fetch, so the key stays in a header). */
  followLogs(name: string, q: LogQuery, signal: AbortSignal): Promise<Response> {
    return this.send("GET", fnPath(name, `/logs?${logQueryString(q, true)}`), {
      headers: { accept: "text/event-stream" },
      signal,
    });
  }

  async versions(name: string): Promise<VersionView[]> {
    return (await this.json<{ versions: VersionView[] }>("GET", fnPath(name, "/versions"))).versions;
  }

  publish(name: string, description: string): Promise<VersionView> {
    return this.json<VersionView>(
      "POST",
      fnPath(name, "/versions"),
      description === "" ? {} : { description },
    );
  }

  async aliases(name: string): Promise<AliasView[]> {
    return (await this.json<{ aliases: AliasView[] }>("GET", fnPath(name, "/aliases"))).aliases;
  }

  createAlias(name: string, req: AliasRequest): Promise<AliasView> {
    return this.json<AliasView>("POST", fnPath(name, "/aliases"), req);
  }

  updateAlias(name: string, alias: string, req: AliasRequest): Promise<AliasView> {
    return this.json<AliasView>("PUT", fnPath(name, `/aliases/${encodeURIComponent(alias)}`), req);
  }

  // Configuration settings beyond a deploy (console-a): layers, tags, networks, destinations.

  async layers(): Promise<LayerView[]> {
    return (await this.json<{ layers: LayerView[] }>("GET", "/layers")).layers;
  }

  async networks(): Promise<NetworkSummary[]> {
    return (await this.json<{ networks: NetworkSummary[] }>("GET", "/networks")).networks;
  }

  async tags(name: string): Promise<Record<string, string>> {
    return (await this.json<{ tags: Record<string, string> }>("GET", fnPath(name, "/tags"))).tags;
  }

  /** Replaces the function's whole set of tags. */
  async putTags(name: string, tags: Record<string, string>): Promise<Record<string, string>> {
    return (await this.json<{ tags: Record<string, string> }>("PUT", fnPath(name, "/tags"), { tags })).tags;
  }

  invokeConfig(name: string): Promise<InvokeConfigView> {
    return this.json<InvokeConfigView>("GET", fnPath(name, "/event-invoke-config"));
  }

  putInvokeConfig(
    name: string,
    config: Omit<InvokeConfigView, "configured" | "lastModified">,
  ): Promise<InvokeConfigView> {
    return this.json<InvokeConfigView>("PUT", fnPath(name, "/event-invoke-config"), config);
  }

  deleteInvokeConfig(name: string): Promise<void> {
    return this.json<undefined>("DELETE", fnPath(name, "/event-invoke-config"));
  }

  // Cost and budgets (the Cost page).

  /** `GET /cost?QUERY` (the query from lib/cost.ts's costQuery). */
  costReport(query: string): Promise<CostReport> {
    return this.json<CostReport>("GET", `/cost?${query}`);
  }

  /** The same report as CSV, with the file name the server gives it. */
  async costCsv(query: string): Promise<{ text: string; disposition: string | null }> {
    const res = await this.send("GET", `/cost?${query}&format=csv`, { headers: { accept: "text/csv" } });
    return { text: await res.text(), disposition: res.headers.get("content-disposition") };
  }

  async budgets(): Promise<BudgetView[]> {
    return (await this.json<{ budgets: BudgetView[] }>("GET", "/budgets")).budgets;
  }

  createBudget(body: object): Promise<BudgetView> {
    return this.json<BudgetView>("POST", "/budgets", body);
  }

  updateBudget(name: string, body: object): Promise<BudgetView> {
    return this.json<BudgetView>("PATCH", `/budgets/${encodeURIComponent(name)}`, body);
  }

  deleteBudget(name: string): Promise<void> {
    return this.json<undefined>("DELETE", `/budgets/${encodeURIComponent(name)}`);
  }
}
