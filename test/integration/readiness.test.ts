import { createServer, type Server } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { waitUntilAnswering } from "../../src/cluster/readiness.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A real HTTP server answering `statusFor(n)` to its n-th request (counting from 1). */
async function serve(
  statusFor: (n: number) => number,
): Promise<{ port: number; served: number[] }> {
  const served: number[] = [];
  server = createServer((_req, res) => {
    const status = statusFor(served.length + 1);
    served.push(status);
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, served };
}

const never = new Promise<never>(() => {});

/** Waits for the app as the lab does, up to 5 s; `options` changes the rest. */
function ready(port: number, options: { gaveUp?: Promise<unknown>; settleMs?: number } = {}) {
  return waitUntilAnswering({
    host: "127.0.0.1",
    port,
    timeoutMs: 5000,
    gaveUp: never,
    ...options,
  });
}

describe("waiting for an instance to be ready", () => {
  it("waits while the app answers 503 (still connecting to Redis), until it answers 200", async () => {
    const app = await serve((n) => (n <= 4 ? 503 : 200));
    expect(await ready(app.port)).toBe(true);
    expect(app.served).toEqual([503, 503, 503, 503, 200]);
  });

  it("takes an app that answers only 5xx as started after the settling time, so check shows what it answers", async () => {
    const app = await serve(() => 500);
    expect(await ready(app.port, { settleMs: 150 })).toBe(true);
    expect(app.served.length).toBeGreaterThan(1);
  });

  it("a 404 on / is an answer: ready at the first one", async () => {
    const app = await serve(() => 404);
    expect(await ready(app.port)).toBe(true);
    expect(app.served).toEqual([404]);
  });

  it("an app whose process ended while it answered 503 is not ready", async () => {
    const app = await serve(() => 503);
    expect(await ready(app.port, { gaveUp: Promise.resolve(), settleMs: 60_000 })).toBe(false);
  });
});

describe("many instances waited on at once", () => {
  it("probes about a hundred times a second in all, not 16 ports at full pace (the CPU goes to the apps booting)", async () => {
    // 16 ports where something accepts and hangs up at once: never an answer, every probe seen.
    let probes = 0;
    const servers = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const s = createNetServer((socket) => {
          probes += 1;
          socket.destroy();
        });
        await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
        return s;
      }),
    );
    try {
      const results = await Promise.all(
        servers.map((s) =>
          waitUntilAnswering({
            host: "127.0.0.1",
            port: (s.address() as AddressInfo).port,
            timeoutMs: 1000,
            gaveUp: never,
          }),
        ),
      );
      expect(results.every((r) => r === false)).toBe(true);
      // Each probe here connects twice: once to see that something listens, then for HTTP.
      // At the pace of one port alone (a probe every 20 ms) it would be ~800 probes.
      expect(probes / 2).toBeGreaterThan(16);
      expect(probes / 2).toBeLessThan(300);
    } finally {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    }
  });
});
