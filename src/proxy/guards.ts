import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";

/** How long a client may take to send a request's headers before a 408 (`timeout http-request`). */
export const HEADER_TIMEOUT_MS = 10_000;

/**
 * What the proxy answers on the socket itself, for requests that never become an exchange
 * with an instance: the status line, `Connection: close`, a one-line text; then it closes.
 */
export function answerOnSocket(
  socket: Duplex,
  status: string,
  text: string,
  extra: Record<string, string> = {},
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `session-lab proxy: ${text}\n`;
  const headers = Object.entries({
    ...extra,
    Connection: "close",
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
  })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.end(`HTTP/1.1 ${status}\r\n${headers}\r\n${body}`);
}

/**
 * The answers HAProxy or nginx give before a request reaches an instance, on a Node server:
 * a request Node cannot parse (smuggling, a bad length, garbage) gets 400, oversize headers
 * 431, headers not complete within the header timeout 408; CONNECT gets 405 with the methods
 * allowed (this is a reverse proxy, not a forward one). Never a silent reset.
 */
export function guardConnections(
  server: Server,
  options: {
    readonly headerTimeoutMs: number;
    readonly allowed: string;
    readonly onConnect: (req: IncomingMessage) => void;
  },
): void {
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    if (error.code === "HPE_HEADER_OVERFLOW") {
      answerOnSocket(
        socket,
        "431 Request Header Fields Too Large",
        "The request's headers are too large.",
      );
    } else if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      // Node 24 may time out a connection that sent nothing itself, before the timer below:
      // closed silently either way (see "connection").
      if ((socket as Duplex & { bytesRead?: number }).bytesRead === 0) {
        socket.destroy();
        return;
      }
      answerOnSocket(socket, "408 Request Timeout", "The request did not arrive in time.");
    } else {
      answerOnSocket(socket, "400 Bad Request", "The request is malformed.");
    }
  });

  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => {});
    answerOnSocket(
      socket,
      "405 Method Not Allowed",
      "CONNECT is for forward proxies; this proxy only passes requests on to the app's instances.",
      { Allow: options.allowed },
    );
    options.onConnect(req);
  });

  // Node times out headers once some bytes came; a connection that sends none would stay open
  // for ever. It is closed after the header timeout, silently as nginx does (and HAProxy with
  // `option http-ignore-probes`): a browser's pre-connection must not show a 408 page.
  server.on("connection", (socket: Duplex & { bytesRead: number }) => {
    const timer = setTimeout(() => {
      if (socket.bytesRead === 0) socket.end();
    }, options.headerTimeoutMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  });
}
