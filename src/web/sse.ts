import type { IncomingMessage, ServerResponse } from "node:http";

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
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
    });
    res.write("retry: 1000\n\n");
    for (const f of first) res.write(frame(f.event, f.data));
    this.#clients.add(res);
    req.on("close", () => this.#clients.delete(res));
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
    for (const res of this.#clients) res.write(text);
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
