// The pure state of the configuration tab's settings panels: the tag editor, the layer list, the network
// mode and the destinations form. Each checks what can be told without the server (empty or twice-used
// keys, whole numbers, at most five layers); the rest is the server's to judge.

export interface TagRow {
  key: string;
  value: string;
}

export function tagRowsOf(tags: Record<string, string> | undefined): TagRow[] {
  return Object.entries(tags ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }));
}

export const tagEdits = {
  add: (rows: readonly TagRow[]): TagRow[] => [...rows, { key: "", value: "" }],
  remove: (rows: readonly TagRow[], i: number): TagRow[] => rows.filter((_, j) => j !== i),
  set: (rows: readonly TagRow[], i: number, part: "key" | "value", v: string): TagRow[] =>
    rows.map((r, j) => (j === i ? { ...r, [part]: v } : r)),
};

/** The tags to send (the whole set), or what is wrong with a row. Empty rows are ignored. */
export function checkTags(rows: readonly TagRow[]): { tags: Record<string, string> } | { error: string } {
  const tags: Record<string, string> = {};
  for (const [i, row] of rows.entries()) {
    const key = row.key.trim();
    if (key === "" && row.value === "") continue;
    if (key === "") return { error: `Tag ${i + 1}: a key is required.` };
    if (key.length > 128) return { error: `Tag ${key.slice(0, 20)}…: keys have at most 128 characters.` };
    if (key.toLowerCase().startsWith("aws:"))
      return { error: `Tag ${key}: keys starting with aws: are reserved.` };
    if (row.value.length > 256) return { error: `Tag ${key}: values have at most 256 characters.` };
    if (key in tags) return { error: `Tag ${key} is defined twice.` };
    tags[key] = row.value;
  }
  if (Object.keys(tags).length > 50) return { error: "A function can have at most 50 tags." };
  return { tags };
}

/** Lambda's (and the engine's) limit of layers per function. */
export const MAX_LAYERS = 5;

export function addLayer(list: readonly string[], arn: string): string[] | { error: string } {
  if (arn === "") return { error: "Choose a layer to add." };
  // A function may use one version of a layer: adding another version replaces it in place.
  const base = arn.replace(/:\d+$/, "");
  const at = list.findIndex((a) => a.replace(/:\d+$/, "") === base);
  if (at >= 0) return list.map((a, i) => (i === at ? arn : a));
  if (list.length >= MAX_LAYERS) return { error: `A function can use at most ${MAX_LAYERS} layers.` };
  return [...list, arn];
}

/** Moves a layer up (-1) or down (+1): later layers' files win in /opt. */
export function moveLayer(list: readonly string[], i: number, step: -1 | 1): string[] {
  const j = i + step;
  if (j < 0 || j >= list.length) return [...list];
  const out = [...list];
  [out[i], out[j]] = [out[j] as string, out[i] as string];
  return out;
}

export type NetworkMode = "none" | "egress" | "named";

/** The function's `network` setting: `none`, `egress` or a comma-separated list of network names. */
export function parseNetwork(network: string | undefined): { mode: NetworkMode; names: string[] } {
  const n = (network ?? "none").trim();
  if (n === "" || n === "none") return { mode: "none", names: [] };
  if (n === "egress") return { mode: "egress", names: [] };
  return {
    mode: "named",
    names: n
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  };
}

export function formatNetwork(mode: NetworkMode, names: readonly string[]): string | { error: string } {
  if (mode !== "named") return mode;
  if (names.length === 0) return { error: "Choose at least one named network, or pick none or egress." };
  return names.join(",");
}

export interface DestinationsForm {
  onSuccess: string;
  onFailure: string;
  maximumRetryAttempts: string;
  maximumEventAgeInSeconds: string;
}

export type DestinationsField = keyof DestinationsForm;

export interface DestinationsValues {
  onSuccess?: string;
  onFailure?: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
}

export function destinationsFormOf(c: {
  onSuccess?: string;
  onFailure?: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
}): DestinationsForm {
  return {
    onSuccess: c.onSuccess ?? "",
    onFailure: c.onFailure ?? "",
    maximumRetryAttempts: c.maximumRetryAttempts === undefined ? "" : String(c.maximumRetryAttempts),
    maximumEventAgeInSeconds:
      c.maximumEventAgeInSeconds === undefined ? "" : String(c.maximumEventAgeInSeconds),
  };
}

/** Blank fields mean "not set" (the server's defaults: 2 retries, 6 hours); numbers must be whole. */
export function checkDestinations(
  form: DestinationsForm,
): { values: DestinationsValues } | { errors: Partial<Record<DestinationsField, string>> } {
  const errors: Partial<Record<DestinationsField, string>> = {};
  const values: DestinationsValues = {};
  for (const k of ["onSuccess", "onFailure"] as const) {
    const v = form[k].trim();
    if (v !== "") values[k] = v;
  }
  for (const k of ["maximumRetryAttempts", "maximumEventAgeInSeconds"] as const) {
    const t = form[k].trim();
    if (t === "") continue;
    if (!/^\d+$/.test(t)) errors[k] = `must be a whole number: '${t}'.`;
    else values[k] = Number(t);
  }
  return Object.keys(errors).length > 0 ? { errors } : { values };
}

/** Where a server error about `field` belongs on the destinations form. */
export function destinationsFieldOf(field: string | undefined): DestinationsField | undefined {
  if (field === undefined) return undefined;
  const f = field.toLowerCase();
  if (f.includes("onsuccess")) return "onSuccess";
  if (f.includes("onfailure")) return "onFailure";
  if (f.includes("retry")) return "maximumRetryAttempts";
  if (f.includes("eventage")) return "maximumEventAgeInSeconds";
  return undefined;
}
