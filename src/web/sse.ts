import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * At most this many pages at once: a projector, a few laptops, a room's worth of phones.
 * Each one costs the lab a frame per update, so the number is bounded, not the traffic.
 */
export const MAX_SSE_CLIENTS = 200;

/**
 * A page this far behind (bytes the lab holds for it, past what the OS holds) is dropped:
 * every frame is a whole view, so it reconnects by EventSource's own retry and gets the
 * current one, instead of the lab keeping every frame it missed.
 */
export const MAX_SSE_BACKLOG = 1024 * 1024;

/** Seconds a page turned away (too many open) waits before trying again. */
const RETRY_AFTER = 5;

/**
 * Server-Sent Events to every open page. The browser's EventSource reconnects by itself;
 * a comment every 15 s keeps proxies and idle timers from closing the stream.
 */
export class SseChannel {
  readonly #clients = new Set<ServerResponse>();
  readonly #heartbeat = setInterval(() => this.#write(": keep-alive\n\n"), 15_000).unref();
  readonly #pending = new Map<string, NodeJS.Timeout>();

  /** Opens a stream for a page; `first` is sent to it at once (the state it starts from). */
  open(
    req: IncomingMessage,
    res: ServerResponse,
    ...first: readonly { event: string; data: unknown }[]
  ): void {
    if (this.#clients.size >= MAX_SSE_CLIENTS) {
      res.writeHead(503, {
        "content-type": "text/plain",
        "retry-after": String(RETRY_AFTER),
        connection: "close",
      });
      res.end(`Too many pages are open on this lab (${MAX_SSE_CLIENTS}); try again shortly.\n`);
      return;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    // A HEAD has no body to stream: it must not hold a place among the pages.
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    res.write("retry: 1000\n\n");
    for (const f of first) res.write(frame(f.event, f.data));
    this.#clients.add(res);
    req.on("close", () => this.#clients.delete(res));
    res.on("close", () => this.#clients.delete(res));
  }

  send(event: string, data: unknown): void {
    this.#write(frame(event, data));
  }

  /**
   * Sends `event` with what `data()` returns then, at most `perSecond` times a second: the
   * calls in between become one. Nothing is computed while no page is open.
   */
  sendSoon(event: string, data: () => unknown, perSecond: number): void {
    if (this.#clients.size === 0 || this.#pending.has(event)) return;
    const timer = setTimeout(() => {
      this.#pending.delete(event);
      this.send(event, data());
    }, 1000 / perSecond);
    this.#pending.set(event, timer);
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }

  #write(text: string): void {
    // One Buffer for every page: a page that is behind holds a reference to it, not a copy
    // (a string is copied for each socket that cannot take it at once).
    const chunk = Buffer.from(text);
    for (const res of this.#clients) {
      if (res.writableLength > MAX_SSE_BACKLOG || res.destroyed) {
        this.#clients.delete(res);
        res.destroy();
      } else res.write(chunk);
    }
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
