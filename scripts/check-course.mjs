#!/usr/bin/env node
import { spawn } from "node:child_process";
// The course check: every exercise's starter must fail `check` (exit 1) with the causeId its
// exercise.json names, and its reference solution must pass (exit 0), with 2 and with 3
// instances, graded by the built CLI exactly as an attendee runs it. Arguments narrow it to
// the exercises whose ids begin with them.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findRedis } from "../dist/redis/discover.js";

const root = join(import.meta.dirname, "..");
// `npm run check:course -- 06 04`: only the exercises whose id starts with one of these.
const only = process.argv.slice(2);
const bin = join(root, "bin", "session-lab.js");

// REDIS_URL when set, else a private redis-server (never someone else's Redis on :6379).
const redis = await findRedis({
  chosen: process.env.REDIS_URL ? { url: process.env.REDIS_URL, source: "REDIS_URL" } : undefined,
  env: process.env,
  localUrl: "redis://127.0.0.1:1",
});
let failures = 0;
try {
  const exercises = (await readdir(join(root, "exercises"), { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .filter((id) => only.length === 0 || only.some((prefix) => id.startsWith(prefix)))
    .sort();
  if (exercises.length === 0) throw new Error(`no exercise matches ${only.join(", ")}`);
  const runs = [];
  for (const id of exercises) {
    const meta = JSON.parse(await readFile(join(root, "exercises", id, "exercise.json"), "utf8"));
    for (const n of ["2", "3"])
      for (const [variant, args, expected] of [
        ["starter", [], 1],
        ["solution", ["--solution"], 0],
      ])
        runs.push({
          id,
          n,
          variant,
          args,
          expected,
          cause: variant === "starter" ? meta.starterCause : undefined,
        });
  }
  for (const { id, n, variant, args, expected, cause } of runs) {
    {
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
          "-n",
          n,
          ...args,
        ]);
        let summary = "";
        let causeId;
        try {
          const report = JSON.parse(stdout);
          causeId = report.causeId;
          summary = `${report.verdict}${report.causeId ? ` ${report.causeId}` : ""} (${report.durationMs} ms)`;
        } catch {
          summary = stdout.slice(0, 200);
        }
        const ok = code === expected && (cause === undefined || causeId === cause);
        if (!ok) failures++;
        const want = cause ? `exit ${expected} with ${cause}` : `exit ${expected}`;
        console.log(
          `${ok ? "✔" : "✘"} ${id} N=${n} ${variant}: exit ${code}, expected ${want} — ${summary}`,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
} finally {
  await redis.close();
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
