#!/usr/bin/env node
// npm run bench: the lab's proxy against HAProxy and http-proxy, and check's wall time, in one
// run on this machine. Prints a table and writes bench/results/latest.json. Needs wrk (and
// haproxy for its column): apt-get install -y wrk haproxy. Not a test: it asserts nothing.
import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { cpus, platform, release, tmpdir } from "node:os";
import { join } from "node:path";
import { answersHttp } from "../dist/cluster/readiness.js";
import { findFreePortRange } from "../dist/processes/ports.js";
import { memoryOf } from "../dist/processes/process-info.js";
import { findRedis } from "../dist/redis/discover.js";
import { writeHaproxyConfig } from "./haproxy-config.mjs";

const root = join(import.meta.dirname, "..");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
// A check lasts about a second and varies by ±0.05 s from one run to the next: more runs.
const CHECK_ROUNDS = Number(process.env.BENCH_CHECK_ROUNDS ?? 5);
const CONNECTIONS = 64;
const running = new Set();

const has = (tool) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const version = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
      .split("\n")[0]
      .trim();
  } catch (error) {
    return (
      String(error.stdout ?? error.stderr ?? "")
        .split("\n")[0]
        .trim() || "?"
    );
  }
};

/** Starts a process and waits until `port` answers HTTP. */
async function launch(file, args, port, env = {}) {
  const child = spawn(file, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
    cwd: root,
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  const deadline = Date.now() + 15_000;
  while (!(await answersHttp("127.0.0.1", port, 500))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${file} ${args.join(" ")} did not come up on :${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}

function parseDuration(text) {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return Number.NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
}

function wrk(url, seconds, headers = []) {
  const args = [
    "-t1",
    `-c${CONNECTIONS}`,
    `-d${seconds}s`,
    "--latency",
    ...headers.flatMap((h) => ["-H", h]),
    url,
  ];
  const out = execFileSync("wrk", args, { encoding: "utf8" });
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: parseDuration(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? ""),
    p99: parseDuration(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? ""),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** The medians of rounds of wrk. */
function medians(rounds) {
  return {
    rps: Math.round(median(rounds.map((r) => r.rps))),
    p50: Number(median(rounds.map((r) => r.p50)).toFixed(2)),
    p99: Number(median(rounds.map((r) => r.p99)).toFixed(2)),
  };
}

async function haproxy(port, backends) {
  const { file: config, dir } = await writeHaproxyConfig(port, backends);
  const proc = await launch("haproxy", ["-f", config, "-db"], port);
  return {
    stop: async () => {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The ways to reach `backends`, each measured with the same load. Every proxy runs at once
 * (idle when not measured), each is warmed up, then each round measures every one in turn:
 * this VM's speed drifts by a third within minutes, and a drift then falls on every row of a
 * round alike instead of on whichever proxy was measured last.
 */
async function compareProxies(backends, headers, withNodeProxies) {
  const [hp, lp, np, bp] = await findFreePortRange(4);
  const started = [];
  const urls = { direct: `http://127.0.0.1:${backends[0]}/` };
  try {
    if (has("haproxy")) {
      started.push(await haproxy(hp, backends));
      urls.haproxy = `http://127.0.0.1:${hp}/`;
    }
    // A proxy of ours (a script in bench/) on `port`.
    const nodeProxy = async (name, script, port) => {
      started.push(
        await launch(
          process.execPath,
          [join(root, "bench", script), String(port), ...backends.map(String)],
          port,
        ),
      );
      urls[name] = `http://127.0.0.1:${port}/`;
    };
    await nodeProxy("lab", "lab-proxy.mjs", lp);
    if (withNodeProxies) {
      await nodeProxy("httpProxy", "http-proxy.mjs", np);
      await nodeProxy("bare", "bare-proxy.mjs", bp);
    }
    for (const url of Object.values(urls)) wrk(url, 1, headers);
    const rounds = Object.fromEntries(Object.keys(urls).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, url] of Object.entries(urls)) rounds[name].push(wrk(url, SECONDS, headers));
    return Object.fromEntries(Object.entries(rounds).map(([name, r]) => [name, medians(r)]));
  } finally {
    await Promise.all(started.map((p) => p.stop()));
  }
}

/** Wall time and the lab's peak memory for one `check`. */
async function timeCheck(n, solution, redisUrl, exercise = "01-shared-sessions") {
  const dir = await mkdtemp(join(tmpdir(), "session-lab-bench-"));
  const args = [
    join(root, "bin/session-lab.js"),
    "check",
    exercise,
    "--json",
    "-n",
    String(n),
    "--dir",
    dir,
    "--redis-url",
    redisUrl,
  ];
  if (solution) args.push("--solution");
  const began = performance.now();
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  let peakKb = 0;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let done = false;
  exited.then(() => {
    done = true;
  });
  while (!done) {
    const use = await memoryOf(child.pid);
    peakKb = Math.max(peakKb, use?.peakKb ?? use?.residentKb ?? 0);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20))]);
  }
  const ms = performance.now() - began;
  await rm(dir, { recursive: true, force: true });
  const report = JSON.parse(out);
  // Where the wall time went: the check's own steps, and what is outside them (the CLI
  // starting, finding Redis, taking ports, stopping everything).
  const stepMs = (id) => report.scenarios.find((s) => s.id === id)?.ms ?? 0;
  const inScenarios = report.scenarios.reduce((sum, s) => sum + (s.ms ?? 0), 0);
  const steps = {
    boot: stepMs("boot"),
    restart: stepMs("restart"),
    scenarios: inScenarios - stepMs("boot") - stepMs("restart"),
    outside: Math.max(0, ms - inScenarios),
  };
  return { ms, peakMb: peakKb / 1024, verdict: report.verdict, steps };
}

/** Wall time of `session-lab --version`: Node starting and loading the lab, part of "outside". */
async function timeCliStart() {
  const began = performance.now();
  const child = spawn(process.execPath, [join(root, "bin/session-lab.js"), "--version"], {
    stdio: "ignore",
  });
  await new Promise((resolve) => child.once("exit", resolve));
  return performance.now() - began;
}

/** Wall time of the plain reference grader (bench/reference-grader.mjs), run as `check` is. */
async function timeReference(n, redisUrl) {
  const began = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, "bench/reference-grader.mjs"), redisUrl, String(n)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  await new Promise((resolve) => child.once("exit", resolve));
  const ms = performance.now() - began;
  const { pass } = JSON.parse(out);
  return { ms, pass };
}

async function main() {
  if (!has("wrk")) {
    console.error("wrk is not installed: apt-get install -y wrk (and haproxy for its column)");
    process.exitCode = 2;
    return;
  }
  const machine = {
    date: new Date().toISOString(),
    platform: `${platform()} ${release()}`,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    node: process.version,
    wrk: version("wrk", ["--version"]),
    haproxy: has("haproxy") ? version("haproxy", ["-v"]) : "not installed (its column is left out)",
  };
  const results = {
    machine,
    settings: { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS },
  };

  // 1. Trivial backends.
  const backendPorts = await findFreePortRange(2);
  const backends = [];
  for (const port of backendPorts)
    backends.push(
      await launch(process.execPath, [join(root, "bench/backend.mjs"), String(port)], port),
    );
  results.trivial = await compareProxies(backendPorts, [], true);
  for (const b of backends) await b.stop();

  // 2. The exercise's solution, with a session cookie and a real Redis.
  const redis = await findRedis({
    chosen: undefined,
    env: process.env,
    localUrl: "redis://127.0.0.1:1",
  });
  try {
    const solutionPorts = await findFreePortRange(2);
    const apps = [];
    for (const port of solutionPorts) {
      apps.push(
        await launch(
          process.execPath,
          [
            "--import",
            join(root, "runtime/register.mjs"),
            join(root, "solutions/01-shared-sessions/app.mjs"),
          ],
          port,
          {
            APP_PORT: String(port),
            REDIS_URL: redis.url,
            SESSION_SECRET: "bench",
            SESSION_PREFIX: "bench:",
          },
        ),
      );
    }
    const res = await fetch(`http://127.0.0.1:${solutionPorts[0]}/session/set/bench`);
    const cookie = res.headers.get("set-cookie")?.split(";")[0];
    results.solution = await compareProxies(solutionPorts, [`Cookie: ${cookie}`], false);
    for (const a of apps) await a.stop();

    // 3. check's wall time.
    results.check = [];
    for (const n of [1, 2, 4, 8, 16]) {
      const row = { n };
      for (const variant of ["starter", "solution"]) {
        const runs = [];
        for (let i = 0; i < CHECK_ROUNDS; i++)
          runs.push(await timeCheck(n, variant === "solution", redis.url));
        row[variant] = {
          ms: Math.round(median(runs.map((r) => r.ms))),
          peakMb: Math.round(Math.max(...runs.map((r) => r.peakMb))),
          verdicts: [...new Set(runs.map((r) => r.verdict))],
        };
      }
      results.check.push(row);
    }

    // 3b. check --solution N=2 against the reference grader, alternated, and its steps.
    const lab = [];
    const reference = [];
    for (let i = 0; i < CHECK_ROUNDS; i++) {
      lab.push(await timeCheck(2, true, redis.url));
      reference.push(await timeReference(2, redis.url));
    }
    const cliStart = [];
    for (let i = 0; i < CHECK_ROUNDS; i++) cliStart.push(await timeCliStart());
    const share = (step) => Math.round(median(lab.map((r) => r.steps[step])));
    results.reference = {
      lab: Math.round(median(lab.map((r) => r.ms))),
      reference: Math.round(median(reference.map((r) => r.ms))),
      referencePassed: reference.every((r) => r.pass),
      steps: {
        boot: share("boot"),
        scenarios: share("scenarios"),
        restart: share("restart"),
        outside: share("outside"),
      },
      cliStart: Math.round(median(cliStart)),
    };

    // 4. check of every exercise of the course, N = 2.
    results.course = [];
    const exercises = (await readdir(join(root, "exercises"), { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    for (const exercise of exercises) {
      const row = { exercise };
      for (const variant of ["starter", "solution"]) {
        const runs = [];
        for (let i = 0; i < ROUNDS; i++)
          runs.push(await timeCheck(2, variant === "solution", redis.url, exercise));
        row[variant] = { ms: Math.round(median(runs.map((r) => r.ms))) };
      }
      results.course.push(row);
    }
  } finally {
    await redis.close();
  }

  print(results);
  await mkdir(join(root, "bench/results"), { recursive: true });
  await writeFile(join(root, "bench/results/latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log("\nwritten to bench/results/latest.json");
}

function print(r) {
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : "n/a");
  const row = (name, m) =>
    m
      ? `  ${name.padEnd(26)} ${String(m.rps).padStart(8)} ${`${m.p50} ms`.padStart(10)} ${`${m.p99} ms`.padStart(10)}`
      : `  ${name.padEnd(26)} (not measured)`;
  console.log(
    `session-lab bench · ${r.machine.date.slice(0, 10)} · ${r.machine.platform} · ${r.machine.cpus} · Node ${r.machine.node}`,
  );
  console.log(`${r.machine.wrk} · ${r.machine.haproxy}`);
  console.log(
    `wrk -t1 -c${CONNECTIONS}, a 1 s warm-up each, then medians of ${ROUNDS} rounds of ${SECONDS} s, every row measured in turn in each round\n`,
  );
  console.log("1. Trivial backend (node:http)             req/s        p50        p99");
  console.log(row("backend, direct", r.trivial.direct));
  console.log(row("HAProxy, 2 backends", r.trivial.haproxy));
  console.log(row("lab proxy, 2 backends", r.trivial.lab));
  console.log(row("http-proxy, 2 backends", r.trivial.httpProxy));
  console.log(row("bare Node proxy (a floor)", r.trivial.bare));
  console.log(
    `  lab / HAProxy ${ratio(r.trivial.lab.rps, r.trivial.haproxy?.rps)} req/s (target ≥ 0.7) · lab / http-proxy ${ratio(r.trivial.lab.rps, r.trivial.httpProxy?.rps)} (target ≥ 1.5)`,
  );
  console.log(
    `  bare Node proxy / HAProxy ${ratio(r.trivial.bare?.rps, r.trivial.haproxy?.rps)}: the most node:http + undici reach here · lab / bare ${ratio(r.trivial.lab.rps, r.trivial.bare?.rps)}\n`,
  );
  console.log("2. Solution app, GET / with a session      req/s        p50        p99");
  console.log(row("HAProxy, 2 instances", r.solution.haproxy));
  console.log(row("lab proxy, 2 instances", r.solution.lab));
  console.log(
    `  lab / HAProxy ${ratio(r.solution.lab.rps, r.solution.haproxy?.rps)} req/s (target ≥ 0.95) · p99 ${ratio(r.solution.lab.p99, r.solution.haproxy?.p99)} (target ≤ 1.3)\n`,
  );
  console.log(`3. check of exercise 01, wall time (median of ${CHECK_ROUNDS} runs)`);
  console.log("  N     starter    solution   lab peak RSS");
  for (const c of r.check)
    console.log(
      `  ${String(c.n).padEnd(4)} ${`${c.starter.ms} ms`.padStart(9)} ${`${c.solution.ms} ms`.padStart(11)} ${`${Math.max(c.starter.peakMb, c.solution.peakMb)} MB`.padStart(12)}`,
    );
  const two = r.check.find((c) => c.n === 2);
  const sixteen = r.check.find((c) => c.n === 16);
  console.log(
    `  N=2 solution ${two.solution.ms} ms (target < 700) · starter ${two.starter.ms <= two.solution.ms ? "≤" : ">"} solution · N=16/N=2 ${ratio(sixteen.solution.ms, two.solution.ms)} (target ≤ 4) · peak at N=16 ${Math.max(sixteen.starter.peakMb, sixteen.solution.peakMb)} MB (target < 150)\n`,
  );
  const ref = r.reference;
  if (ref) {
    console.log(
      `3b. check --solution N=2 against a plain reference grader (HAProxy + a cookie jar), alternated, ${CHECK_ROUNDS} runs each`,
    );
    console.log(
      `  lab ${ref.lab} ms · reference ${ref.reference} ms${ref.referencePassed ? "" : " (it did not pass!)"} · lab / reference ${ratio(ref.lab, ref.reference)} (target ≤ 0.9)`,
    );
    const total = Object.values(ref.steps).reduce((a, b) => a + b, 0) || 1;
    console.log(
      `  the lab's steps (medians): ${Object.entries(ref.steps)
        .map(([step, ms]) => `${step} ${ms} ms (${Math.round((100 * ms) / total)}%)`)
        .join(" · ")}`,
    );
    console.log(
      `  of "outside", Node starting and loading the lab (session-lab --version): ${ref.cliStart} ms; the rest is finding Redis, taking ports, the proxy, and stopping everything\n`,
    );
  }
  console.log("4. check of every exercise, N = 2, wall time (median)");
  console.log("  exercise                       starter    solution");
  for (const c of r.course ?? [])
    console.log(
      `  ${c.exercise.padEnd(28)} ${`${c.starter.ms} ms`.padStart(10)} ${`${c.solution.ms} ms`.padStart(11)}`,
    );
}

const stopAll = () => {
  for (const child of running) child.kill("SIGKILL");
};
process.on("exit", stopAll);
process.on("SIGINT", () => {
  stopAll();
  process.exit(130);
});
await main();
