import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { listPidsSync, readEnvironSync, readStatSync } from "../../src/processes/proc.js";

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

/**
 * Live processes started from this test file: those whose environment carries its marker
 * (orphans included), and this process's descendants (for programs such as redis-server
 * that overwrite their environment with their process title).
 */
export function markedProcesses(): { pid: number; command: string }[] {
  const found = new Map<number, string>();
  const children = new Map<number, number[]>();
  for (const pid of listPidsSync()) {
    if (pid === process.pid) continue;
    // Undefined when the process ended while we looked.
    const stat = readStatSync(pid);
    if (!stat || stat.state === "Z") continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
    if (readEnvironSync(pid)?.includes(MARK)) found.set(pid, stat.name);
  }
  const queue = [process.pid];
  while (queue.length > 0) {
    for (const pid of children.get(queue.shift() as number) ?? []) {
      if (!found.has(pid)) found.set(pid, readStatSync(pid)?.name ?? "?");
      queue.push(pid);
    }
  }
  return [...found].map(([pid, command]) => ({ pid, command }));
}
