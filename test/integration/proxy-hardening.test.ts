import { createServer, type Server, Socket } from "node:net";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import type { LabEvent } from "../../src/events.js";
import { startProxy } from "../../src/proxy/proxy.js";

/** A fake instance on raw sockets: `onRequest` gets each connection once a request arrived. */
async function rawInstance(onRequest: (socket: Socket, head: string) => void) {
  const seen: string[] = [];
  const server: Server = createServer((socket) => {
    let head = "";
    socket.on("data", (chunk) => {
      head += chunk.toString("latin1");
      if (head.includes("\r\n\r\n")) {
        seen.push(head);
        onRequest(socket, head);
        head = "";
      }
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.unref();
      }),
  };
}

const OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok";

async function withProxyOver(
  ports: number[],
  run: (url: string, port: number, traces: LabEvent[]) => Promise<void>,
) {
  const traces: LabEvent[] = [];
  const proxy = await startProxy({
    host: "127.0.0.1",
    port: 0,
    upstreams: ports.map((port, i) => ({ index: i + 1, port })),
    emit: (e) => traces.push(e),
  });
  for (let i = 1; i <= ports.length; i++) proxy.setAvailable(i, true);
  try {
    await run(proxy.url, proxy.port, traces);
  } finally {
    await proxy.close();
  }
}

/** Sends raw bytes to the proxy; resolves with everything it answered once it closed. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let answer = "";
    socket.on("data", (d) => {
      answer += d.toString("latin1");
    });
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
    socket.connect(port, "127.0.0.1", () => socket.write(bytes));
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

describe("the proxy, against malformed and hostile requests", () => {
  it.each([
    [
      "Content-Length and Transfer-Encoding together (smuggling)",
      400,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ],
    ["an invalid Content-Length", 400, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"],
    [
      "two different Content-Lengths",
      400,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    ],
    [
      "a bad Transfer-Encoding",
      400,
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
    ["a garbage request line", 400, "HELLO THERE\r\n\r\n"],
    ["70 KB of headers", 431, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(70_000)}\r\n\r\n`],
  ])("%s: answers %i, then closes the connection", async (_name, status, bytes) => {
    const instance = await rawInstance((socket) => socket.write(OK));
    try {
      await withProxyOver([instance.port], async (_url, port) => {
        const answer = await rawExchange(port, bytes);
        expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
        expect(answer.toLowerCase()).toContain("connection: close");
        expect(instance.seen).toEqual([]);
      });
    } finally {
      await instance.close();
    }
  });

  it("does not send a request twice when the instance reset the connection after receiving it", async () => {
    const resetter = await rawInstance((socket) => socket.resetAndDestroy());
    const healthy = await rawInstance((socket) => socket.write(OK));
    try {
      await withProxyOver([resetter.port, healthy.port], async (url, _port, traces) => {
        const res = await request(url);
        expect(res.statusCode).toBe(502);
        await res.body.text();
        expect(resetter.seen).toHaveLength(1);
        expect(healthy.seen).toEqual([]);
        expect(traces.at(-1)).toMatchObject({ status: 502, instance: { port: resetter.port } });
      });
    } finally {
      await Promise.all([resetter.close(), healthy.close()]);
    }
  });

  it("records a client that went away as 499, not as a 502 of the instance", async () => {
    const silent = await rawInstance(() => {});
    try {
      await withProxyOver([silent.port], async (_url, port, traces) => {
        const socket = new Socket();
        await new Promise<void>((resolve) => socket.connect(port, "127.0.0.1", resolve));
        socket.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
        await expect.poll(() => silent.seen.length, { timeout: 5000 }).toBe(1);
        socket.destroy();
        await expect
          .poll(() => traces.find((t) => t.type === "request"), { timeout: 5000 })
          .toMatchObject({ status: 499, path: "/slow" });
      });
    } finally {
      await silent.close();
    }
  });

  it("replaces the client's X-Forwarded-Host and -Proto and appends to X-Forwarded-For", async () => {
    const echo = await rawInstance((socket) => socket.write(OK));
    try {
      await withProxyOver([echo.port], async (url) => {
        const res = await request(url, {
          headers: {
            "x-forwarded-host": "evil.example",
            "x-forwarded-proto": "https",
            "x-forwarded-for": "10.9.9.9",
          },
        });
        await res.body.text();
        const head = (echo.seen[0] ?? "").toLowerCase();
        expect(head).toContain(`x-forwarded-host: ${new URL(url).host}`);
        expect(head).toContain("x-forwarded-proto: http\r\n");
        expect(head).toContain("x-forwarded-for: 10.9.9.9, 127.0.0.1");
        expect(head).not.toContain("evil.example");
      });
    } finally {
      await echo.close();
    }
  });

  it("answers OPTIONS * itself, without a 502", async () => {
    const instance = await rawInstance((socket) => socket.write(OK));
    try {
      await withProxyOver([instance.port], async (_url, port) => {
        const answer = await rawExchange(
          port,
          "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        expect(answer).toMatch(/^HTTP\/1\.1 200 /);
        expect(answer.toLowerCase()).toContain("allow: ");
      });
    } finally {
      await instance.close();
    }
  });

  it("names an unsolicited 100 Continue from an instance instead of a vague 502", async () => {
    const eager = await rawInstance((socket) => socket.write(`HTTP/1.1 100 Continue\r\n\r\n${OK}`));
    try {
      await withProxyOver([eager.port], async (url) => {
        const res = await request(url);
        expect(res.statusCode).toBe(502);
        expect(await res.body.text()).toMatch(
          /sent "100 Continue" to a request that did not ask for it/,
        );
      });
    } finally {
      await eager.close();
    }
  });
});
