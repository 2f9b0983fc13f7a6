import { LabError } from "../errors.js";
import type { Emit, LabEvent } from "../events.js";
import type { ProxyExchange } from "../proxy/proxy.js";
import type { RedisInUse } from "../redis/server.js";
import { watchTopology } from "../redis/topology-watch.js";
import { applyLabEvent } from "../web/live-lab-events.js";
import { applyExchange, emptyLive, type LiveState } from "../web/live-model.js";
import { type LiveActions, type LiveServer, startLiveServer } from "../web/live-server.js";
import type { LabCluster } from "./setup.js";

/** The live page's side of a lab: it sees the lab's events and every request through its proxy. */
export interface LivePage {
  /** Feeds one of the lab's events to the page. */
  see(event: LabEvent): void;
  /** Starts serving the page for this cluster; resolves with its address. */
  serve(options: {
    host: string;
    port: number;
    cluster: LabCluster;
    actions?: LiveActions;
    /**
     * The lab's Redis: its topology is watched and said through `emit` (to the page and the
     * terminal), for the lab's own Sentinel set-up or Cluster only.
     */
    redis?: { readonly redis: RedisInUse | undefined; readonly emit: Emit };
  }): Promise<string>;
  close(): Promise<void>;
}

/**
 * The live page when asked for (--ui), and the emit that feeds it every event on its way to
 * the command's own reporter.
 */
export function withLivePage(enabled: boolean, emit: Emit): { live?: LivePage; emit: Emit } {
  if (!enabled) return { emit };
  const live = createLivePage();
  return {
    live,
    emit: (event) => {
      live.see(event);
      emit(event);
    },
  };
}

/** Only the exercise's own pages are read, and only this much of them. */
const PAGE_TEXT = 16 * 1024;

export function createLivePage(): LivePage {
  let state: LiveState = emptyLive([]);
  let server: LiveServer | undefined;
  let cluster: LabCluster | undefined;
  let watcher: { close(): Promise<void> } | undefined;
  const pending: LabEvent[] = [];
  return {
    see(event) {
      if (!server) pending.push(event);
      else {
        state = applyLabEvent(state, event);
        server.changed();
      }
    },
    async serve(options) {
      cluster = options.cluster;
      state = emptyLive(cluster.upstreams);
      for (const event of pending.splice(0)) state = applyLabEvent(state, event);
      server = await startLiveServer({
        host: options.host,
        port: options.port,
        state: () => state,
        actions: options.actions,
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "EADDRINUSE") throw error;
        throw new LabError(
          `Port ${options.port} is already in use, so the live page cannot be served there.`,
          "Choose another with --ui-port <port>.",
        );
      });
      const live = server;
      cluster.proxy.observe((exchange) => {
        state = applyExchange(state, toLive(exchange));
        live.changed();
      });
      const redis = options.redis;
      if (redis?.redis) watcher = watchTopology(redis.redis, redis.emit);
      return live.url;
    },
    async close() {
      await watcher?.close();
      cluster?.proxy.observe(undefined);
      await server?.close();
    },
  };
}

function toLive(exchange: ProxyExchange) {
  const page =
    exchange.path === "/" ||
    exchange.path.startsWith("/?") ||
    exchange.path.startsWith("/session/");
  return {
    at: exchange.endedAt,
    start: exchange.startedAt,
    method: exchange.method,
    path: exchange.path,
    instance: exchange.instance,
    status: exchange.status,
    ms: exchange.ms,
    cookie: exchange.cookie,
    setCookies: exchange.setCookies,
    source: exchange.source,
    body: page && exchange.body ? exchange.body.subarray(0, PAGE_TEXT).toString("utf8") : undefined,
  };
}
