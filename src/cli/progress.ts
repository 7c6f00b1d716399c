// Progress of a long server-side step (a build, a runtime install) on the CLI: its log lines go to
// stderr as they arrive, and on a terminal a one-line spinner with the elapsed time sits below them.
// Without a terminal (CI, pipes) the log is written plainly and there is no spinner.

import type { ApiClient, ApiResponse } from "./client.js";
import type { CommandContext } from "./context.js";
import type { Writer } from "./output.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private readonly started = Date.now();
  private shown = false;
  private atLineStart = true;

  constructor(
    private readonly stderr: Writer,
    private readonly label: string,
    private readonly dim: (s: string) => string,
  ) {
    if (stderr.isTTY === true) {
      this.timer = setInterval(() => this.draw(), 100);
      this.timer.unref();
    }
  }

  private clear(): void {
    if (this.shown) this.stderr.write("\r\x1b[2K");
    this.shown = false;
  }

  private draw(): void {
    if (!this.atLineStart) return;
    const secs = ((Date.now() - this.started) / 1000).toFixed(0);
    this.clear();
    this.stderr.write(`${FRAMES[this.frame++ % FRAMES.length] ?? ""} ${this.label} ${secs}s`);
    this.shown = true;
  }

  /** Writes log text (as received, possibly partial lines) above the spinner. */
  log(text: string): void {
    this.clear();
    this.stderr.write(this.timer === undefined ? text : this.dim(text));
    this.atLineStart = text.endsWith("\n");
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.clear();
    if (!this.atLineStart) this.stderr.write("\n");
  }
}

/** Sends a request whose server-side work streams its log (see ApiClient.streamed), showing progress. */
export async function withProgress(
  ctx: CommandContext,
  client: ApiClient,
  label: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  const progress = new Progress(ctx.io.stderr, label, ctx.out.errColors.dim);
  try {
    return await client.streamed(method, path, body, (text) => progress.log(text));
  } finally {
    progress.stop();
  }
}
