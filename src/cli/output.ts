// Everything the CLI prints goes through here: a tiny ANSI color helper, a table and key/value
// formatter, and the rule that --json puts exactly one JSON document on stdout and nothing else.

export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface Colors {
  readonly enabled: boolean;
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
}

/** Colors only on a terminal, never when NO_COLOR is set (https://no-color.org), never in --json mode. */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, json: boolean): boolean {
  if (json) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return stream.isTTY === true;
}

export function createColors(enabled: boolean): Colors {
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

// eslint-disable-next-line no-control-regex -- matching the ANSI escape introducer is the point
const ANSI_PATTERN = /\u001b\[[0-9;]*m/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI_PATTERN, "");
}

/** Width of a string as the terminal shows it: escape codes take no room; code points, not UTF-16 units. */
export function visibleWidth(s: string): number {
  return [...stripAnsi(s)].length;
}

function pad(s: string, width: number, align: "left" | "right"): string {
  const fill = " ".repeat(Math.max(0, width - visibleWidth(s)));
  return align === "right" ? fill + s : s + fill;
}

export interface TableOptions {
  /** Per-column alignment; numbers read best right-aligned. Defaults to left. */
  align?: Array<"left" | "right">;
  /** Styles the header row (e.g. bold); the default leaves it plain. */
  styleHeader?: (s: string) => string;
}

/** Formats rows under a header as space-separated aligned columns; the last column is never padded. */
export function formatTable(headers: string[], rows: string[][], options: TableOptions = {}): string {
  const widths = headers.map((h, i) =>
    Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ""))),
  );
  const line = (cells: string[], style: (s: string) => string = (s) => s) =>
    headers
      .map((_, i) => {
        const cell = style(cells[i] ?? "");
        return i === headers.length - 1 ? cell : pad(cell, widths[i] ?? 0, options.align?.[i] ?? "left");
      })
      .join("  ")
      .trimEnd();
  return [line(headers, options.styleHeader), ...rows.map((r) => line(r))].join("\n");
}

/** Formats `key  value` lines with the values aligned. */
export function formatKeyValues(
  pairs: Array<[string, string]>,
  styleKey: (s: string) => string = (s) => s,
): string {
  const width = Math.max(0, ...pairs.map(([k]) => visibleWidth(k)));
  return pairs.map(([k, v]) => `${styleKey(pad(k, width, "left"))}  ${v}`.trimEnd()).join("\n");
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "-";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Milliseconds with a precision that suits their size (0.42, 12.3, 1534); whole numbers (billed) as is. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "-";
  if (Number.isInteger(ms)) return String(ms);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

/** An ISO timestamp as `YYYY-MM-DD HH:MM:SS` UTC, which lines up in tables. */
export function formatTimestamp(iso: string | undefined): string {
  if (iso === undefined) return "-";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().slice(0, 19).replace("T", " ");
}

/** Where a command sends its results (stdout) and its commentary (stderr). */
export class Output {
  readonly json: boolean;
  /** Colors for text written to stdout. */
  readonly colors: Colors;
  /** Colors for text written to stderr (which may be a terminal while stdout is piped). */
  readonly errColors: Colors;
  private readonly stdout: Writer;
  private readonly stderr: Writer;

  constructor(options: { stdout: Writer; stderr: Writer; env: NodeJS.ProcessEnv; json: boolean }) {
    this.json = options.json;
    this.stdout = options.stdout;
    this.stderr = options.stderr;
    this.colors = createColors(shouldColor(options.stdout, options.env, options.json));
    this.errColors = createColors(shouldColor(options.stderr, options.env, options.json));
  }

  get stdoutIsTTY(): boolean {
    return this.stdout.isTTY === true;
  }

  /** The one machine-readable result of a command in --json mode. */
  printJson(value: unknown): void {
    this.stdout.write(JSON.stringify(value, null, 2) + "\n");
  }

  /** A human-readable result line (stdout). */
  print(text: string): void {
    this.stdout.write(text.endsWith("\n") ? text : text + "\n");
  }

  /** Raw bytes of a result, e.g. a function's response, written exactly. */
  printRaw(text: string): void {
    this.stdout.write(text);
  }

  /** Commentary: progress, what was detected, hints. Goes to stderr so stdout stays pipeable. */
  note(text: string): void {
    this.stderr.write(text.endsWith("\n") ? text : text + "\n");
  }

  warn(text: string): void {
    this.note(`${this.errColors.yellow("warning:")} ${text}`);
  }

  error(message: string, code?: string): void {
    const suffix = code === undefined ? "" : ` ${this.errColors.dim(`(${code})`)}`;
    this.note(`${this.errColors.red("error:")} ${message}${suffix}`);
  }
}

/** Money: two decimals, or two significant digits below a cent (Lambda prices are fractions of one); "-" when absent. */
export function formatMoney(amount: number | undefined, currency: string): string {
  if (amount === undefined) return "-";
  const text = Math.abs(amount) >= 0.01 || amount === 0 ? amount.toFixed(2) : amount.toPrecision(2);
  return `${text} ${currency}`;
}
