#!/usr/bin/env node
// The yardstick for `check`'s speed in `npm run bench`, not part of the product: a plain grader
// of exercise 01's reference solution, as one would write it by hand. HAProxy round-robin in
// front of N instances, a browser-like cookie jar, the same requests as the check's scenarios
// (shared, unset, isolation, a restart of every instance, the session's key in Redis), no
// diagnosis, no observation. Prints one JSON line: { pass, ms, failed? }. Its instances run as
// `check --solution` runs them, `node app.mjs`: until 2026-12-03 they ran with the lab's import
// hook (runtime/register.mjs), which the solution does not need and which costs each Node 20
// instance a loader thread (~0.05 s of CPU): the reference was slower than it should have been.
//
//   node bench/reference-grader.mjs <redis-url> [instances] [app, default: 01's solution]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Redis } from "ioredis";
import { CookieJar } from "tough-cookie";
import { Agent, request } from "undici";
import { answersHttp } from "../dist/cluster/readiness.js";
import { findFreePortRange } from "../dist/processes/ports.js";
import { writeHaproxyConfig } from "./haproxy-config.mjs";

const began = performance.now();
const root = join(import.meta.dirname, "..");
const [redisUrl, count = "2", app = join(root, "solutions/01-shared-sessions/app.mjs")] =
  process.argv.slice(2);
const n = Number(count);
const prefix = `bench-ref:${randomBytes(4).toString("hex")}:`;
const children = new Set();

const ports = await findFreePortRange(n + 1);
const [proxyPort, ...instancePorts] = ports;
const proxy = `http://127.0.0.1:${proxyPort}`;

/** Starts one process, to be stopped by stopAll. */
function run(file, args, env = {}) {
  const child = spawn(file, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const entry = { child, exited };
  children.add(entry);
  exited.then(() => children.delete(entry));
  return entry;
}

const startInstance = (port) =>
  run(process.execPath, [app], {
    APP_PORT: String(port),
    REDIS_URL: redisUrl,
    SESSION_SECRET: "ref",
    SESSION_PREFIX: prefix,
  });

async function answering(port) {
  for (;;) {
    if (await answersHttp("127.0.0.1", port, 500)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function stopAll() {
  for (const { child } of children) child.kill("SIGTERM");
  await Promise.all([...children].map((c) => c.exited));
}

const { file: config, dir } = await writeHaproxyConfig(proxyPort, instancePorts);

const dispatcher = new Agent({ keepAliveTimeout: 5000 });
function visitor() {
  const jar = new CookieJar();
  return async (path) => {
    const url = `${proxy}${path}`;
    const cookie = await jar.getCookieString(url);
    const res = await request(url, { dispatcher, headers: cookie ? { cookie } : {} });
    const body = await res.body.text();
    const lines = res.headers["set-cookie"];
    for (const line of lines === undefined ? [] : [lines].flat()) await jar.setCookie(line, url);
    if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}`);
    return body;
  };
}

const reads = 2 * n;
const token = () => `ref-${randomBytes(5).toString("hex")}`;
const failed = [];
const expect = (ok, what) => {
  if (!ok) failed.push(what);
};
async function readAll(get, value, shown) {
  for (let i = 0; i < reads; i++) expect((await get("/")).includes(value) === shown, value);
}

const redis = new Redis(redisUrl, { lazyConnect: true });
try {
  run("haproxy", ["-f", config, "-db"]);
  const instances = instancePorts.map(startInstance);
  await Promise.all([...instancePorts, proxyPort].map(answering));

  const a = visitor();
  const v1 = token();
  await a(`/session/set/${v1}`); // shared
  await readAll(a, v1, true);
  await a("/session/unset/"); // unset
  await readAll(a, v1, false);
  const v2 = token(); // isolation
  await a(`/session/set/${v2}`);
  await readAll(visitor(), v2, false);
  // restart: every instance stopped, started again, and the session still there
  for (const i of instances) i.child.kill("SIGTERM");
  await Promise.all(instances.map((i) => i.exited));
  instancePorts.map(startInstance);
  await Promise.all(instancePorts.map(answering));
  await readAll(a, v2, true);
  // store-evidence: the session is a key in Redis
  await redis.connect();
  const [, keys] = await redis.scan(0, "MATCH", `${prefix}*`, "COUNT", 1000);
  expect(keys.length > 0, "a session key in Redis");
} catch (error) {
  failed.push(String(error));
} finally {
  await stopAll();
  if (redis.status === "ready") {
    const [, keys] = await redis.scan(0, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
  await dispatcher.close();
  await rm(dir, { recursive: true, force: true });
}
const ms = Math.round(performance.now() - began);
console.log(
  JSON.stringify({ pass: failed.length === 0, ms, ...(failed.length ? { failed } : {}) }),
);
