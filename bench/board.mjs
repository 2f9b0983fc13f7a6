#!/usr/bin/env node
// npm run bench:board: 200 simulated attendees publish 10 checks each to a room, at once, while
// a real board (the built CLI, in its own process) follows the room. Reports the publish
// latency, how long until the board shows every result, and the board's memory. Needs
// redis-server (a private one is started). Not a test: it asserts nothing.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { findFreePortRange } from "../dist/processes/ports.js";
import { memoryOf } from "../dist/processes/process-info.js";
import { findRedis } from "../dist/redis/discover.js";
import { newAttendeeId, publishToRoom } from "../dist/room/publish.js";
import { formatRoomUrl } from "../dist/room/room-url.js";

const ATTENDEES = Number(process.env.BENCH_ATTENDEES ?? 200);
const CHECKS = Number(process.env.BENCH_CHECKS ?? 10);
const root = join(import.meta.dirname, "..");

const redis = await findRedis({
  chosen: undefined,
  env: process.env,
  localUrl: "redis://127.0.0.1:1",
});
const [port] = await findFreePortRange(1);
const boardProcess = spawn(
  process.execPath,
  [
    join(root, "bin/session-lab.js"),
    "board",
    "--redis-url",
    redis.url,
    "--room",
    "bench",
    "--port",
    String(port),
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
let peakKb = 0;
const sample = async () => {
  const use = await memoryOf(boardProcess.pid);
  peakKb = Math.max(peakKb, use?.peakKb ?? use?.residentKb ?? 0);
};
try {
  await new Promise((resolve, reject) => {
    boardProcess.stdout.on("data", (d) => String(d).includes("Attendees join") && resolve());
    boardProcess.once("exit", () => reject(new Error("the board did not start")));
  });
  const url = formatRoomUrl(redis.url, "bench");
  const latencies = [];
  const began = performance.now();
  const attendee = async (i) => {
    // Each attendee its own inbox, as `join` gives it.
    const id = newAttendeeId();
    for (let n = 0; n < CHECKS; n++) {
      const t = performance.now();
      await publishToRoom(
        url,
        {
          type: "check",
          name: `attendee-${i}`,
          at: new Date().toISOString(),
          version: "bench",
          exercise: "01-shared-sessions",
          verdict: n === CHECKS - 1 ? "pass" : "fail",
          causeId: n === CHECKS - 1 ? undefined : "own-store",
          scenarios: [{ id: "shared", status: n === CHECKS - 1 ? "pass" : "fail" }],
          durationMs: 700,
        },
        id,
      );
      latencies.push(performance.now() - t);
    }
  };
  const sampler = setInterval(sample, 50);
  await Promise.all(Array.from({ length: ATTENDEES }, (_, i) => attendee(i)));
  const published = performance.now() - began;
  let shown = 0;
  for (;;) {
    const state = await (await fetch(`http://127.0.0.1:${port}/state`)).json();
    shown = state.view.tiles.filter((t) => t.checks === CHECKS && t.verdict === "pass").length;
    if (shown === ATTENDEES || performance.now() - began > 60_000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const allShown = performance.now() - began;
  clearInterval(sampler);
  await sample();
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)].toFixed(1);
  console.log(
    `session-lab board bench · ${ATTENDEES} attendees × ${CHECKS} checks, published at once`,
  );
  console.log(
    `  publish latency   p50 ${pct(0.5)} ms · p99 ${pct(0.99)} ms (a new connection each, as a check does)`,
  );
  console.log(`  all published in  ${(published / 1000).toFixed(2)} s`);
  console.log(
    `  board shows all   ${shown} of ${ATTENDEES} with ${CHECKS} checks, ${(allShown / 1000).toFixed(2)} s after the first`,
  );
  console.log(`  board peak RSS    ${Math.round(peakKb / 1024)} MB`);
} finally {
  boardProcess.kill("SIGTERM");
  await new Promise((r) => boardProcess.once("exit", r));
  await redis.close();
}
