import type { ChalkInstance } from "chalk";
import type { EventOf as Of } from "../events.js";

const n = (value: number) => value.toLocaleString("en-US");
const pct = (part: number, whole: number) =>
  whole === 0 ? "0%" : `${((100 * part) / whole).toFixed(1)}%`;

export function loadBeginLines(event: Of<"load:begin">, c: ChalkInstance): string[] {
  const limit =
    event.requests === undefined
      ? `for ${event.durationMs / 1000} s`
      : `for ${n(event.requests)} requests (at most ${event.durationMs / 1000} s)`;
  return [
    "",
    `${c.bold("session-lab load")} · ${event.target}`,
    c.gray(`  ${event.users} users, each with its own session, ${limit}`),
    "",
  ];
}

/** One line, rewritten in place on a terminal. */
export function loadProgressLine(event: Of<"load:progress">, c: ChalkInstance): string {
  const seconds = event.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(event.requests / seconds) : 0;
  const lost =
    event.lost > 0 ? c.red(`${n(event.lost)} sessions lost`) : c.green("0 sessions lost");
  return `  ${seconds.toFixed(1)} s · ${n(event.requests)} requests · ${n(rate)} req/s · ${lost}`;
}

export function loadEndLines(event: Of<"load:end">, c: ChalkInstance): string[] {
  const r = event.report;
  const lines = [
    `  requests      ${n(r.requests)} in ${(r.elapsedMs / 1000).toFixed(1)} s (${n(r.requestsPerSecond)} req/s)${r.errors ? c.red(` · ${n(r.errors)} failed`) : ""}`,
    `  latency       p50 ${r.latencyMs.p50} ms · p99 ${r.latencyMs.p99} ms`,
    `  reads         ${n(r.reads)} · ${r.lost > 0 ? c.red(`${n(r.lost)} lost (${pct(r.lost, r.reads)})`) : c.green("none lost")}`,
    "  per instance",
  ];
  for (const i of r.perInstance) {
    const name = i.port === null ? "unknown" : `:${i.port}`;
    lines.push(
      `    ${name.padEnd(8)} ${n(i.requests)} requests · ${n(i.lost)} of ${n(i.reads)} reads lost (${pct(i.lost, i.reads)})`,
    );
  }
  lines.push("");
  lines.push(
    r.reads === 0
      ? `${c.yellow.bold("⚠")} No read completed, so nothing was measured.`
      : r.lost > 0
        ? `${c.red.bold("✘")} ${pct(r.lost, r.reads)} of the reads did not show the user's own value: the session was lost.`
        : `${c.green.bold("✔")} Every read showed the user's own value: no session lost.`,
  );
  return lines;
}
