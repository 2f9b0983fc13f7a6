import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll } from "vitest";

/**
 * Fails a test file that leaves a process or a listening socket behind: the lab promises
 * that nothing it starts outlives it, and so do its tests. Every process started from this
 * file inherits a marker in its environment, so even one that escaped its parent (an orphan
 * re-parented to init) is found.
 */
const MARK = `SESSION_LAB_TEST_MARK=${randomUUID()}`;
process.env.SESSION_LAB_TEST_MARK = MARK.split("=")[1];

afterAll(async () => {
  const deadline = Date.now() + 5000;
  let left = leftovers();
  // Processes that were just signalled may need a moment to be reaped: poll, do not sleep.
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    left = leftovers();
  }
  if (left.length > 0) {
    // Report, then clean up, so one leaky file does not break the files after it.
    for (const p of markedProcesses()) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {}
    }
    throw new Error(`test file left running: ${left.join("; ")}`);
  }
});

function leftovers(): string[] {
  const found = markedProcesses().map((p) => `process ${p.pid} (${p.command})`);
  const servers = process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
  if (servers > 0) found.push(`${servers} listening server(s) in the test process`);
  return found;
}

/** Live processes other than this one whose environment carries this file's marker. */
export function markedProcesses(): { pid: number; command: string }[] {
  const out: { pid: number; command: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, "utf8");
      if (!environ.split("\0").includes(MARK)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      if (stat.slice(close + 2, close + 3) === "Z") continue;
      out.push({ pid: Number(name), command: stat.slice(stat.indexOf("(") + 1, close) });
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return out;
}
