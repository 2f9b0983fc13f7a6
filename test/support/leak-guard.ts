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

/**
 * Live processes started from this test file: those whose environment carries its marker
 * (orphans included), and this process's descendants (for programs such as redis-server
 * that overwrite their environment with their process title).
 */
export function markedProcesses(): { pid: number; command: string }[] {
  const found = new Map<number, string>();
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const [state, ppid] = stat.slice(close + 2).split(" ");
      if (state === "Z") continue;
      const command = stat.slice(stat.indexOf("(") + 1, close);
      children.set(Number(ppid), [...(children.get(Number(ppid)) ?? []), Number(name)]);
      const environ = readFileSync(`/proc/${name}/environ`, "utf8");
      if (environ.split("\0").includes(MARK)) found.set(Number(name), command);
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  const queue = [process.pid];
  while (queue.length > 0) {
    for (const pid of children.get(queue.shift() as number) ?? []) {
      if (!found.has(pid)) found.set(pid, commandOf(pid));
      queue.push(pid);
    }
  }
  return [...found].map(([pid, command]) => ({ pid, command }));
}

function commandOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
  } catch {
    return "?";
  }
}
