import { spawn } from "node:child_process";
import { createConnection } from "node:net";
import type { TestProject } from "vitest/node";
import { findFreePorts } from "./ports.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

const INSTALL =
  "The tests need a Redis: install redis-server (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL to one you own.";

/**
 * One private redis-server for the whole run, on a free port, keeping nothing on disk; or
 * REDIS_URL when given. Tests use their own key prefixes and never flush it.
 */
export default async function setup(project: TestProject) {
  if (process.env.REDIS_URL) {
    project.provide("redisUrl", process.env.REDIS_URL);
    return;
  }
  const [port] = await findFreePorts(1);
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (e) => reject(new Error(`${INSTALL} (${e.message})`)));
    child.once("exit", (code) =>
      reject(new Error(`redis-server exited with code ${code}. ${INSTALL}`)),
    );
  });
  await Promise.race([waitForPong(port as number), failed]);
  project.provide("redisUrl", `redis://127.0.0.1:${port}`);
  return async () => {
    child.removeAllListeners("exit");
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
}

async function waitForPong(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`redis-server on :${port} did not answer PING within 10 s`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("error", () => resolve(false));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.write("PING\r\n");
  });
}
