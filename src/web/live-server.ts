import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LiveState } from "./live-model.js";
import { liveView } from "./live-view.js";
import { ASSETS_DIR, sendJson, startWebServer, type WebServer } from "./server.js";
import { SseChannel } from "./sse.js";

/**
 * The page updates this many times a second, whatever the traffic: above 4 × 40 requests a
 * second its feed is a sample (the newest 40 of each update, of which it shows 12); the
 * counters count them all.
 */
const PUSHES_PER_SECOND = 4;

export interface LiveServer extends WebServer {
  /** The state changed: the pages get the new view (batched). */
  changed(): void;
}

/** What the page's buttons ask the lab for; a button shows only for an action given. */
export interface LiveActions {
  check?(): void;
  restart?(): void;
  /** Fail the lab's own Sentinel set-up over (exercise 05). */
  failover?(): void;
}

/**
 * The live page for the projector, on a port of its own (never the proxy's). Its buttons
 * (run the check, restart the instances, fail over) exist only on 127.0.0.1, guarded by a token.
 */
export async function startLiveServer(options: {
  host: string;
  port: number;
  state: () => LiveState;
  actions?: LiveActions;
}): Promise<LiveServer> {
  const sse = new SseChannel();
  const loopback = ["127.0.0.1", "localhost", "::1"].includes(options.host);
  const run: Record<string, () => void> = {};
  for (const [name, action] of Object.entries(options.actions ?? {}))
    if (loopback && action) run[`/actions/${name}`] = action;
  const names = Object.keys(run).map((path) => path.slice("/actions/".length));
  const buttons = names.length > 0 ? run : undefined;
  const token = randomBytes(16).toString("hex");
  const view = () => ({
    ...liveView(options.state()),
    buttons: buttons !== undefined,
    actions: names,
  });
  const page = (await readFile(join(ASSETS_DIR, "live.html"), "utf8")).replace(
    "__TOKEN__",
    buttons ? token : "",
  );
  const server = await startWebServer({
    host: options.host,
    port: options.port,
    index: "live.html",
    actions: buttons ? { token, run: buttons } : undefined,
    handle: (req, res, path) => {
      if (path === "/" || path === "/live.html") {
        res.writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
        });
        res.end(page);
        return true;
      }
      if (path === "/state") {
        sendJson(res, view());
        return true;
      }
      if (path === "/events") {
        sse.open(req, res, { event: "view", data: view() });
        return true;
      }
      return false;
    },
  });
  return {
    ...server,
    changed() {
      sse.sendSoon("view", view, PUSHES_PER_SECOND);
    },
    async close() {
      sse.close();
      await server.close();
    },
  };
}
