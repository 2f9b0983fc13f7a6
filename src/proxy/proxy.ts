import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { errors, Pool } from "undici";
import type { Emit, InstanceRef } from "../events.js";
import { upstreamRequestHeaders, withoutHopByHop } from "./headers.js";
import { createRoundRobin } from "./round-robin.js";

/** The response header that names the instance which served a request. */
export const SERVED_BY_HEADER = "x-served-by";

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
  const isUp = (i: number) => available[i] === true;

  const server = createServer((req, res) => {
    const started = performance.now();
    const index = pickNext(isUp);
    const upstream = upstreams[index];
    const pool = pools[index];
    const trace = (status: number, setCookie: boolean) =>
      emit({
        type: "request",
        method: req.method ?? "GET",
        path: req.url ?? "/",
        instance: upstream ?? null,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        setCookie,
      });
    if (!upstream || !pool) {
      sendError(
        res,
        503,
        `No instance is available: all ${upstreams.length} are starting, restarting or down.`,
      );
      trace(503, false);
      return;
    }
    forward(req, res, pool, upstream).then(
      ([status, setCookie]) => trace(status, setCookie),
      () => trace(res.statusCode, false),
    );
  });
  server.keepAliveTimeout = 10_000;

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

/** Sends one request to one instance and streams the answer back. */
async function forward(
  req: IncomingMessage,
  res: ServerResponse,
  pool: Pool,
  upstream: InstanceRef,
): Promise<[status: number, setCookie: boolean]> {
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  const hasBody =
    req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
  try {
    const answer = await pool.request({
      method: (req.method ?? "GET") as "GET",
      path: req.url ?? "/",
      headers: upstreamRequestHeaders(req.headers, req.socket.remoteAddress),
      body: hasBody ? req : null,
      signal: abort.signal,
    });
    const headers = withoutHopByHop(answer.headers);
    headers[SERVED_BY_HEADER] = `instance-${upstream.index} :${upstream.port}`;
    res.writeHead(answer.statusCode, headers);
    await pipeline(answer.body, res);
    return [answer.statusCode, headers["set-cookie"] !== undefined];
  } catch (error) {
    if (abort.signal.aborted) return [499, false];
    const [status, text] = describeUpstreamError(error, upstream);
    if (!res.headersSent) sendError(res, status, text);
    else res.destroy();
    return [status, false];
  }
}

function describeUpstreamError(error: unknown, u: InstanceRef): [number, string] {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
    return [504, `Instance ${u.index} (:${u.port}) did not answer in time.`];
  }
  return [502, `Instance ${u.index} (:${u.port}) is not answering.`];
}

function sendError(res: ServerResponse, status: number, text: string): void {
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
