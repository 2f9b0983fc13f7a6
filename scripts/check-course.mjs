#!/usr/bin/env node
// The course check: every exercise's starter must fail `check` (exit 1) and its reference
// solution must pass (exit 0), graded by the built CLI exactly as an attendee runs it.
// Uses REDIS_URL when set, else a private redis-server on a free port.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const bin = join(root, "bin", "session-lab.js");

const redis = process.env.REDIS_URL
  ? { url: process.env.REDIS_URL, stop: async () => {} }
  : await privateRedis();
let failures = 0;
try {
  const exercises = (await readdir(join(root, "exercises"), { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  for (const id of exercises) {
    for (const [variant, args, expected] of [
      ["starter", [], 1],
      ["solution", ["--solution"], 0],
    ]) {
      const dir = await mkdtemp(join(tmpdir(), "session-lab-course-"));
      try {
        const { code, stdout } = await run([
          bin,
          "check",
          id,
          "--json",
          "--dir",
          dir,
          "--redis-url",
          redis.url,
          ...args,
        ]);
        let summary = "";
        try {
          const report = JSON.parse(stdout);
          summary = `${report.verdict}${report.cause ? `: ${report.cause}` : ""} (${report.durationMs} ms)`;
        } catch {
          summary = stdout.slice(0, 200);
        }
        const ok = code === expected;
        if (!ok) failures++;
        console.log(
          `${ok ? "✔" : "✘"} ${id} ${variant}: exit ${code}, expected ${expected} — ${summary}`,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
} finally {
  await redis.stop();
}
console.log(
  `course: ${failures === 0 ? "every starter fails and every solution passes" : `${failures} problem(s)`}`,
);
process.exitCode = failures === 0 ? 0 : 1;

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout }));
  });
}

async function privateRedis() {
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  await new Promise((resolve, reject) => {
    child.once("error", () =>
      reject(
        new Error(
          "redis-server is not installed: apt-get install -y redis-server, or set REDIS_URL",
        ),
      ),
    );
    const deadline = Date.now() + 10_000;
    const poll = () => {
      const socket = createConnection(port);
      socket.once("data", (d) => {
        socket.destroy();
        if (String(d).startsWith("+PONG")) resolve();
      });
      socket.once("error", () => {
        if (Date.now() > deadline) reject(new Error("redis-server did not answer"));
        else setTimeout(poll, 20);
      });
      socket.write("PING\r\n");
    };
    poll();
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}
