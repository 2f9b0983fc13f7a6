import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../workspace/paths.js";

/** The pages' static files, served from the installed package (no CDN, no build step). */
export const ASSETS_DIR = join(packageRoot, "src", "web", "assets");

/**
 * Files from npm packages the pages use (uPlot for the line charts), served from wherever
 * npm installed them: offline like everything else.
 */
const UPLOT_DIST = dirname(fileURLToPath(import.meta.resolve("uplot")));
const VENDORED: Record<string, string> = {
  "uplot.js": join(UPLOT_DIST, "uPlot.iife.min.js"),
  "uplot.css": join(UPLOT_DIST, "uPlot.min.css"),
};

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
};

/** Sent with everything: the pages load only their own files and cannot be framed. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** Answers a request it knows (true), or leaves it (false). */
export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) => Promise<boolean> | boolean;

export interface WebServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A small read-only HTTP server for a page: GET and HEAD only (nothing a browser sends
 * changes anything), the page's handlers first, then its static assets.
 */
export async function startWebServer(options: {
  host: string;
  port: number;
  /** The asset served for "/", e.g. board.html. */
  index: string;
  handle: Handler;
  /**
   * Actions a page may ask for with POST (the live page's buttons), only with the page's
   * token in X-Session-Lab-Token and from the page's own origin. None: read-only.
   */
  actions?: { readonly token: string; readonly run: Readonly<Record<string, () => void>> };
}): Promise<WebServer> {
  const server = createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (req.method === "POST" && options.actions) {
      answerAction(req, res, options.actions);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" });
      res.end("This page is read-only.\n");
      return;
    }
    const path = new URL(req.url ?? "/", "http://x").pathname;
    Promise.resolve(options.handle(req, res, path))
      .then((handled) =>
        handled ? undefined : serveAsset(res, path === "/" ? `/${options.index}` : path),
      )
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("Something went wrong on the lab's side.\n");
      });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answerAction(
  req: IncomingMessage,
  res: ServerResponse,
  actions: { readonly token: string; readonly run: Readonly<Record<string, () => void>> },
): void {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const action = Object.hasOwn(actions.run, path) ? actions.run[path] : undefined;
  const origin = req.headers.origin;
  const sameOrigin = origin === undefined || new URL(origin).host === req.headers.host;
  if (!action || req.headers["x-session-lab-token"] !== actions.token || !sameOrigin) {
    res.writeHead(403, { "content-type": "text/plain" });
    res.end("Not allowed.\n");
    return;
  }
  action();
  res.writeHead(204);
  res.end();
}

/** A JSON answer; `<` is escaped, so the JSON cannot close a script tag it is put into. */
export function sendJson(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value).replace(/</g, "\\u003c");
  res.writeHead(200, { "content-type": TYPES[".json"], "cache-control": "no-store" });
  res.end(body);
}

async function serveAsset(res: ServerResponse, path: string): Promise<void> {
  const name = path.replace(/^\/(assets\/)?/, "");
  const file = VENDORED[name] ?? normalize(join(ASSETS_DIR, name));
  if (!VENDORED[name] && !file.startsWith(ASSETS_DIR)) return notFound(res);
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cache-control": "no-cache",
    });
    res.end(body);
  } catch {
    notFound(res);
  }
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("Not found.\n");
}
