// The functions list's search and sort, apart from the page so they can be tested.

export interface FunctionRow {
  name: string;
  runtime: string;
  memorySize: number;
  lastModified: string;
  invocations: number | null;
  errors: number | null;
  p95Ms: number | null;
  warm: number | null;
}

export type SortKey =
  "name" | "runtime" | "memorySize" | "lastModified" | "invocations" | "errors" | "p95Ms" | "warm";

export interface SortState {
  key: SortKey;
  descending: boolean;
}

export function filterRows(rows: readonly FunctionRow[], search: string): FunctionRow[] {
  const q = search.trim().toLowerCase();
  if (q === "") return [...rows];
  return rows.filter((r) => r.name.toLowerCase().includes(q) || r.runtime.toLowerCase().includes(q));
}

/** Sorts by one column; unknown values (null) go last whatever the direction. */
export function sortRows(rows: readonly FunctionRow[], sort: SortState): FunctionRow[] {
  const dir = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = a[sort.key];
    const y = b[sort.key];
    if (x === null && y === null) return a.name.localeCompare(b.name);
    if (x === null) return 1;
    if (y === null) return -1;
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return c === 0 ? a.name.localeCompare(b.name) : c * dir;
  });
}

/** Clicking a column sorts by it; clicking it again reverses. */
export function nextSort(current: SortState, key: SortKey): SortState {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: false };
}
