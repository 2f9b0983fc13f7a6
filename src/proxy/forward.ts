import type { IncomingMessage, ServerResponse } from "node:http";
import { type Dispatcher, errors, type Pool } from "undici";
import type { InstanceRef } from "../events.js";
import { upstreamRequestHeaders, withoutHopByHop } from "./headers.js";
import { onUsedConnection } from "./reuse.js";

/** The response header that names the instance which served a request. */
export const SERVED_BY_HEADER = "x-served-by";

/** Answers up to this size are sent in one write instead of streamed. */
const SMALL_BODY = 64 * 1024;
/**
 * Errors that prove the request never reached the instance: no connection was made. A reset
 * (ECONNRESET) may come after the request was written, so it is not one of them.
 */
export const NOT_CONNECTED = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * An app may close a kept-alive connection right after a complete answer (Express's error
 * handler destroys the socket when an error follows an answer already sent), just as the
 * proxy sends the next request on it. A browser then sends that request again on a new
 * connection, and so does the proxy, once: when the connection had carried a request before
 * (on a new one, a reset comes after the app saw the request), nothing of the answer had
 * come, and the request is safe to repeat (no body, a method that changes nothing).
 */
const CLOSED_UNDER_US = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);
const SAFE_TO_REPEAT = new Set(["GET", "HEAD", "OPTIONS"]);

export type ForwardOutcome =
  | {
      kind: "answered";
      status: number;
      setCookie: boolean;
      /** With `capture`: the Set-Cookie lines, and a small answer's body. */
      cookies?: string[];
      body?: Buffer;
    }
  | { kind: "not-connected"; error: unknown }
  | { kind: "failed"; status: number };

/**
 * Sends one request to one instance and streams the answer back, body and all, through
 * undici's dispatch API: no intermediate streams, and back-pressure both ways (the upstream
 * read pauses while the client is slow; the request body is piped by undici).
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  pool: Pool,
  upstream: InstanceRef,
  hasBody: boolean,
  /** The X-Served-By value naming `upstream`, made once per instance. */
  servedBy: string,
  /** Keep the Set-Cookie lines and a small answer's body for an observer (the live page). */
  capture = false,
): Promise<ForwardOutcome> {
  return new Promise((resolve) => {
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let setCookie = false;
    let settled = false;
    let held: { headers: Record<string, string | string[]>; chunks: Buffer[] } | undefined;
    const settle = (outcome: ForwardOutcome) => {
      if (settled) return;
      settled = true;
      res.off("close", onClose);
      resolve(outcome);
    };
    // A client that goes away aborts the request to the instance too.
    const onClose = () => {
      if (res.writableFinished) return;
      // Settled first: the abort makes undici report an error, which is not the instance's.
      settle({ kind: "failed", status: 499 });
      controller?.abort(new Error("the client went away"));
    };
    res.once("close", onClose);
    const method = (req.method ?? "GET") as Dispatcher.HttpMethod;
    let repeated = hasBody || !SAFE_TO_REPEAT.has(method);
    const send = (): void => {
      const options: Dispatcher.DispatchOptions = {
        method,
        path: req.url ?? "/",
        headers: upstreamRequestHeaders(req.headers, req.socket.remoteAddress),
        body: hasBody ? req : null,
      };
      pool.dispatch(options, {
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
          let body: Buffer | undefined;
          if (held) {
            body = held.chunks.length === 1 ? held.chunks[0] : Buffer.concat(held.chunks);
            res.writeHead(status, held.headers);
            res.end(body);
          } else {
            res.end();
          }
          if (!capture) settle({ kind: "answered", status, setCookie });
          else {
            const lines = held?.headers["set-cookie"];
            const cookies = lines === undefined ? [] : Array.isArray(lines) ? lines : [lines];
            settle({ kind: "answered", status, setCookie, cookies, body });
          }
        },
        onResponseError(_c, error) {
          if (settled) return;
          if (
            !repeated &&
            status === 0 &&
            onUsedConnection(options) &&
            CLOSED_UNDER_US.has((error as { code?: string }).code ?? "")
          ) {
            repeated = true;
            send();
            return;
          }
          if (!res.headersSent && NOT_CONNECTED.has((error as { code?: string }).code ?? "")) {
            settle({ kind: "not-connected", error });
            return;
          }
          const timedOut =
            error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError;
          const failed = timedOut ? 504 : 502;
          // Decided by what the client has had: nothing yet (a held small answer included)
          // gets the error as an answer; a head already sent can only be cut off, as HAProxy
          // cuts it, so the client sees a broken answer and never a short one taken as whole.
          if (res.headersSent) res.destroy();
          else sendError(res, failed, upstreamFailure(upstream, error, timedOut));
          settle({ kind: "failed", status: failed });
        },
      });
    };
    send();
  });
}

/** Why an instance's answer could not be passed on, in one sentence. */
function upstreamFailure(upstream: InstanceRef, error: unknown, timedOut: boolean): string {
  const who = `Instance ${upstream.index} (:${upstream.port})`;
  if (timedOut) return `${who} did not answer in time.`;
  // undici refuses an interim 100 Continue that no Expect header asked for (the proxy never
  // forwards Expect); name that instead of a vague "broke off".
  if ((error as Error).message === "bad response")
    return `${who} sent "100 Continue" to a request that did not ask for it, which the proxy cannot pass on; send the final answer only.`;
  return `${who} broke off the answer.`;
}

/** A short plain-text error from the proxy itself. */
export function sendError(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" });
  res.end(`session-lab proxy: ${text}\n`);
}
