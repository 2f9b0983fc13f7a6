import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { platform } from "../../src/processes/platform.js";

/**
 * Fails a test file that leaves a process or a listening socket behind: the lab promises
 * that nothing it starts outlives it, and so do its tests. Every process started from this
 * file inherits a marker in its environment, so even one that escaped its parent (an orphan
 * re-parented to init) is found. It looks through the lab's own platform layer (/proc, ps and
 * lsof, or Windows' tools), so the suite assumes no more of the OS than the lab does.
 */
const MARK = `SESSION_LAB_TEST_MARK=${randomUUID()}`;
process.env.SESSION_LAB_TEST_MARK = MARK.split("=")[1];

afterAll(async () => {
  const deadline = Date.now() + 5000;
  let left = await leftovers();
  // Processes that were just signalled may need a moment to be reaped: poll, do not sleep.
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    left = await leftovers();
  }
  if (left.length > 0) {
    // Report, then clean up, so one leaky file does not break the files after it.
    for (const p of await markedProcesses()) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {}
    }
    throw new Error(`test file left running: ${left.join("; ")}`);
  }
});

async function leftovers(): Promise<string[]> {
  const found = (await markedProcesses()).map((p) => `process ${p.pid} (${p.command})`);
  const servers = process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
  if (servers > 0) found.push(`${servers} listening server(s) in the test process`);
  return found;
}

/**
 * Live processes started from this test file: those whose environment carries its marker
 * (orphans included; not on Windows, which shows no other process's environment), and this
 * process's descendants (for programs such as redis-server that overwrite their environment
 * with their process title).
 */
export async function markedProcesses(): Promise<{ pid: number; command: string }[]> {
  const os = platform();
  // One after the other: a listing must not see the other's own ps (a child of this process).
  const marked = await os.processesWithEnv(MARK);
  const all = await os.listProcesses();
  const found = new Map(marked.map((p) => [p.pid, p.command]));
  const children = new Map<number, typeof all>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const queue = [process.pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      if (child.pid === process.pid) continue;
      if (!found.has(child.pid)) found.set(child.pid, child.command);
      queue.push(child.pid);
    }
  }
  return [...found].map(([pid, command]) => ({ pid, command }));
}
