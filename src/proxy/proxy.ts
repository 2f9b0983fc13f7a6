import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import type { Emit, InstanceRef } from "../events.js";
import { LAB_CLIENT_HEADER, type TrafficSource, trafficSource } from "../model/traffic.js";
import { type ForwardOutcome, forward, sendError } from "./forward.js";
import { guardConnections, HEADER_TIMEOUT_MS } from "./guards.js";
import { otherLoopbackListener } from "./other-loopback.js";
import { refuseRequest } from "./request-checks.js";
import { ReuseTrackingClient } from "./reuse.js";
import { createRoundRobin } from "./round-robin.js";

export { SERVED_BY_HEADER } from "./forward.js";

/** What `OPTIONS *` answers: the methods the proxy forwards. */
const ALLOWED = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/** Methods that may be sent again when the first instance refused the connection. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

export interface ProxyOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly upstreams: readonly InstanceRef[];
  /** Where the instances listen (usually the proxy's host). */
  readonly upstreamHost?: string;
  /** How long an instance may take to send response headers before the client gets 504. */
  readonly upstreamTimeoutMs?: number;
  /** How long a client may take to send a request's headers before it gets 408. */
  readonly headerTimeoutMs?: number;
  readonly emit: Emit;
  /**
   * Whether requests are traced now (a "request" event each; none is even made when not);
   * default yes. Other events (a warning) are always emitted.
   */
  readonly traced?: () => boolean;
}

/** One request through the proxy as an observer (the live page) sees it. */
export interface ProxyExchange {
  readonly method: string;
  readonly path: string;
  readonly instance: InstanceRef | null;
  readonly status: number;
  readonly ms: number;
  /**
   * When the proxy received the request and when it had sent the answer, in epoch
   * milliseconds to a fraction of one (one clock for both): two requests one after the other
   * never read as overlapping, as they could from a whole-millisecond `Date.now()` minus `ms`.
   */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The request's Cookie header. */
  readonly cookie: string | undefined;
  /** The answer's Set-Cookie lines. */
  readonly setCookies: readonly string[];
  /** The answer's body, when it was small enough to be held (64 KB). */
  readonly body: Buffer | undefined;
  /** Whose request it was: a browser, or the lab's own check or load (their header). */
  readonly source: TrafficSource;
}

/** A running round-robin reverse proxy; `close()` frees its port and upstream connections. */
export interface LabProxy {
  readonly url: string;
  readonly port: number;
  /** Takes an instance out of (false) or back into (true) the rotation. */
  setAvailable(index: number, available: boolean): void;
  /** Sees every exchange from now on (undefined: nobody, and nothing is kept for it). */
  observe(observer: ((exchange: ProxyExchange) => void) | undefined): void;
  close(): Promise<void>;
}

export async function startProxy(options: ProxyOptions): Promise<LabProxy> {
  const { host, upstreams, emit } = options;
  const traced = options.traced ?? (() => true);
  const upstreamHost = options.upstreamHost ?? host;
  const timeout = options.upstreamTimeoutMs ?? 30_000;
  const pools = upstreams.map(
    (u) =>
      new Pool(`http://${urlHost(upstreamHost)}:${u.port}`, {
        headersTimeout: timeout,
        bodyTimeout: timeout,
        keepAliveTimeout: 10_000,
        factory: (origin, opts) => new ReuseTrackingClient(origin, opts),
      }),
  );
  // Nothing is in the rotation until the lab says it answers.
  const available = upstreams.map(() => false);
  const pickNext = createRoundRobin(upstreams.length);
  const isUp = (i: number) => available[i] === true;
  const servedBy = upstreams.map((u) => `instance-${u.index} :${u.port}`);
  let observer: ((exchange: ProxyExchange) => void) | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const method = req.method ?? "GET";
    const hasBody =
      req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
    const watching = observer;
    const send = (i: number) =>
      forward(req, res, pools[i]!, upstreams[i]!, hasBody, servedBy[i]!, watching !== undefined);
    // `*` asks about the server as a whole: the proxy answers it, no instance is asked.
    const asterisk = req.url === "*";
    // Two Host headers, or a URL naming another host: answered here, as HAProxy does.
    const refusal = refuseRequest(req.url, req.rawHeaders);
    let index = asterisk || refusal ? -1 : pickNext(isUp);
    let outcome: ForwardOutcome = { kind: "failed", status: 503 };
    if (refusal) {
      sendError(res, refusal.status, refusal.text);
      outcome = { kind: "failed", status: refusal.status };
    } else if (asterisk) {
      res.writeHead(method === "OPTIONS" ? 200 : 400, { allow: ALLOWED, "content-length": 0 });
      res.end();
      outcome = { kind: "answered", status: res.statusCode, setCookie: false };
    } else if (index < 0) {
      sendError(
        res,
        503,
        `No instance is available: all ${upstreams.length} are starting, restarting or down.`,
      );
    } else {
      outcome = await send(index);
      // One more try elsewhere, only when the request provably never reached an instance and
      // sending it again cannot do anything twice.
      if (outcome.kind === "not-connected" && IDEMPOTENT.has(method) && !hasBody) {
        const tried = index;
        const next = pickNext((i) => isUp(i) && i !== tried);
        if (next >= 0) {
          index = next;
          outcome = await send(index);
        }
      }
      if (outcome.kind === "not-connected") {
        const u = upstreams[index]!;
        sendError(res, 502, `Instance ${u.index} (:${u.port}) is not answering.`);
        outcome = { kind: "failed", status: 502 };
      }
    }
    const ended = performance.now();
    const ms = Math.round((ended - started) * 10) / 10;
    if (traced())
      emit({
        type: "request",
        method,
        path: req.url ?? "/",
        instance: upstreams[index] ?? null,
        status: outcome.status,
        ms,
        setCookie: outcome.kind === "answered" && outcome.setCookie,
      });
    watching?.({
      method,
      path: req.url ?? "/",
      instance: upstreams[index] ?? null,
      status: outcome.status,
      ms,
      startedAt: performance.timeOrigin + started,
      endedAt: performance.timeOrigin + ended,
      cookie: req.headers.cookie,
      setCookies: outcome.kind === "answered" ? (outcome.cookies ?? []) : [],
      body: outcome.kind === "answered" ? outcome.body : undefined,
      source: trafficSource(req.headers[LAB_CLIENT_HEADER]),
    });
  };

  const headerTimeout = options.headerTimeoutMs ?? HEADER_TIMEOUT_MS;
  const server = createServer(
    {
      headersTimeout: headerTimeout,
      // Node looks for expired headers this often (30 s by default): late 408s otherwise.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, headerTimeout / 4)),
    },
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) sendError(res, 502, "The proxy could not forward this request.");
        else res.destroy();
      });
    },
  );
  server.keepAliveTimeout = 10_000;
  guardConnections(server, {
    headerTimeoutMs: headerTimeout,
    allowed: ALLOWED,
    onConnect: (req) => {
      if (!traced()) return;
      emit({
        type: "request",
        method: "CONNECT",
        path: req.url ?? "",
        instance: null,
        status: 405,
        ms: 0,
        setCookie: false,
      });
    },
  });

  // Asked before listening, when the only listener on the port can be the other one.
  const shadowed = options.port > 0 ? await otherLoopbackListener(host, options.port) : undefined;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host, exclusive: true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  if (shadowed) emit({ type: "warning", message: shadowed });

  return {
    url: `http://${urlHost(host)}:${port}/`,
    port,
    observe(next) {
      observer = next;
    },
    setAvailable(index, value) {
      const i = upstreams.findIndex((u) => u.index === index);
      if (i >= 0) available[i] = value;
    },
    close: () => closeAll(server, pools),
  };
}

async function closeAll(server: Server, pools: readonly Pool[]): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await Promise.all([closed, ...pools.map((p) => p.destroy())]);
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
