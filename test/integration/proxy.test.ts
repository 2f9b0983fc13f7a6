import { createHash, randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster } from "../../src/cluster/cluster.js";
import type { LabEvent } from "../../src/events.js";
import { type LabProxy, type ProxyExchange, startProxy } from "../../src/proxy/proxy.js";
import { findFreePorts } from "../support/ports.js";

const httpApp = join(import.meta.dirname, "../fixtures/http-app.mjs");

/** Two live fixture instances on ports[1..2]; ports[0] is for the proxy, ports[3] stays dead. */
let ports: number[];
let cluster: Cluster;
const events: LabEvent[] = [];

beforeAll(async () => {
  ports = await findFreePorts(4);
  cluster = new Cluster({
    command: {
      file: process.execPath,
      args: [httpApp],
      shell: false,
      cwd: import.meta.dirname,
      description: "http-app",
    },
    host: "127.0.0.1",
    ports: ports.slice(1, 3),
    env: process.env as Record<string, string>,
    timeoutMs: 10_000,
    emit: (e) => events.push(e),
  });
  await cluster.start();
});

afterAll(async () => {
  await cluster.close();
});

async function withProxy(
  upstreamPorts: number[],
  run: (proxy: LabProxy, traces: LabEvent[]) => Promise<void>,
  upstreamTimeoutMs?: number,
) {
  const traces: LabEvent[] = [];
  const proxy = await startProxy({
    host: "127.0.0.1",
    port: 0,
    upstreams: upstreamPorts.map((port, i) => ({ index: i + 1, port })),
    upstreamTimeoutMs,
    emit: (e) => traces.push(e),
  });
  for (let i = 1; i <= upstreamPorts.length; i++) proxy.setAvailable(i, true);
  try {
    await run(proxy, traces);
  } finally {
    await proxy.close();
  }
}

describe("the proxy", () => {
  it("passes three Set-Cookie lines through as three, unchanged", async () => {
    await withProxy([ports[1]!], async (proxy) => {
      const res = await request(`${proxy.url}cookies`);
      await res.body.text();
      expect(res.headers["set-cookie"]).toEqual([
        "a=1; Path=/",
        "b=2; Path=/; HttpOnly",
        "c=3, with a comma; Path=/",
      ]);
    });
  });

  it("tells an observer when each request began and ended: one after another never overlap", async () => {
    await withProxy([ports[1]!, ports[2]!], async (proxy) => {
      const seen: ProxyExchange[] = [];
      proxy.observe((e) => seen.push(e));
      // One visitor's requests, each sent when the last answer has come (a kept-alive
      // connection: the gap between them is a fraction of a millisecond).
      for (let i = 0; i < 300; i++) await (await request(`${proxy.url}?n=${i}`)).body.text();
      expect(seen).toHaveLength(300);
      const overlapping = seen.filter((e, i) => i > 0 && e.startedAt < seen[i - 1]!.endedAt);
      expect(overlapping.map((e) => e.path)).toEqual([]);
      for (const e of seen) expect(e.endedAt - e.startedAt).toBeCloseTo(e.ms, 0);
    });
  });

  it("keeps hop-by-hop headers from crossing, both ways, and adds X-Forwarded-*", async () => {
    await withProxy([ports[1]!], async (proxy) => {
      const answer = await new Promise<{ headers: Record<string, unknown>; body: string }>(
        (resolve, reject) => {
          const req = httpRequest(`${proxy.url}headers`, {
            headers: {
              connection: "keep-alive, x-secret",
              "x-secret": "client-only",
              te: "trailers",
              "proxy-connection": "keep-alive",
              "x-kept": "yes",
            },
          });
          req.on("response", (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (d) => {
              body += d;
            });
            res.on("end", () => resolve({ headers: res.headers, body }));
          });
          req.on("error", reject);
          req.end();
        },
      );
      const seen = JSON.parse(answer.body);
      expect(seen["x-kept"]).toBe("yes");
      for (const name of ["x-secret", "te", "proxy-connection"]) expect(seen[name]).toBeUndefined();
      expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
      expect(seen["x-forwarded-proto"]).toBe("http");
      expect(seen["x-forwarded-host"]).toBe(new URL(proxy.url).host);
      expect(answer.headers["x-private"]).toBeUndefined();
      expect(answer.headers["keep-alive"]).not.toBe("timeout=2");
    });
  });

  it("streams a 20 MB chunked upload through intact", async () => {
    await withProxy([ports[1]!], async (proxy) => {
      const chunks = Array.from({ length: 320 }, () => randomBytes(64 * 1024));
      const expected = createHash("sha256");
      for (const c of chunks) expected.update(c);
      const res = await request(`${proxy.url}upload`, {
        method: "POST",
        body: Readable.from(chunks),
      });
      expect(await res.body.json()).toEqual({
        bytes: 320 * 64 * 1024,
        sha256: expected.digest("hex"),
      });
    });
  });

  it("answers Expect: 100-continue before the body is sent", async () => {
    await withProxy([ports[1]!], async (proxy) => {
      const socket = connect(proxy.port, "127.0.0.1");
      let received = "";
      socket.setEncoding("utf8");
      socket.on("data", (d) => {
        received += d;
      });
      socket.write(
        `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
      );
      await expect.poll(() => received, { timeout: 5000 }).toMatch(/^HTTP\/1\.1 100 Continue/);
      socket.write("hello");
      await new Promise((r) => socket.once("close", r));
      expect(received).toContain('"bytes":5');
    });
  });

  it("retries an idempotent request that could not connect on the next instance, once", async () => {
    await withProxy([ports[3]!, ports[1]!], async (proxy, traces) => {
      const res = await request(proxy.url);
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe(`Served by port ${ports[1]}\n`);
      expect(traces.at(-1)).toMatchObject({
        type: "request",
        instance: { port: ports[1] },
        status: 200,
      });
    });
  });

  it("sends a GET again on a new connection when the instance closed the kept-alive one under it, never a POST", async () => {
    // An instance that answers /then-close in full, keeping the connection alive, and
    // closes it (a reset, or a plain close) when the next request comes on it, as Express
    // does when an error follows an answer already sent.
    const connections: Socket[] = [];
    let closes = 0;
    const instance = createServer((socket) => {
      connections.push(socket);
      let closeNext = false;
      socket.on("data", (data) => {
        if (!data.includes("\r\n\r\n")) return;
        if (closeNext) {
          if (++closes % 2 === 0) socket.resetAndDestroy();
          else socket.destroy();
          return;
        }
        closeNext = data.toString().startsWith("GET /then-close ");
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: keep-alive\r\n\r\nok\n");
      });
    });
    await new Promise<void>((r) => instance.listen(0, "127.0.0.1", r));
    const port = (instance.address() as AddressInfo).port;
    const get = async (url: string) => {
      const res = await request(url);
      return `${res.statusCode} ${await res.body.text()}`;
    };
    try {
      await withProxy([port], async (proxy) => {
        for (let i = 0; i < 2; i++) {
          expect(await get(`${proxy.url}then-close`)).toBe("200 ok\n");
          expect(await get(proxy.url)).toBe("200 ok\n");
        }
        expect(closes).toBe(2);
        expect(await get(`${proxy.url}then-close`)).toBe("200 ok\n");
        const post = await request(`${proxy.url}upload`, { method: "POST", body: "x" });
        expect(post.statusCode).toBe(502);
        expect(await post.body.text()).toBe(
          `session-lab proxy: Instance 1 (:${port}) broke off the answer.\n`,
        );
      });
    } finally {
      for (const socket of connections) socket.destroy();
      await new Promise((r) => instance.close(r));
    }
  });

  it("never replays a POST: 502 naming the instance", async () => {
    await withProxy([ports[3]!, ports[1]!], async (proxy) => {
      const res = await request(`${proxy.url}upload`, { method: "POST", body: "x" });
      expect(res.statusCode).toBe(502);
      expect(await res.body.text()).toBe(
        `session-lab proxy: Instance 1 (:${ports[3]}) is not answering.\n`,
      );
    });
  });

  it("answers 502 when the only instance is dead, and 503 when none is in the rotation", async () => {
    await withProxy([ports[3]!], async (proxy) => {
      expect((await request(proxy.url)).statusCode).toBe(502);
      proxy.setAvailable(1, false);
      const res = await request(proxy.url);
      expect(res.statusCode).toBe(503);
      expect(await res.body.text()).toMatch(/No instance is available/);
    });
  });

  it("answers 504 when an instance accepts but never answers, after the timeout set", async () => {
    await withProxy(
      [ports[1]!],
      async (proxy) => {
        const res = await request(`${proxy.url}hang`);
        expect(res.statusCode).toBe(504);
        expect(await res.body.text()).toBe(
          `session-lab proxy: Instance 1 (:${ports[1]}) did not answer in time.\n`,
        );
        // And it still serves the next request.
        expect((await request(proxy.url)).statusCode).toBe(200);
      },
      300,
    );
  });

  it("passes a client's abort on to the instance", async () => {
    await withProxy([ports[2]!], async (proxy) => {
      const controller = new AbortController();
      const pending = request(`${proxy.url}watch-abort`, { signal: controller.signal }).catch(
        () => undefined,
      );
      const logged = (line: string) =>
        events.some((e) => e.type === "instance:log" && e.line === line);
      await expect
        .poll(() => logged("fixture: waiting for an abort"), { timeout: 5000 })
        .toBe(true);
      controller.abort();
      await pending;
      await expect
        .poll(
          () =>
            events.some((e) => e.type === "instance:log" && e.line === "fixture: client went away"),
          { timeout: 5000 },
        )
        .toBe(true);
    });
  });
});
