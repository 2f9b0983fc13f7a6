import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Dispatcher, errors, Pool } from "undici";
import type { Emit, InstanceRef } from "../events.js";
import { upstreamRequestHeaders, withoutHopByHop } from "./headers.js";
import { createRoundRobin } from "./round-robin.js";

/** The response header that names the instance which served a request. */
export const SERVED_BY_HEADER = "x-served-by";

/** Methods that may be sent again when the first instance refused the connection. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);
/** Answers up to this size are sent in one write instead of streamed. */
const SMALL_BODY = 64 * 1024;
/** Errors that mean the request never reached the instance. */
const NOT_CONNECTED = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

export interface ProxyOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly upstreams: readonly InstanceRef[];
  /** Where the instances listen (usually the proxy's host). */
  readonly upstreamHost?: string;
  /** How long an instance may take to send response headers before the client gets 504. */
  readonly upstreamTimeoutMs?: number;
  readonly emit: Emit;
}

/** A running round-robin reverse proxy; `close()` frees its port and upstream connections. */
export interface LabProxy {
  readonly url: string;
  readonly port: number;
  /** Takes an instance out of (false) or back into (true) the rotation. */
  setAvailable(index: number, available: boolean): void;
  close(): Promise<void>;
}

type Outcome =
  | { kind: "answered"; status: number; setCookie: boolean }
  | { kind: "not-connected"; error: unknown }
  | { kind: "failed"; status: number };

export async function startProxy(options: ProxyOptions): Promise<LabProxy> {
  const { host, upstreams, emit } = options;
  const upstreamHost = options.upstreamHost ?? host;
  const timeout = options.upstreamTimeoutMs ?? 30_000;
  const pools = upstreams.map(
    (u) =>
      new Pool(`http://${urlHost(upstreamHost)}:${u.port}`, {
        headersTimeout: timeout,
        bodyTimeout: timeout,
        keepAliveTimeout: 10_000,
      }),
  );
  // Nothing is in the rotation until the lab says it answers.
  const available = upstreams.map(() => false);
  const pickNext = createRoundRobin(upstreams.length);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const method = req.method ?? "GET";
    const hasBody =
      req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
    let index = pickNext((i) => available[i] === true);
    let outcome: Outcome = { kind: "failed", status: 503 };
    if (index < 0) {
      sendError(
        res,
        503,
        `No instance is available: all ${upstreams.length} are starting, restarting or down.`,
      );
    } else {
      outcome = await forward(req, res, pools[index]!, upstreams[index]!, hasBody);
      // One more try elsewhere, only when the request provably never reached an instance and
      // sending it again cannot do anything twice.
      if (outcome.kind === "not-connected" && IDEMPOTENT.has(method) && !hasBody) {
        const tried = index;
        const next = pickNext((i) => available[i] === true && i !== tried);
        if (next >= 0) {
          index = next;
          outcome = await forward(req, res, pools[index]!, upstreams[index]!, hasBody);
        }
      }
      if (outcome.kind === "not-connected") {
        const u = upstreams[index]!;
        sendError(res, 502, `Instance ${u.index} (:${u.port}) is not answering.`);
        outcome = { kind: "failed", status: 502 };
      }
    }
    emit({
      type: "request",
      method,
      path: req.url ?? "/",
      instance: upstreams[index] ?? null,
      status: outcome.kind === "answered" || outcome.kind === "failed" ? outcome.status : 502,
      ms: Math.round((performance.now() - started) * 10) / 10,
      setCookie: outcome.kind === "answered" && outcome.setCookie,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, 502, "The proxy could not forward this request.");
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 10_000;
  // A client that sends garbage gets a 400 from Node; the proxy itself must never go down.
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host, exclusive: true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${urlHost(host)}:${port}/`,
    port,
    setAvailable(index, value) {
      const i = upstreams.findIndex((u) => u.index === index);
      if (i >= 0) available[i] = value;
    },
    close: () => closeAll(server, pools),
  };
}

/**
 * Sends one request to one instance and streams the answer back, body and all, through
 * undici's dispatch API: no intermediate streams, and back-pressure both ways (the upstream
 * read pauses while the client is slow; the request body is piped by undici).
 */
function forward(
  req: IncomingMessage,
  res: ServerResponse,
  pool: Pool,
  upstream: InstanceRef,
  hasBody: boolean,
): Promise<Outcome> {
  return new Promise((resolve) => {
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let setCookie = false;
    let settled = false;
    let held: { headers: Record<string, string | string[]>; chunks: Buffer[] } | undefined;
    const servedBy = `instance-${upstream.index} :${upstream.port}`;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      res.off("close", onClose);
      resolve(outcome);
    };
    // A client that goes away aborts the request to the instance too.
    const onClose = () => {
      if (res.writableFinished) return;
      controller?.abort(new Error("the client went away"));
      settle({ kind: "failed", status: 499 });
    };
    res.once("close", onClose);
    pool.dispatch(
      {
        method: (req.method ?? "GET") as Dispatcher.HttpMethod,
        path: req.url ?? "/",
        headers: upstreamRequestHeaders(req.headers, req.socket.remoteAddress),
        body: hasBody ? req : null,
      },
      {
        onRequestStart(c) {
          controller = c;
          if (settled) c.abort(new Error("the client went away"));
        },
        onResponseStart(_c, statusCode, headers) {
          if (statusCode < 200) return; // 1xx: the final answer follows
          const out = withoutHopByHop(headers);
          out[SERVED_BY_HEADER] = servedBy;
          status = statusCode;
          setCookie = out["set-cookie"] !== undefined;
          // A small answer of known length goes out in one write, headers and body together.
          const length = Number(headers["content-length"]);
          if (length >= 0 && length <= SMALL_BODY) {
            held = { headers: out, chunks: [] };
          } else {
            res.writeHead(statusCode, out);
          }
        },
        onResponseData(c, chunk) {
          if (held) {
            held.chunks.push(chunk);
            return;
          }
          if (!res.write(chunk)) {
            c.pause();
            res.once("drain", () => c.resume());
          }
        },
        onResponseEnd() {
          if (held) {
            res.writeHead(status, held.headers);
            res.end(held.chunks.length === 1 ? held.chunks[0] : Buffer.concat(held.chunks));
          } else {
            res.end();
          }
          settle({ kind: "answered", status, setCookie });
        },
        onResponseError(_c, error) {
          if (settled) return;
          if (!res.headersSent && NOT_CONNECTED.has((error as { code?: string }).code ?? "")) {
            settle({ kind: "not-connected", error });
            return;
          }
          const timedOut =
            error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError;
          const failed = timedOut ? 504 : 502;
          if (res.headersSent || held) res.destroy();
          else {
            sendError(
              res,
              failed,
              timedOut
                ? `Instance ${upstream.index} (:${upstream.port}) did not answer in time.`
                : `Instance ${upstream.index} (:${upstream.port}) broke off the answer.`,
            );
          }
          settle({ kind: "failed", status: failed });
        },
      },
    );
  });
}

function sendError(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" });
  res.end(`session-lab proxy: ${text}\n`);
}

async function closeAll(server: Server, pools: readonly Pool[]): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await Promise.all([closed, ...pools.map((p) => p.destroy())]);
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
