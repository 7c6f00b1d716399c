// The one error catalog of the platform. Every failure that crosses a layer is a VajraError whose
// `code` comes from this closed list; the API edge chooses HTTP status and AWS error type from it.

export const ERROR_CODES = {
  InvalidParameter: { userError: true, summary: "A request field is missing, malformed or out of range." },
  ValidationFailed: {
    userError: true,
    summary:
      "A Lambda API request breaks a constraint of the AWS model (required, length, range, pattern, enum).",
  },
  SerializationFailed: {
    userError: true,
    summary: "A Lambda API request body member has the wrong JSON type for its shape in the AWS model.",
  },
  UnknownRuntime: { userError: true, summary: "The runtime identifier is not one Vajra knows." },
  RuntimeUnavailable: {
    userError: true,
    summary: "The runtime is known but its interpreter or toolchain is not installed on this host.",
  },
  InvalidCodePackage: {
    userError: true,
    summary:
      "The code package is not a valid zip, or holds an unsafe entry (absolute path, `..`, escaping symlink).",
  },
  CodePackageTooLarge: {
    userError: true,
    summary: "The code package exceeds 50 MB zipped or 250 MB unzipped.",
  },
  BuildFailed: {
    userError: true,
    summary:
      "The package's build (compiling sources or installing dependencies) failed; the message holds its log.",
  },
  HandlerNotFound: {
    userError: true,
    summary: "The handler's module file is not in the code package.",
  },
  FunctionNotFound: { userError: true, summary: "No function with that name exists." },
  AlreadyExists: {
    userError: true,
    summary: "A create-only request named a function, alias, schedule or HTTP route that already exists.",
  },
  PreconditionFailed: {
    userError: true,
    summary: "The request passed a RevisionId that is no longer the function's current one.",
  },
  UnsupportedOperation: {
    userError: true,
    summary: "The operation or option is not implemented by Vajra (yet).",
  },
  PayloadTooLarge: { userError: true, summary: "The invocation payload exceeds 6 MB." },
  RequestTooLarge: { userError: true, summary: "The request body exceeds the server's limit." },
  TooManyRequests: {
    userError: true,
    summary: "A concurrency limit (the function's reserved concurrency or the account limit) is reached.",
  },
  Unauthorized: { userError: true, summary: "The request carries no valid API key." },
  AccessDenied: {
    userError: true,
    summary: "The caller's account may not perform the action: no resource policy statement allows it.",
  },
  BudgetNotFound: { userError: true, summary: "No budget with that name exists in the region." },
  BudgetExceeded: {
    userError: true,
    summary:
      "An enforced budget of the function (or of all functions) has reached 100 % of its monthly amount: invocations are throttled until the month ends or the budget is raised.",
  },
  ScheduleNotFound: { userError: true, summary: "No schedule with that name exists (in the default group)." },
  StorageTriggerNotFound: {
    userError: true,
    summary: "No storage trigger (directory or S3 webhook) with that name exists.",
  },
  NotFound: { userError: true, summary: "No such route." },
  RouteNotFound: {
    userError: true,
    summary: "No HTTP route (`vajra route`) with that id or route key exists.",
  },
  NetworkNotFound: { userError: true, summary: "No named network with that name exists." },
  NetworkInUse: {
    userError: true,
    summary: "The network cannot be deleted: functions (or their published versions) still join it.",
  },
  ShuttingDown: { userError: false, summary: "The server is shutting down and accepts no new invocations." },
  SandboxUnavailable: {
    userError: false,
    summary: "The sandbox could not be started (bubblewrap failed or the host refused a resource).",
  },
  Internal: { userError: false, summary: "An unexpected failure inside Vajra." },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface VajraErrorOptions {
  cause?: unknown;
  /** Extra machine-readable facts (e.g. the limit that was hit). */
  details?: Record<string, unknown>;
}

export class VajraError extends Error {
  readonly code: ErrorCode;
  readonly userError: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: VajraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "VajraError";
    this.code = code;
    this.userError = ERROR_CODES[code].userError;
    this.details = options.details;
  }
}

export function isVajraError(err: unknown): err is VajraError {
  return err instanceof VajraError;
}

/** Shorthand for the most common user error: a bad field, named in the message. */
export function invalid(message: string, details?: Record<string, unknown>): VajraError {
  return new VajraError("InvalidParameter", message, details === undefined ? {} : { details });
}
