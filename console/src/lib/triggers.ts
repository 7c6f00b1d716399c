// What invokes a function, gathered from the native API's lists (schedules, event source mappings,
// storage triggers, HTTP routes) into rows of one table. The shapes are the routes' views (see
// docs/api.md); only the fields shown here are read.

export interface TriggerRow {
  kind: string;
  name: string;
  detail: string;
  state: string;
  /** The last error or processing result, when the API reports one. */
  problem?: string;
}

type Obj = Record<string, unknown>;

const str = (v: unknown): string =>
  typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v);
const mine = (fn: string) => (o: Obj) => o.function === fn;

export function scheduleRows(fn: string, schedules: Obj[]): TriggerRow[] {
  return schedules.filter(mine(fn)).map((s) => ({
    kind: "Schedule",
    name: str(s.name),
    detail: `${str(s.expression)}${s.timezone ? ` (${str(s.timezone)})` : ""}`,
    state: str(s.state),
    ...(s.lastError ? { problem: str(s.lastError) } : {}),
  }));
}

export function mappingRows(fn: string, mappings: Obj[]): TriggerRow[] {
  return mappings.filter(mine(fn)).map((m) => ({
    kind: `Event source (${str(m.kind)})`,
    name: str(m.uuid),
    detail: `${str(m.source)} · batch ${str(m.batchSize)} · ${str(m.processed ?? 0)} processed`,
    state: str(m.state),
    ...(m.lastProcessingResult && m.lastProcessingResult !== "OK"
      ? { problem: str(m.lastProcessingResult) }
      : {}),
  }));
}

export function storageRows(fn: string, triggers: Obj[]): TriggerRow[] {
  return triggers.filter(mine(fn)).map((t) => ({
    kind: `Storage (${str(t.kind)})`,
    name: str(t.name),
    detail: str(t.path ?? t.bucketArn ?? t.webhookPath),
    state: str(t.state),
    ...(t.lastError ? { problem: str(t.lastError) } : {}),
  }));
}

export function routeRows(fn: string, routes: Obj[]): TriggerRow[] {
  return routes.filter(mine(fn)).map((r) => ({
    kind: "HTTP route",
    name: str(r.routeKey),
    detail: `payload ${str(r.payloadFormat)} · auth ${str(r.authType)}`,
    state: "active",
  }));
}
