import { get } from "node:http";
import { Socket } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { memoryOf } from "../../src/processes/process-info.js";
import { MAX_SSE_CLIENTS } from "../../src/web/sse.js";
import { type CliRun, runCli } from "../support/cli.js";
import { fixtureApp, tempDir } from "../support/lab.js";
import { findFreePorts } from "../support/ports.js";
import { ownRedis } from "../support/room.js";

/** `start --ui` as a user runs it (the built CLI, a process of its own), on free ports. */
async function startLab(cwd: string) {
  const [proxy] = await findFreePorts(3);
  const [ui] = await findFreePorts(1);
  const run = runCli(
    [
      "start",
      "--ui",
      "--port",
      String(proxy),
      "--ui-port",
      String(ui),
      "--cmd",
      `node ${fixtureApp}`,
      "--redis-url",
      inject("redisUrl"),
      "--quiet",
    ],
    { cwd },
  );
  await run.waitForOutput(/Ctrl-C stops everything/);
  return { run, proxy: proxy as number, ui: ui as number };
}

/** `session-lab board` as an instructor runs it, on a free port. */
async function startBoard(cwd: string, redisUrl: string) {
  const [port] = await findFreePorts(1);
  const run = runCli(
    ["board", "--redis-url", redisUrl, "--room", "hardening", "--port", String(port)],
    { cwd },
  );
  await run.waitForOutput(/open http:\/\/127\.0\.0\.1:\d+\//);
  return { run, port: port as number };
}

/** Stops a CLI run as Ctrl-C does; it must end as an interrupted run, not a crash. */
async function interrupt(run: CliRun) {
  run.child.kill("SIGINT");
  const { code, output } = await run.exited;
  expect(output).not.toMatch(/failed unexpectedly/);
  expect(code).toBe(130);
}

/**
 * Sends raw bytes (anything, well-formed or not) and resolves with the status of the answer,
 * or 0 when the connection closed without one.
 */
function rawStatus(port: number, bytes: string | Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = "";
    const done = () => {
      socket.destroy();
      resolve(Number(/^HTTP\/1\.[01] (\d{3}) /.exec(answer)?.[1] ?? 0));
    };
    socket.on("data", (d) => {
      answer += d.toString("latin1");
      if (answer.includes("\r\n\r\n")) done();
    });
    socket.on("close", done);
    socket.on("error", () => {});
    socket.connect(port, "127.0.0.1", () => socket.write(bytes));
    setTimeout(done, 5000).unref();
  });
}

interface Target {
  readonly port: number;
  readonly host: string;
  readonly token: string;
}

const req = (start: string, headers: string, body = "") => `${start}\r\n${headers}\r\n${body}`;
const host = (t: Target) => `Host: ${t.host}\r\n`;
const ownPost = (t: Target, path: string, extra = "") =>
  `POST ${path} HTTP/1.1\r\n${host(t)}Origin: http://${t.host}\r\nX-Session-Lab-Token: ${t.token}\r\n${extra}`;

/**
 * What a web page the attendee has open, or anything else on the network, can send the
 * lab's pages: [what, the request, the live page's answer, the board's answer].
 */
const HOSTILE: [string, (t: Target) => string | Buffer, number, number][] = [
  ["GET // (an <img> on any web page)", (t) => req("GET // HTTP/1.1", host(t)), 404, 404],
  ["GET /% (a broken escape)", (t) => req("GET /% HTTP/1.1", host(t)), 404, 404],
  ["GET /%zz%00", (t) => req("GET /%zz%00 HTTP/1.1", host(t)), 404, 404],
  [
    "a path out of the assets folder",
    (t) => req("GET /assets/../../../package.json HTTP/1.1", host(t)),
    404,
    404,
  ],
  ["an absolute-form target", (t) => req(`GET http://${t.host}/state HTTP/1.1`, host(t)), 400, 400],
  ["OPTIONS *", (t) => req("OPTIONS * HTTP/1.1", host(t)), 400, 400],
  [
    "70 KB of headers",
    (t) => req("GET / HTTP/1.1", `${host(t)}X-Big: ${"a".repeat(70_000)}\r\n`),
    431,
    431,
  ],
  ["an unknown method", (t) => req("BREW / HTTP/1.1", host(t)), 400, 400],
  ["DELETE", (t) => req("DELETE / HTTP/1.1", host(t)), 405, 405],
  [
    "a POST with Origin: null and the token (a sandboxed iframe)",
    (t) =>
      req(
        "POST /actions/check HTTP/1.1",
        `${host(t)}Origin: null\r\nX-Session-Lab-Token: ${t.token}\r\nContent-Length: 0\r\n`,
      ),
    403,
    405,
  ],
  [
    "a form posted from a sandboxed iframe",
    (t) =>
      req(
        "POST /actions/check HTTP/1.1",
        `${host(t)}Origin: null\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n`,
        "a=b",
      ),
    413,
    413,
  ],
  [
    "a bad JSON body, with the token",
    (t) =>
      `${ownPost(t, "/actions/check", "Content-Type: application/json\r\nContent-Length: 7\r\n")}\r\n{"bad":`,
    413,
    413,
  ],
  [
    "a 1 GB body announced",
    (t) => req("POST /actions/check HTTP/1.1", `${host(t)}Content-Length: 1000000000\r\n`),
    413,
    413,
  ],
  [
    "a chunked body",
    (t) =>
      `${ownPost(t, "/actions/check", "Transfer-Encoding: chunked\r\n")}\r\n1\r\na\r\n0\r\n\r\n`,
    413,
    413,
  ],
  [
    "a bad Content-Length",
    (t) => req("POST / HTTP/1.1", `${host(t)}Content-Length: lots\r\n`),
    400,
    400,
  ],
  ["HTTP/1.1 without a Host", () => req("GET / HTTP/1.1", ""), 400, 400],
  ["HTTP/1.0 without a Host", () => req("GET /state HTTP/1.0", ""), 400, 400],
  ["TLS (https:// to the page)", () => Buffer.from("160301002e0100002a0303", "hex"), 400, 400],
  // DNS rebinding: a site whose name now resolves to 127.0.0.1 reads or acts as "itself".
  ["Host: evil.example, the page", () => req("GET / HTTP/1.1", "Host: evil.example\r\n"), 421, 421],
  [
    "Host: evil.example, /state",
    (t) => req("GET /state HTTP/1.1", `Host: evil.example:${t.port}\r\n`),
    421,
    421,
  ],
  [
    "Host: evil.example, an action with the token and its own Origin",
    (t) =>
      req(
        "POST /actions/restart HTTP/1.1",
        `Host: evil.example:${t.port}\r\nOrigin: http://evil.example:${t.port}\r\nX-Session-Lab-Token: ${t.token}\r\n`,
      ),
    421,
    421,
  ],
  ["a loopback Host, another port", () => req("GET / HTTP/1.1", "Host: 127.0.0.1:1\r\n"), 421, 421],
  [
    "a cross-site Origin with the token",
    (t) =>
      req(
        "POST /actions/check HTTP/1.1",
        `${host(t)}Origin: http://evil.example\r\nX-Session-Lab-Token: ${t.token}\r\n`,
      ),
    403,
    405,
  ],
  [
    "an action with a wrong token",
    (t) =>
      req(
        "POST /actions/check HTTP/1.1",
        `${host(t)}Origin: http://${t.host}\r\nX-Session-Lab-Token: x\r\n`,
      ),
    403,
    405,
  ],
  ["no such action", (t) => `${ownPost(t, "/actions/format-disk")}\r\n`, 404, 405],
  // What must keep working.
  [
    "Host: localhost:<port>",
    (t) => req("GET / HTTP/1.1", `Host: localhost:${t.port}\r\n`),
    200,
    200,
  ],
  ["Host: [::1]:<port>", (t) => req("GET /state HTTP/1.1", `Host: [::1]:${t.port}\r\n`), 200, 200],
  [
    "Host: 127.0.0.1, no port",
    () => req("GET /state?x=% HTTP/1.1", "Host: 127.0.0.1\r\n"),
    200,
    200,
  ],
  ["HEAD /events", (t) => req("HEAD /events HTTP/1.1", host(t)), 200, 200],
  ["the page's own button", (t) => `${ownPost(t, "/actions/check")}\r\n`, 204, 405],
];

describe("the live page and the board, against hostile requests", () => {
  let lab: Awaited<ReturnType<typeof startLab>>;
  let board: Awaited<ReturnType<typeof startBoard>>;
  let live: Target;
  let room: Target;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const dir = await tempDir();
    stops.push(() => dir[Symbol.asyncDispose]());
    const redis = await ownRedis();
    stops.push(redis.stop);
    board = await startBoard(dir.path, redis.url);
    stops.push(() => interrupt(board.run));
    lab = await startLab(dir.path);
    stops.push(() => interrupt(lab.run));
    const page = await (await fetch(`http://127.0.0.1:${lab.ui}/`)).text();
    const token = /name="session-lab-token" content="([0-9a-f]+)"/.exec(page)?.[1] ?? "";
    expect(token).not.toBe("");
    live = { port: lab.ui, host: `127.0.0.1:${lab.ui}`, token };
    room = { port: board.port, host: `127.0.0.1:${board.port}`, token: "" };
  }, 60_000);
  afterAll(async () => {
    // Everything is stopped, even after a crash failed the first stop's assertions.
    let failure: unknown;
    for (const stop of stops.reverse()) await stop().catch((error) => (failure ??= error));
    if (failure) throw failure;
  });

  it.each(HOSTILE)(
    "%s: answered, and both pages still serve",
    async (_what, bytes, onLive, onBoard) => {
      expect(await rawStatus(live.port, bytes(live))).toBe(onLive);
      expect(await rawStatus(room.port, bytes(room))).toBe(onBoard);
      for (const port of [live.port, room.port])
        expect((await request(`http://127.0.0.1:${port}/state`)).statusCode).toBe(200);
    },
  );

  it("a refused Host is told where the page is, in one sentence", async () => {
    const res = await request(`http://127.0.0.1:${lab.ui}/`, { headers: { host: "evil.example" } });
    expect(await res.body.text()).toBe(
      `This page answers only at 127.0.0.1:${lab.ui}, localhost:${lab.ui}, [::1]:${lab.ui}; open it by one of those addresses.\n`,
    );
  });

  it("after all of them, the lab still runs and its instances still answer", async () => {
    expect(lab.run.child.exitCode).toBe(null);
    expect(board.run.child.exitCode).toBe(null);
    for (let i = 0; i < 2; i++) {
      const res = await request(`http://127.0.0.1:${lab.proxy}/`);
      expect(res.statusCode).toBe(200);
      await res.body.dump();
    }
    expect(lab.run.output() + board.run.output()).not.toMatch(/failed unexpectedly/);
  });
});

/** A page's EventSource as a browser runs it: reads every frame, reconnects when dropped. */
function followEvents(url: string) {
  let text = "";
  let stopped = false;
  let current: ReturnType<typeof get> | undefined;
  const again = () => {
    if (!stopped) setTimeout(connect, 1000);
  };
  const connect = () => {
    current = get(url, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return;
      }
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        text = (text + d).slice(-2_000_000);
      });
    });
    current.on("close", again);
    current.on("error", () => {});
  };
  connect();
  return {
    text: () => text,
    close() {
      stopped = true;
      current?.destroy();
    },
  };
}

async function rssMb(pid: number): Promise<number> {
  return ((await memoryOf(pid))?.residentKb ?? 0) / 1024;
}

describe("the live page, with 500 pages open that never read", () => {
  it("keeps the lab's memory bounded, turns the 201st page away, and a reading page still gets updates", async () => {
    await using dir = await tempDir();
    const lab = await startLab(dir.path);
    const pid = lab.run.child.pid as number;
    const reader = followEvents(`http://127.0.0.1:${lab.ui}/events`);
    const stalled: Socket[] = [];
    const answers: string[] = [];
    let flooding = true;
    try {
      await expect.poll(() => reader.text(), { timeout: 5000 }).toContain("event: view");
      const baseline = await rssMb(pid);
      for (let i = 0; i < 500; i++) {
        const socket = new Socket();
        socket.on("error", () => {});
        socket.once("data", (d) => {
          answers.push(d.toString("latin1"));
          socket.pause();
        });
        socket.connect(lab.ui, "127.0.0.1", () =>
          socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${lab.ui}\r\n\r\n`),
        );
        stalled.push(socket);
      }
      await expect.poll(() => answers.length, { timeout: 10_000 }).toBe(500);
      // Traffic through the proxy with long paths: every update of the page is ~0.5 MB.
      const traffic = [0, 1].map(async (loop) => {
        for (let n = 0; flooding; n++) {
          const res = await request(
            `http://127.0.0.1:${lab.proxy}/session/set/${"v".repeat(8000)}${loop}-${n}`,
          ).catch(() => undefined);
          await res?.body.dump();
        }
      });
      let peak = baseline;
      for (const end = Date.now() + 12_000; Date.now() < end && peak - baseline < 150; ) {
        await new Promise((r) => setTimeout(r, 500));
        peak = Math.max(peak, await rssMb(pid));
      }
      flooding = false;
      await Promise.all(traffic);
      console.log(`live page RSS: ${baseline.toFixed(0)} MB before, ${peak.toFixed(0)} MB at peak`);
      expect(peak - baseline).toBeLessThan(150);

      const refused = answers.filter((a) => a.startsWith("HTTP/1.1 503 "));
      // The reading page holds one place; the stalled ones take the rest, and no more.
      expect(refused.length).toBeGreaterThanOrEqual(500 - MAX_SSE_CLIENTS);
      expect(refused.every((a) => /\r\nretry-after: \d+\r\n/i.test(a))).toBe(true);
      await request(`http://127.0.0.1:${lab.proxy}/session/set/marker-after-the-flood`).then((r) =>
        r.body.dump(),
      );
      await expect
        .poll(() => reader.text(), { timeout: 5000 })
        .toContain("/session/set/marker-after-the-flood");
      expect(lab.run.child.exitCode).toBe(null);
    } finally {
      flooding = false;
      reader.close();
      for (const socket of stalled) socket.destroy();
      await interrupt(lab.run);
    }
  }, 90_000);
});
