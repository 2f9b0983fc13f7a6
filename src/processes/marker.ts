import { readdir, readFile } from "node:fs/promises";
import { processStartTime } from "./process-info.js";

/**
 * The environment variable every process the lab starts inherits, naming the run. A process
 * that left the lab's process group (setsid, a daemon's double fork) still carries it, so it
 * can be found and stopped; a process without it is never touched.
 */
export const RUN_MARKER = "SESSION_LAB_RUN";

export interface MarkedProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly command: string;
}

/** Live processes whose environment carries this run's marker (Linux: /proc; elsewhere none). */
export async function findMarked(runId: string): Promise<MarkedProcess[]> {
  const needle = `${RUN_MARKER}=${runId}`;
  const names = await readdir("/proc").catch(() => [] as string[]);
  const found: MarkedProcess[] = [];
  await Promise.all(
    names.map(async (name) => {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) return;
      try {
        const environ = await readFile(`/proc/${name}/environ`, "latin1");
        if (!environ.split("\0").includes(needle)) return;
        const info = await describeProcess(Number(name));
        if (info) found.push(info);
      } catch {
        // Gone while we looked, or not ours to read.
      }
    }),
  );
  return found;
}

/**
 * This run's processes that left the groups the lab started: those whose group leader is not
 * a child of the lab (a group the lab started is led by the process the lab spawned).
 */
export async function findEscaped(runId: string): Promise<MarkedProcess[]> {
  const marked = await findMarked(runId);
  const leaders = new Map(marked.map((p) => [p.pid, p]));
  const escaped: MarkedProcess[] = [];
  for (const p of marked) {
    const leader = leaders.get(p.pgid) ?? (await describeProcess(p.pgid));
    if (leader?.ppid !== process.pid) escaped.push(p);
  }
  return escaped;
}

/** A live process's group and command line, from /proc; undefined when it is gone or a zombie. */
export async function describeProcess(pid: number): Promise<MarkedProcess | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") return undefined;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
    const command =
      cmdline.split("\0").filter(Boolean).join(" ") ||
      stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), command };
  } catch {
    return undefined;
  }
}

/**
 * Stops the processes of a run that escaped its process groups: SIGTERM, then SIGKILL after
 * `graceMs`. Each is checked to still be the same process (its start time) before the kill.
 * Returns what was stopped.
 */
export async function stopMarked(runId: string, graceMs = 2000): Promise<MarkedProcess[]> {
  const marked = await findMarked(runId);
  if (marked.length === 0) return [];
  const started = new Map(
    await Promise.all(marked.map(async (p) => [p.pid, await processStartTime(p.pid)] as const)),
  );
  for (const p of marked) signal(p.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  let alive = marked;
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    alive = (
      await Promise.all(
        alive.map(async (p) =>
          (await processStartTime(p.pid)) === started.get(p.pid) ? p : undefined,
        ),
      )
    ).filter((p): p is MarkedProcess => p !== undefined);
  }
  for (const p of alive) signal(p.pid, "SIGKILL");
  return marked;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
