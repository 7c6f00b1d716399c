// Hash routes (#/functions/NAME/TAB): the server serves one index.html, and a reload keeps the page.

export const TABS = ["config", "test", "logs", "monitor", "versions", "triggers"] as const;
export type Tab = (typeof TABS)[number];

export type Route =
  | { page: "list" }
  | { page: "server" }
  | { page: "cost" }
  | { page: "function"; name: string; tab: Tab }
  // The create-function page (console-a).
  | { page: "create" };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((p) => p !== "");
  if (parts[0] === "server") return { page: "server" };
  if (parts[0] === "cost") return { page: "cost" };
  if (parts[0] === "create") return { page: "create" };
  if (parts[0] === "functions" && parts[1] !== undefined) {
    let name: string;
    try {
      name = decodeURIComponent(parts[1]);
    } catch {
      return { page: "list" };
    }
    const tab = (TABS as readonly string[]).includes(parts[2] ?? "") ? (parts[2] as Tab) : "config";
    return { page: "function", name, tab };
  }
  return { page: "list" };
}

export function hrefOf(route: Route): string {
  if (route.page === "list") return "#/";
  if (route.page === "server") return "#/server";
  if (route.page === "cost") return "#/cost";
  if (route.page === "create") return "#/create";
  return `#/functions/${encodeURIComponent(route.name)}/${route.tab}`;
}
