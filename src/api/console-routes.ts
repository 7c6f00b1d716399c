// Serves the web console (the single-page app built from console/ into dist/console) at /console/,
// from the same server as the API, so there is no second process. The console is static files that
// call the native API with the user's key; this file only hands out those files. Hashed assets are
// cached for a year (their name changes with their content); index.html is revalidated every time so a
// new build is picked up. A server whose console was not built still starts and says so at /console.

import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";

export const CONSOLE_PREFIX = "/console";

/** Where `npm run build` writes the console: dist/console, next to this module's dist/src/api. */
export const CONSOLE_DIR = fileURLToPath(new URL("../../console", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

// The console talks only to this origin; nothing may frame it (clickjacking of the key form).
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** True for the console's paths, which are public (the files hold no data; the API checks the key). */
export function isConsolePath(url: string): boolean {
  return (
    url === CONSOLE_PREFIX || url.startsWith(`${CONSOLE_PREFIX}/`) || url.startsWith(`${CONSOLE_PREFIX}?`)
  );
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vajra console not built</title></head>
<body><h1>The Vajra console was not built</h1>
<p>This server has no console files in <code>${CONSOLE_DIR}</code>. Build them with <code>npm run build</code>
in the Vajra checkout and reload this page. The API works without them.</p></body></html>\n`;

/** The file under `root` that a request path names, or undefined when it would leave `root`. */
export function resolveAsset(root: string, urlPath: string): string | undefined {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (rel.includes("\0") || rel.split("/").some((s) => s === "..")) return undefined;
  const file = normalize(join(root, rel));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function sendIndex(reply: FastifyReply, root: string): Promise<FastifyReply> {
  const index = join(root, "index.html");
  if (!(await isFile(index)))
    return reply
      .code(503)
      .header("content-type", TYPES[".html"])
      .header("cache-control", "no-store")
      .send(NOT_BUILT);
  return reply
    .header("content-type", TYPES[".html"])
    .header("cache-control", "no-cache")
    .header("content-security-policy", CSP)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .send(await readFile(index));
}

export function registerConsoleRoutes(app: FastifyInstance, root: string = CONSOLE_DIR): void {
  // ignoreTrailingSlash makes /console and /console/ one route: the raw URL tells them apart, and the
  // app's relative asset paths need the slash.
  app.get(CONSOLE_PREFIX, (req, reply) => {
    const [path, query] = req.url.split("?", 2);
    if (path === CONSOLE_PREFIX)
      return reply.redirect(`${CONSOLE_PREFIX}/${query === undefined ? "" : `?${query}`}`, 301);
    return sendIndex(reply, root);
  });
  app.get<{ Params: { "*": string } }>(`${CONSOLE_PREFIX}/*`, async (req, reply) => {
    const rel = (req.url.split("?", 1)[0] ?? "").slice(CONSOLE_PREFIX.length + 1);
    if (rel === "" || rel === "index.html") return sendIndex(reply, root);
    const file = resolveAsset(root, rel);
    if (file !== undefined && (await isFile(file))) {
      // Vite names every file under assets/ by its content hash.
      const cache = rel.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
      return reply
        .header("content-type", TYPES[extname(file)] ?? "application/octet-stream")
        .header("cache-control", cache)
        .header("x-content-type-options", "nosniff")
        .send(await readFile(file));
    }
    // A missing asset is a 404; any other path is a page of the app (it routes in the browser).
    if (rel.startsWith("assets/") || extname(rel) !== "")
      return reply.code(404).header("content-type", TYPES[".txt"]).send(`no console file ${rel}\n`);
    return sendIndex(reply, root);
  });
}
