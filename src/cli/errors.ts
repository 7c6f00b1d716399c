// Errors the CLI reports to the user. Each carries the process exit code, so the one catch in main.ts
// can turn any failure into `error: <message> (<code>)` on stderr and the right exit status.

/** 0 ok, 1 any failure (API error, function error), 2 bad usage (the command line itself is wrong). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  readonly exitCode: number;
  /** A machine-readable code: the server's error code, or a CLI-side one such as `ServerUnreachable`. */
  readonly code: string | undefined;

  constructor(message: string, options: { code?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliError";
    this.code = options.code;
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
  }
}

/** The command line is wrong (bad option value, missing file, undetectable handler): exit 2. */
export class UsageError extends CliError {
  constructor(message: string, code = "InvalidUsage") {
    super(message, { code, exitCode: EXIT_USAGE });
    this.name = "UsageError";
  }
}

/** The server answered with a JSON error (`{"error":{"code","message"}}`) and a 4xx/5xx status. */
export class ApiError extends CliError {
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(message, { code });
    this.name = "ApiError";
    this.status = status;
  }
}
