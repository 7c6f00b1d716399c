// HTTP client of the native REST API: adds the bearer key, turns JSON errors into ApiError and an
// unreachable server into one clear sentence. It uses node:http rather than fetch because fetch gives up
// waiting for response headers after 300 s, and a synchronous invoke may legitimately run
// for as long as the function's timeout (up to an hour).

import http from "node:http";
import https from "node:https";
import { ApiError, CliError } from "./errors.js";

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  /** A Buffer/string is sent as-is (invoke payloads stay raw bytes); anything else is sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Called with each chunk of the response body as it arrives (the whole body is still returned). */
  onChunk?: (chunk: Buffer) => void;
}

export interface ApiClientOptions {
  endpoint: string;
  apiKey: string | undefined;
  /** Where the key was looked for, to make a 401 actionable. */
  keyHint: string;
}

/** Errors from the socket layer that mean "nobody answers at that address". */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ECONNRESET",
  "ETIMEDOUT",
]);

export class ApiClient {
  readonly endpoint: string;
  private readonly apiKey: string | undefined;
  private readonly keyHint: string;

  constructor(options: ApiClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.keyHint = options.keyHint;
  }

  /** Sends a request and returns the raw response, whatever its status. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    let url: URL;
    try {
      url = new URL(this.endpoint + path);
    } catch {
      throw new CliError(`invalid endpoint URL: ${this.endpoint}`, { code: "InvalidEndpoint", exitCode: 2 });
    }
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    let payload: Buffer | undefined;
    if (Buffer.isBuffer(options.body)) payload = options.body;
    else if (typeof options.body === "string") payload = Buffer.from(options.body);
    else if (options.body !== undefined) {
      payload = Buffer.from(JSON.stringify(options.body));
      headers["content-type"] = "application/json";
    }
    if (payload !== undefined) {
      headers["content-type"] ??= "application/json";
      headers["content-length"] = String(payload.length);
    }
    try {
      return await send(url, method, headers, payload, options.onChunk);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== undefined && UNREACHABLE_CODES.has(code)) {
        throw new CliError(
          `cannot reach the Vajra server at ${this.endpoint}: is \`vajra server\` running?`,
          {
            code: "ServerUnreachable",
            cause: err,
          },
        );
      }
      throw new CliError(`request to ${this.endpoint} failed: ${(err as Error).message}`, {
        code: code ?? "RequestFailed",
        cause: err,
      });
    }
  }

  /**
   * Sends a request asking for a progress stream (NDJSON, see the server's api/stream.ts): each log
   * line goes to `onLog` as it arrives, and the final result comes back as an ordinary response (its
   * real status and JSON body). A server that answers without streaming is returned as it is.
   */
  async streamed(
    method: string,
    path: string,
    body: unknown,
    onLog: (text: string) => void,
  ): Promise<ApiResponse> {
    let pending = "";
    let result: ApiResponse | undefined;
    const take = (line: string): void => {
      if (line.trim() === "") return;
      let msg: { type?: string; text?: unknown; status?: unknown; body?: unknown };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        return;
      }
      if (msg.type === "log" && typeof msg.text === "string") onLog(msg.text);
      else if (msg.type === "result" && typeof msg.status === "number")
        result = { status: msg.status, headers: {}, body: Buffer.from(JSON.stringify(msg.body ?? null)) };
    };
    let streaming = false;
    const res = await this.request(method, path, {
      body,
      headers: { accept: "application/x-ndjson" },
      onChunk: (chunk) => {
        streaming = true;
        pending += chunk.toString("utf8");
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const l of lines) take(l);
      },
    });
    if (!String(res.headers["content-type"] ?? "").includes("ndjson")) return res;
    if (streaming) take(pending);
    if (result === undefined)
      throw new CliError("the server's progress stream ended without a result", { code: "BadResponse" });
    return result;
  }

  /** Sends a request and parses a JSON answer; a 4xx/5xx becomes an ApiError. 204 yields undefined. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.jsonResponse<T>(method, path, body)).body;
  }

  /** Like `json`, with the status too, for answers whose status carries meaning (201 versus 200). */
  async jsonResponse<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await this.request(method, path, body === undefined ? {} : { body });
    this.throwIfError(res);
    if (res.status === 204 || res.body.length === 0) return { status: res.status, body: undefined as T };
    try {
      return { status: res.status, body: JSON.parse(res.body.toString("utf8")) as T };
    } catch {
      throw new CliError(`the server sent a response that is not JSON (HTTP ${res.status})`, {
        code: "BadResponse",
      });
    }
  }

  /** Throws an ApiError when the response is an HTTP error. */
  throwIfError(res: ApiResponse): void {
    if (res.status < 400) return;
    const { code, message } = parseErrorBody(res);
    if (res.status === 401) {
      // The server's message cannot know where this CLI looked for the key; say it instead.
      const why =
        this.apiKey === undefined
          ? `no API key found (${this.keyHint}); set VAJRA_API_KEY or point --data-dir at the server's data directory`
          : `the server rejected the API key (${this.keyHint})`;
      throw new ApiError(res.status, code, why);
    }
    throw new ApiError(res.status, code, message);
  }
}

function parseErrorBody(res: ApiResponse): { code: string; message: string } {
  const fallback = { code: `HTTP${res.status}`, message: `the server answered HTTP ${res.status}` };
  try {
    const parsed = JSON.parse(res.body.toString("utf8")) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof parsed.error?.code === "string" ? parsed.error.code : fallback.code;
    const message = typeof parsed.error?.message === "string" ? parsed.error.message : fallback.message;
    return { code, message };
  } catch {
    return fallback;
  }
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  payload: Buffer | undefined,
  onChunk?: (chunk: Buffer) => void,
): Promise<ApiResponse> {
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        onChunk?.(chunk);
      });
      res.on("error", reject);
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** Reads a single-valued response header (node lower-cases names). */
export function header(res: ApiResponse, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
