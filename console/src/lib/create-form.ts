// The create-function form's state and checks: what is missing or malformed is caught before sending
// (name, runtime, handler, whole numbers, variable names); ranges and the rest are the server's to judge,
// and its message is shown beside the field it names.
import type { RuntimeInfo } from "./api.ts";
import { checkConfigForm, fieldOf, type EnvRow, type FieldErrors } from "./validate.ts";
import type { FunctionConfig } from "../../../src/core/types.ts";

export interface CreateForm {
  name: string;
  runtime: string;
  handler: string;
  /** True once the user typed a handler: a runtime change then leaves it alone. */
  handlerEdited: boolean;
  memorySize: string;
  timeout: string;
  env: EnvRow[];
  /** Where the code comes from. */
  source: "zip" | "folder";
}

export type CreateField = "name" | "runtime" | "handler" | "code" | keyof FieldErrors;
export type CreateErrors = Partial<Record<CreateField, string>>;

/** What the form sends: the fields of a function's configuration it edits. */
export type CreateValues = Pick<
  FunctionConfig,
  "name" | "runtime" | "handler" | "memorySize" | "timeout" | "environment"
>;

// Lambda's rule for a function name (the native API's too).
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** The usual handler of a runtime's family: what `vajra init` and the AWS console start from. */
export function defaultHandler(runtime: RuntimeInfo | undefined): string {
  switch (runtime?.family) {
    case "python":
      return "app.handler";
    case "nodejs":
      return "index.handler";
    case "java":
      return "example.Handler::handleRequest";
    case "dotnet":
      return "Function::Function.Handler::FunctionHandler";
    default:
      // Go, Rust and provided.*: the executable is `bootstrap`; the handler is informational.
      return "bootstrap";
  }
}

/** The first runtime that can run here, preferring Python then Node.js (the quickest to try). */
export function initialRuntime(runtimes: readonly RuntimeInfo[]): RuntimeInfo | undefined {
  const ok = runtimes.filter((r) => r.available && r.deprecated !== true);
  return ok.find((r) => r.family === "python") ?? ok.find((r) => r.family === "nodejs") ?? ok[0];
}

export function emptyCreateForm(runtime: RuntimeInfo | undefined): CreateForm {
  return {
    name: "",
    runtime: runtime?.id ?? "",
    handler: defaultHandler(runtime),
    handlerEdited: false,
    memorySize: "128",
    timeout: "3",
    env: [],
    source: "folder",
  };
}

/** A runtime chosen: the handler follows it unless the user typed one. */
export function withRuntime(form: CreateForm, runtime: RuntimeInfo | undefined): CreateForm {
  return {
    ...form,
    runtime: runtime?.id ?? "",
    handler: form.handlerEdited ? form.handler : defaultHandler(runtime),
  };
}

export function checkCreateForm(
  form: CreateForm,
  runtimes: readonly RuntimeInfo[],
  hasCode: boolean,
): { values: CreateValues } | { errors: CreateErrors } {
  const errors: CreateErrors = {};
  const name = form.name.trim();
  if (name === "") errors.name = "Name is required.";
  else if (!NAME.test(name))
    errors.name = `'${name}' is not a valid function name: 1 to 64 letters, digits, - or _.`;
  const runtime = runtimes.find((r) => r.id === form.runtime);
  if (form.runtime === "") errors.runtime = "Choose a runtime.";
  else if (runtime !== undefined && !runtime.available)
    errors.runtime = `${runtime.id} is not available on this server: ${runtime.reason ?? "unknown reason"}.`;
  const handler = form.handler.trim();
  if (handler === "") errors.handler = "Handler is required.";
  if (!hasCode)
    errors.code =
      form.source === "zip" ? "Choose a .zip file with the code." : "Choose a folder with the code.";
  const rest = checkConfigForm(form);
  if ("errors" in rest) Object.assign(errors, rest.errors);
  if (Object.keys(errors).length > 0 || "errors" in rest) return { errors };
  return { values: { name, runtime: form.runtime, handler, ...rest.values } };
}

/** Where a server error about `field` belongs on the create form. */
export function createFieldOf(field: string | undefined): CreateField | undefined {
  if (field === undefined) return undefined;
  const f = field.toLowerCase();
  if (f === "name" || f === "functionname") return "name";
  if (f === "runtime") return "runtime";
  if (f === "handler") return "handler";
  if (f === "zipfile" || f === "code") return "code";
  return fieldOf(field);
}
