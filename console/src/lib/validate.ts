// The configuration form's own checks: it catches what is not a number or not a variable name before
// sending; ranges and everything else are the server's to judge (its message is shown beside the field).

export interface EnvRow {
  key: string;
  value: string;
}

export interface ConfigForm {
  memorySize: string;
  timeout: string;
  env: EnvRow[];
}

export interface ConfigValues {
  memorySize: number;
  timeout: number;
  environment: Record<string, string>;
}

export type FieldErrors = Partial<Record<"memorySize" | "timeout" | "environment", string>>;

// Lambda's rule for environment variable names.
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])*$/;

function wholeNumber(text: string, label: string, unit: string): number | string {
  const t = text.trim();
  if (t === "") return `${label} is required (${unit}).`;
  if (!/^\d+$/.test(t)) return `${label} must be a whole number of ${unit}: '${t}'.`;
  return Number(t);
}

export function checkConfigForm(form: ConfigForm): { values: ConfigValues } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const memory = wholeNumber(form.memorySize, "Memory", "MB");
  if (typeof memory === "string") errors.memorySize = memory;
  const timeout = wholeNumber(form.timeout, "Timeout", "seconds");
  if (typeof timeout === "string") errors.timeout = timeout;
  const environment: Record<string, string> = {};
  for (const [i, row] of form.env.entries()) {
    const key = row.key.trim();
    if (key === "" && row.value === "") continue; // an empty row is ignored
    if (!ENV_KEY.test(key)) {
      errors.environment = `Variable ${i + 1}: '${key}' is not a valid name (a letter, then letters, digits or _).`;
      break;
    }
    if (key in environment) {
      errors.environment = `Variable ${key} is defined twice.`;
      break;
    }
    environment[key] = row.value;
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { values: { memorySize: memory as number, timeout: timeout as number, environment } };
}

export function formOf(config: {
  memorySize: number;
  timeout: number;
  environment: Record<string, string>;
}): ConfigForm {
  return {
    memorySize: String(config.memorySize),
    timeout: String(config.timeout),
    env: Object.entries(config.environment).map(([key, value]) => ({ key, value })),
  };
}

/** Where a server error about `field` belongs on the form. */
export function fieldOf(field: string | undefined): keyof FieldErrors | undefined {
  if (field === undefined) return undefined;
  if (field === "memorySize" || field === "MemorySize") return "memorySize";
  if (field === "timeout" || field === "Timeout") return "timeout";
  if (field.toLowerCase().startsWith("environment")) return "environment";
  return undefined;
}
