import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer, type Server, Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answersHttp } from "../../src/cluster/readiness.js";
import type { LabEvent } from "../../src/events.js";
import { type LabProxy, startProxy } from "../../src/proxy/proxy.js";
import { tempDir } from "../support/lab.js";
import { findFreePorts } from "../support/ports.js";

/** Short, so that the timeout rows take half a second, the same for the lab and HAProxy. */
const HEADER_TIMEOUT_MS = 500;

/** How the instance answers each request it gets; what it saw is kept. */
type Behaviour = "ok" | "cut-small" | "cut-large";
const ANSWERS: Record<Behaviour, (socket: Socket) => void> = {
  ok: (s) => s.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"),
  // A Content-Length the instance never sends in full, then it closes.
  "cut-small": (s) => {
    s.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789");
    setTimeout(() => s.destroy(), 50);
  },
  "cut-large": (s) => {
    s.write("HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\n0123456789");
    setTimeout(() => s.destroy(), 50);
  },
};

let behaviour: Behaviour = "ok";
const seen: string[] = [];
let instance: Server;
let instancePort: number;
let lab: LabProxy;
const traces: LabEvent[] = [];
let haproxy: { port: number; stop(): Promise<void> };
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  instance = createServer((socket) => {
    let head = "";
    socket.on("data", (chunk) => {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      seen.push(head);
      head = "";
      ANSWERS[behaviour](socket);
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((r) => instance.listen(0, "127.0.0.1", r));
  instancePort = (instance.address() as { port: number }).port;
  lab = await startProxy({
    host: "127.0.0.1",
    port: 0,
    upstreams: [{ index: 1, port: instancePort }],
    headerTimeoutMs: HEADER_TIMEOUT_MS,
    emit: (e) => traces.push(e),
  });
  lab.setAvailable(1, true);
  dir = await tempDir();
  haproxy = await startHaproxy(dir.path, instancePort);
});

afterAll(async () => {
  await Promise.all([lab?.close(), haproxy?.stop()]);
  await new Promise((r) => instance?.close(r));
  await dir?.[Symbol.asyncDispose]();
});

/** What came back for raw request bytes: the bytes, and whether the connection was closed. */
function exchange(port: number, bytes: string): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = "";
    const done = (closed: boolean) => {
      socket.destroy();
      resolve({ answer, closed });
    };
    socket.on("data", (d) => {
      answer += d.toString("latin1");
      // A complete answer from the instance: no need to wait for a close that may not come
      // (HAProxy keeps a CONNECT open as a tunnel).
      if (answer.endsWith("\r\n\r\nok")) done(false);
    });
    socket.on("close", () => done(true));
    socket.on("error", () => done(true));
    socket.connect(port, "127.0.0.1", () => {
      if (bytes) socket.write(bytes);
    });
    setTimeout(() => done(false), 3000).unref();
  });
}

const statusOf = (answer: string) => Number(answer.match(/^HTTP\/1\.1 (\d{3}) /)?.[1] ?? 0);

/**
 * The README's proxy table, row by row: the same bytes sent to the lab's proxy and to a real
 * HAProxy in front of the same instance. `lab` and `haproxy` say what each does: a status it
 * answers itself, "forwarded" (the instance got the request), "cut" (the head and part of
 * the body, then the connection closes), or "closed" (closed after the header timeout, with
 * nothing said).
 */
const ROWS: {
  name: string;
  bytes: string;
  behaviour?: Behaviour;
  lab: number | "forwarded" | "cut" | "closed";
  haproxy: number | "forwarded" | "cut" | "closed";
}[] = [
  {
    name: "CONNECT",
    bytes: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    lab: 405,
    haproxy: "forwarded",
  },
  {
    name: "two different Host headers",
    bytes: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
    lab: 400,
    haproxy: 400,
  },
  {
    name: "two identical Host headers",
    bytes: "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\nConnection: close\r\n\r\n",
    lab: 400,
    haproxy: "forwarded",
  },
  {
    name: "an absolute-form URL naming another host",
    bytes: "GET http://evil.example/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    lab: 400,
    haproxy: 400,
  },
  {
    name: "an absolute-form URL naming another port",
    bytes: "GET http://a:5000/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    lab: 400,
    haproxy: 400,
  },
  {
    name: "an absolute-form URL naming the Host header's host",
    bytes: "GET http://A:80/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    lab: "forwarded",
    haproxy: "forwarded",
  },
  {
    name: "headers not finished within the header timeout",
    bytes: "GET / HTTP/1.1\r\nHost: a\r\n",
    lab: 408,
    haproxy: 408,
  },
  // Closed without a word, as nginx does: a browser's pre-connection must not show a 408 page.
  { name: "a connection that sends nothing", bytes: "", lab: "closed", haproxy: 408 },
  {
    name: "a small answer the instance cuts off (Content-Length 100, 10 bytes sent)",
    bytes: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    behaviour: "cut-small",
    lab: 502,
    haproxy: "cut",
  },
  {
    name: "a large answer the instance cuts off after its head",
    bytes: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    behaviour: "cut-large",
    lab: "cut",
    haproxy: "cut",
  },
];

describe("the proxy against HTTP that HAProxy refuses or cuts off, compared with a real HAProxy", () => {
  for (const row of ROWS) {
    for (const who of ["lab", "haproxy"] as const) {
      it(`${row.name}: ${who} ${row[who]}`, async () => {
        behaviour = row.behaviour ?? "ok";
        seen.length = 0;
        const port = who === "lab" ? lab.port : haproxy.port;
        const started = Date.now();
        const { answer, closed } = await exchange(port, row.bytes);
        const expected = row[who];
        if (expected === "forwarded") {
          expect(seen).toHaveLength(1);
          expect(statusOf(answer)).toBe(200);
          return;
        }
        expect(closed).toBe(true);
        if (expected === "closed") {
          expect(answer).toBe("");
          expect(Date.now() - started).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 50);
          return;
        }
        if (expected === "cut") {
          // The head went out before the instance broke off: the client connection is cut,
          // never completed, so no client takes a short body for a whole one.
          expect(statusOf(answer)).toBe(200);
          expect(answer.endsWith("\r\n\r\n0123456789")).toBe(true);
          return;
        }
        expect(statusOf(answer)).toBe(expected);
        expect(answer.toLowerCase()).toContain("connection: close");
        if (expected === 408)
          expect(Date.now() - started).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 50);
        if (expected !== 502) expect(seen).toEqual([]);
      });
    }
  }

  it("says what it refused and why, and records it in the trace", async () => {
    behaviour = "ok";
    const { answer } = await exchange(
      lab.port,
      "GET http://evil.example/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    expect(answer).toContain("asks for evil.example in its URL but a in its Host header");
    const connect = await exchange(lab.port, "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n");
    expect(connect.answer).toMatch(/\r\nAllow: GET, HEAD, POST/);
    expect(traces.filter((t) => t.type === "request").map((t) => t.status)).toEqual(
      expect.arrayContaining([400, 405]),
    );
    const cut = ROWS.find((r) => r.behaviour === "cut-small") as (typeof ROWS)[number];
    behaviour = "cut-small";
    const broken = await exchange(lab.port, cut.bytes);
    expect(broken.answer).toContain(`Instance 1 (:${instancePort}) broke off the answer.`);
  });
});

describe("a listener on the proxy's port on the other loopback address", () => {
  it.each([
    ["127.0.0.1", "::1"],
    ["::1", "127.0.0.1"],
  ])("proxy on %s, an app on %s: named in one warning, with its pid", async (mine, other) => {
    const [port] = (await findFreePorts(1)) as [number];
    const app = spawn(
      process.execPath,
      [
        "-e",
        `require("node:net").createServer().listen(${port}, ${JSON.stringify(other)}, () => console.log("listening"))`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        app.stdout?.on("data", () => resolve());
        app.once("exit", (code) => reject(new Error(`the app exited with ${code}`)));
      });
      const events: LabEvent[] = [];
      const proxy = await startProxy({
        host: mine,
        port,
        upstreams: [],
        emit: (e) => events.push(e),
      });
      await proxy.close();
      const warnings = events.filter((e) => e.type === "warning");
      expect(warnings).toHaveLength(1);
      const where = other.includes(":") ? `[${other}]:${port}` : `${other}:${port}`;
      expect(warnings[0]).toMatchObject({
        message: expect.stringContaining(`pid ${app.pid} (`),
      });
      expect(warnings[0]).toMatchObject({
        message: expect.stringContaining(`listens on ${where}`),
      });
      expect((warnings[0] as { message: string }).message).not.toContain("\n");
    } finally {
      app.removeAllListeners("exit");
      const exited = new Promise((r) => app.once("exit", r));
      app.kill();
      await exited;
    }
  });

  it("says nothing when the other address is free", async () => {
    const [port] = (await findFreePorts(1)) as [number];
    const events: LabEvent[] = [];
    const proxy = await startProxy({
      host: "127.0.0.1",
      port,
      upstreams: [],
      emit: (e) => events.push(e),
    });
    await proxy.close();
    expect(events.filter((e) => e.type === "warning")).toEqual([]);
  });
});

/** A real HAProxy in front of the instance, with the header timeout the lab's proxy has here. */
async function startHaproxy(
  workDir: string,
  backend: number,
): Promise<{ port: number; stop(): Promise<void> }> {
  const [port] = (await findFreePorts(1)) as [number];
  const config = join(workDir, "haproxy.cfg");
  await writeFile(
    config,
    [
      "defaults",
      "  mode http",
      "  timeout connect 2s",
      "  timeout client 10s",
      "  timeout server 10s",
      `  timeout http-request ${HEADER_TIMEOUT_MS}ms`,
      "frontend lab",
      `  bind 127.0.0.1:${port}`,
      "  default_backend apps",
      "backend apps",
      `  server app1 127.0.0.1:${backend}`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("haproxy", ["-f", config, "-db"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (e) =>
      reject(new Error(`haproxy could not start (${e.message}): apt-get install -y haproxy`)),
    );
    child.once("exit", (code) => reject(new Error(`haproxy exited with ${code}: ${stderr}`)));
  });
  failed.catch(() => {});
  const deadline = Date.now() + 10_000;
  while (!(await Promise.race([answersHttp("127.0.0.1", port, 500), failed]))) {
    if (Date.now() > deadline) throw new Error(`haproxy did not answer on :${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
