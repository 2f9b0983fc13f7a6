import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { pollUntil } from "../../src/poll.js";
import { connectionsOf } from "../../src/processes/connections.js";
import { connectRedis } from "../../src/redis/inspect.js";
import { clientName, type SeenCommand } from "../../src/redis/monitor-line.js";
import { watchRedis } from "../../src/redis/watch.js";
import { findFreePorts } from "../support/ports.js";
import { ownRedis } from "../support/room.js";

const repoRoot = join(import.meta.dirname, "../..");

/** A node process running `script` (CommonJS, from the repository so it finds ioredis) that
 * writes one JSON value a line; stop() ends its stdin, which ends it. */
function startNode(script: string, env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, ["-e", script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[
    Symbol.asyncIterator
  ]();
  return {
    pid: child.pid as number,
    async next<T>(): Promise<T> {
      const { value, done } = await lines.next();
      if (done) throw new Error("the child ended without answering");
      return JSON.parse(value) as T;
    },
    send(value: unknown) {
      child.stdin?.write(`${JSON.stringify(value)}\n`);
    },
    async [Symbol.asyncDispose]() {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs each command it reads (a JSON line [name, ...args]) on its own ioredis connection. */
const REDIS_CLIENT = `
const { Redis } = require("ioredis");
const readline = require("node:readline");
const redis = new Redis(process.env.URL, { db: Number(process.env.DB), lazyConnect: true });
(async () => {
  await redis.connect();
  console.log(JSON.stringify(redis.stream.localAddress + ":" + redis.stream.localPort));
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const [name, ...args] = JSON.parse(line);
    // BIG n key: a SET of an n-byte value, whose MONITOR line takes many reads to arrive.
    const result = await (name === "BIG"
      ? redis.set(args[1], "x".repeat(Number(args[0])))
      : redis.call(name, ...args)
    ).catch((e) => "error: " + e.message);
    console.log(JSON.stringify(result));
  }
  redis.disconnect();
})();
`;

async function redisClient(db = 3) {
  const child = startNode(REDIS_CLIENT, { URL: inject("redisUrl"), DB: String(db) });
  const client = await child.next<string>();
  return Object.assign(child, {
    client,
    async run(...command: string[]): Promise<unknown> {
      child.send(command);
      return child.next();
    },
  });
}

const unique = () => `session-lab-test:watch:${randomUUID()}`;
const named = (commands: readonly SeenCommand[], key: string) =>
  commands.filter((c) => c.args.includes(key));

describe("watchRedis", () => {
  it("records what another process sends, with its database and client address", async () => {
    await using watch = await watchRedis(inject("redisUrl"));
    expect(watch.refused).toBeUndefined();
    await using app = await redisClient(3);
    const key = unique();
    expect(await app.run("SET", key, "v1")).toBe("OK");
    expect(await app.run("GET", key)).toBe("v1");
    await watch.mark();
    expect(named(watch.commands(), key)).toEqual([
      { at: expect.any(Number), db: 3, client: app.client, name: "SET", args: [key, "v1"] },
      { at: expect.any(Number), db: 3, client: app.client, name: "GET", args: [key] },
    ]);
    const [set] = named(watch.commands(), key);
    expect(Math.abs((set?.at ?? 0) - Date.now())).toBeLessThan(60_000); // the server's clock, in ms
    // Which process a client is: Redis names it by the local end of the app's socket.
    const owned = (await connectionsOf([app.pid])).map((c) =>
      clientName(c.localAddress, c.localPort),
    );
    expect(owned).toContain(app.client);
    await app.run("DEL", key);
  });

  it("after mark(), every command run before it is recorded, and none run after", async () => {
    await using watch = await watchRedis(inject("redisUrl"));
    await using app = await redisClient(3);
    const [before, after] = [unique(), unique()];
    for (let round = 0; round < 5; round++) {
      await app.run("SET", before, String(round));
      await watch.mark();
      const cursor = watch.cursor();
      expect(named(watch.commands(), before).at(-1)?.args).toEqual([before, String(round)]);
      await app.run("SET", after, String(round));
      expect(named(watch.since(cursor), before)).toEqual([]);
      await watch.mark();
      expect(named(watch.since(cursor), after).map((c) => c.args[1])).toEqual([String(round)]);
    }
    // A command whose MONITOR line is long arrives well after its reply.
    await app.run("BIG", "1000000", before);
    await watch.mark();
    expect(named(watch.commands(), before).at(-1)?.args[1]).toBe("x".repeat(200));
    expect(watch.commands().some((c) => c.name === "ECHO")).toBe(false); // markers are not recorded
    await app.run("DEL", before, after);
  });

  it("leaves out the lab's own connections, and clients it is told to ignore", async () => {
    await using watch = await watchRedis(inject("redisUrl"));
    const lab = await connectRedis(inject("redisUrl"));
    await using app = await redisClient(0);
    const key = unique();
    try {
      await lab.set(key, "from the lab");
      await lab.get(key);
      await app.run("GET", key);
      await watch.mark();
      expect(named(watch.commands(), key).map((c) => c.client)).toEqual([app.client]);
      watch.ignore(app.client);
      await app.run("GET", key);
      await watch.mark();
      expect(named(watch.commands(), key)).toHaveLength(1);
    } finally {
      await lab.del(key);
      lab.disconnect();
    }
  });

  it("names the client that ran a script for the commands the script ran", async () => {
    await using watch = await watchRedis(inject("redisUrl"));
    await using app = await redisClient(3);
    const key = unique();
    const script =
      "redis.call('SET', KEYS[1], 'x'); redis.call('SELECT', 4); return redis.call('GET', KEYS[1])";
    expect(await app.run("EVAL", script, "1", key)).toBe(null);
    await watch.mark();
    const ran = watch.commands().filter((c) => c.client === "lua" && c.caller === app.client);
    expect(ran.map((c) => [c.name, c.db])).toEqual([
      ["SET", 3],
      ["SELECT", 4], // MONITOR prints the database a command leaves the client in
      ["GET", 4],
    ]);
    await app.run("DEL", key);
  });

  it("is refused, without throwing, for a user that may not run MONITOR", async () => {
    const url = new URL(inject("redisUrl"));
    const admin = await connectRedis(url.href);
    const user = `session-lab-test-${randomUUID()}`;
    try {
      await admin.call("ACL", "SETUSER", user, "on", ">pw", "~*", "+@all", "-monitor");
      url.username = user;
      url.password = "pw";
      await using watch = await watchRedis(url.href);
      expect(watch.refused).toBe("the Redis user may not run MONITOR (NOPERM)");
      await watch.mark();
      expect(watch.commands()).toEqual([]);
    } finally {
      await admin.call("ACL", "DELUSER", user);
      admin.disconnect();
    }
  });

  it("is refused, without throwing, when no Redis answers", async () => {
    const [port] = await findFreePorts(1);
    await using watch = await watchRedis(`redis://127.0.0.1:${port}`);
    expect(watch.refused).toMatch(
      /^Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \(.*ECONNREFUSED/,
    );
    expect(watch.commands()).toEqual([]);
  });

  it("stops recording when its signal is aborted; close() may be called again", async () => {
    const abort = new AbortController();
    const watch = await watchRedis(inject("redisUrl"), { signal: abort.signal });
    await using app = await redisClient(0);
    const key = unique();
    await app.run("GET", key);
    await watch.mark();
    abort.abort();
    await watch.close();
    await app.run("GET", key);
    await watch.mark(); // resolves at once: nothing more is recorded
    expect(named(watch.commands(), key)).toHaveLength(1);
    expect(watch.lost()).toBeUndefined();
    await watch.close();
  });

  it("starts on a busy Redis every time (a monitored line in the same read as MONITOR's OK)", async () => {
    await using redis = await ownRedis();
    const writers = Array.from({ length: 4 }, () => new Redis(redis.url));
    let writing = true;
    const loops = writers.map(async (writer) => {
      while (writing) await writer.set(`busy:${randomUUID()}`, "v", "EX", 5);
    });
    try {
      const refusals: string[] = [];
      for (let i = 0; i < 20; i++) {
        await using watch = await watchRedis(redis.url);
        if (watch.refused) refusals.push(watch.refused);
      }
      // Before: ioredis dropped the connection in 37 of 40 starts like these.
      expect(refusals).toEqual([]);
    } finally {
      writing = false;
      await Promise.all(loops);
      for (const writer of writers) writer.disconnect();
    }
  });

  it("mark() resolves with the marker's own position, however busy Redis is", async () => {
    await using redis = await ownRedis();
    // A second MONITOR that keeps everything, markers too: the order Redis ran them in.
    const raw = new Redis(redis.url);
    const feed: string[] = [];
    const monitor = await raw.monitor();
    monitor.on("monitor", (_time: string, args: string[]) => feed.push(args.join(" ")));
    await using watch = await watchRedis(redis.url);
    const writers = Array.from({ length: 4 }, () => new Redis(redis.url));
    let writing = true;
    const loops = writers.map(async (writer) => {
      while (writing) await writer.incr("busy");
    });
    const positions: number[] = [];
    try {
      while (positions.length < 20) positions.push(await watch.mark());
    } finally {
      writing = false;
      await Promise.all(loops);
      for (const writer of writers) writer.disconnect();
    }
    await watch.mark();
    await pollUntil(async () => feed.filter((l) => /^echo /i.test(l)).length >= 21, {
      timeoutMs: 5000,
      everyMs: 20,
    });
    monitor.disconnect();
    raw.disconnect();
    const markers = feed.filter((l) => /^echo /i.test(l));
    const incrsBefore = (i: number) =>
      feed.slice(0, feed.indexOf(markers[i] as string)).filter((l) => /^incr /i.test(l)).length;
    const recorded = watch.commands();
    // Each position parts the commands exactly where Redis ran the marker.
    expect(
      positions.map((p) => recorded.slice(0, p).filter((c) => c.name === "INCR").length),
    ).toEqual(positions.map((_, i) => incrsBefore(i)));
    expect(positions.at(-1)).toBeLessThan(watch.cursor()); // the writers went on after it
  });

  it("keeps at most `limit` commands and counts the ones dropped", async () => {
    await using watch = await watchRedis(inject("redisUrl"), { limit: 3 });
    await using app = await redisClient(0);
    const key = unique();
    for (let i = 0; i < 5; i++) await app.run("GET", key);
    await watch.mark();
    expect(watch.commands().length).toBeLessThanOrEqual(3);
    expect(watch.dropped()).toBeGreaterThanOrEqual(2);
  });
});

/** Connects to `PORT`, says its pid and local port, holds on until its stdin ends; with NEST
 * set, it has a child of its own do that instead. */
const TCP_CLIENT = `
if (process.env.NEST) {
  const child = require("node:child_process").spawn(process.execPath, ["-e", process.env.SCRIPT], {
    stdio: "inherit",
    env: { ...process.env, NEST: "" },
  });
} else {
  const socket = require("node:net").connect(Number(process.env.PORT), "127.0.0.1", () => {
    console.log(JSON.stringify({ pid: process.pid, port: socket.localPort }));
  });
  process.stdin.on("end", () => socket.destroy()).resume();
}
`;

describe("connectionsOf", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ["/proc", "", ""],
    ["ps and lsof (SESSION_LAB_PLATFORM=unix)", "unix", ""],
    ["/proc, for a descendant", "", "1"],
    ["ps and lsof, for a descendant", "unix", "1"],
  ])("finds the process holding a connection through %s", async (_, platform, nest) => {
    vi.stubEnv("SESSION_LAB_PLATFORM", platform);
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const serverPort = (server.address() as { port: number }).port;
    try {
      await using child = startNode(TCP_CLIENT, {
        PORT: String(serverPort),
        NEST: nest,
        SCRIPT: TCP_CLIENT,
      });
      const { pid, port } = await child.next<{ pid: number; port: number }>();
      expect(pid === child.pid).toBe(nest === "");
      const found = (await connectionsOf([child.pid])).filter((c) => c.remotePort === serverPort);
      expect(found).toEqual([
        {
          pid,
          localAddress: "127.0.0.1",
          localPort: port,
          remoteAddress: "127.0.0.1",
          remotePort: serverPort,
        },
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("finds nothing for no processes", async () => {
    expect(await connectionsOf([])).toEqual([]);
  });
});
