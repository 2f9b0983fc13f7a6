import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../workspace/paths.js";
import { allowedHosts, bracketed, hostAllowed } from "./hosts.js";

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

/** Actions a page may ask for with POST (the live page's buttons). */
export interface PageActions {
  readonly token: string;
  readonly run: Readonly<Record<string, () => void>>;
}

/** No page takes a request body: the buttons' POSTs carry none, and nothing else is accepted. */
const NO_BODY = "This page takes no request body.\n";

/**
 * A small HTTP server for a page: GET and HEAD (plus the page's actions, if any), the page's
 * handlers first, then its static assets. Every request is answered whatever it carries: a
 * request that throws here would end the whole lab and its instances.
 */
export async function startWebServer(options: {
  host: string;
  port: number;
  /** The asset served for "/", e.g. board.html. */
  index: string;
  handle: Handler;
  /**
   * Actions a page may ask for with POST, only with the page's token in X-Session-Lab-Token,
   * from the page's own origin. None: read-only.
   */
  actions?: PageActions;
}): Promise<WebServer> {
  const hosts = allowedHosts(options.host);
  let port = options.port;
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    // A page on this machine is read by a browser that any web site can point at it: a name
    // that resolves to 127.0.0.1 (DNS rebinding) must not read the page, its token or /state.
    if (req.headers.host === undefined) return refuse(res, 400, "A Host header is required.\n");
    if (!hostAllowed(req.headers.host, hosts, port)) {
      const where = hosts.map((h) => `${h}:${port}`).join(", ");
      return refuse(
        res,
        421,
        `This page answers only at ${where}; open it by one of those addresses.\n`,
      );
    }
    if (req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"]) > 0)
      return refuse(res, 413, NO_BODY);
    // Only origin-form ("/path"): "*" and absolute-form ("http://host/") name no page here.
    const path = requestPath(req.url);
    if (path === undefined) return refuse(res, 400, "This page takes paths such as /.\n");
    if (req.method === "POST" && options.actions)
      return answerAction(req, res, path, options.actions);
    if (req.method !== "GET" && req.method !== "HEAD") {
      const allow = options.actions ? "GET, HEAD, POST" : "GET, HEAD";
      return refuse(res, 405, "This page is read-only.\n", { allow });
    }
    Promise.resolve()
      .then(() => options.handle(req, res, path))
      .then((handled) =>
        handled ? undefined : serveAsset(res, path === "/" ? `/${options.index}` : path),
      )
      .catch(() => fail(res));
  };
  const server = createServer((req, res) => {
    try {
      answer(req, res);
    } catch {
      fail(res);
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${bracketed(options.host)}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The path of a request's target, or undefined when it is not a path (`*`, `http://…`). */
function requestPath(target: string | undefined): string | undefined {
  if (!target?.startsWith("/")) return undefined;
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/**
 * A button's request: the page's token, and an Origin that is the page's own. A browser
 * always sends Origin with a POST, so none means a program on this machine (which can read
 * the page and its token anyway); `Origin: null` (a sandboxed frame, a file) is refused.
 */
function answerAction(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  actions: PageActions,
): void {
  const action = Object.hasOwn(actions.run, path) ? actions.run[path] : undefined;
  const origin = req.headers.origin;
  const sameOrigin =
    origin === undefined || origin.toLowerCase() === `http://${req.headers.host}`.toLowerCase();
  if (!action) refuse(res, 404, "No such action.\n");
  else if (req.headers["x-session-lab-token"] !== actions.token || !sameOrigin)
    refuse(res, 403, "Only the page itself may ask for this.\n");
  else {
    action();
    res.writeHead(204);
    res.end();
  }
}

/** A 4xx, and the connection closed: whatever else the client meant to send is not read. */
function refuse(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "text/plain", connection: "close", ...headers });
  res.end(text);
}

function fail(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { "content-type": "text/plain", connection: "close" });
  res.end("Something went wrong on the lab's side.\n");
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
  if (!VENDORED[name] && !file.startsWith(ASSETS_DIR + sep)) return notFound(res);
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
