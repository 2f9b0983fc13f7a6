import type { BoardFeed } from "./board-feed.js";
import { type BoardView, boardView, resultsCsv, type StuckRules } from "./board-model.js";
import { sendJson, startWebServer, type WebServer } from "./server.js";
import { SseChannel } from "./sse.js";

/** At most this many page updates a second, however fast the room publishes. */
const PUSHES_PER_SECOND = 4;

export interface BoardServer extends WebServer {
  /** The room changed: the pages get the new view (batched). */
  changed(): void;
  /** The room's Redis went away or came back. */
  status(up: boolean): void;
}

/**
 * The room board's page: `/` the page, `/state` the view as JSON, `/events` the view and the
 * Redis status as Server-Sent Events, `/results.csv` one row per attendee.
 */
export async function startBoardServer(options: {
  host: string;
  port: number;
  room: string;
  feed: () => BoardFeed;
  stuck: StuckRules;
}): Promise<BoardServer> {
  const sse = new SseChannel();
  const view = (): BoardView =>
    boardView(options.room, options.feed().state, Date.now(), options.stuck);
  const server = await startWebServer({
    host: options.host,
    port: options.port,
    index: "board.html",
    handle: (req, res, path) => {
      if (path === "/state") {
        sendJson(res, { view: view(), up: options.feed().up });
        return true;
      }
      if (path === "/events") {
        sse.open(
          req,
          res,
          { event: "view", data: view() },
          { event: "status", data: { up: options.feed().up } },
        );
        return true;
      }
      if (path === "/results.csv") {
        res.writeHead(200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="${options.room}-results.csv"`,
        });
        res.end(resultsCsv(options.feed().state));
        return true;
      }
      return false;
    },
  });
  // Stuck-by-time changes with the clock alone: refresh the view now and then.
  const tick = setInterval(() => sse.send("view", view()), 30_000).unref();
  return {
    ...server,
    changed() {
      sse.sendSoon("view", view, PUSHES_PER_SECOND);
    },
    status(up) {
      sse.send("status", { up });
    },
    async close() {
      clearInterval(tick);
      sse.close();
      await server.close();
    },
  };
}
