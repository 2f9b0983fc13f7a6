import { pollUntil } from "../poll.js";
import { listPids, readCmdline, readEnviron, readStat } from "./proc.js";
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
  const found: MarkedProcess[] = [];
  await Promise.all(
    (await listPids()).map(async (pid) => {
      if (pid === process.pid) return;
      // Undefined when it is gone, or not ours to read.
      if (!(await readEnviron(pid))?.includes(needle)) return;
      const info = await describeProcess(pid);
      if (info) found.push(info);
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
  const stat = await readStat(pid);
  if (!stat || stat.state === "Z") return undefined;
  const cmdline = await readCmdline(pid);
  if (!cmdline) return undefined;
  return { pid, ppid: stat.ppid, pgid: stat.pgid, command: cmdline.join(" ") || stat.name };
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
  let alive = marked;
  await pollUntil(
    async () => {
      alive = (
        await Promise.all(
          alive.map(async (p) =>
            (await processStartTime(p.pid)) === started.get(p.pid) ? p : undefined,
          ),
        )
      ).filter((p): p is MarkedProcess => p !== undefined);
      return alive.length === 0;
    },
    { timeoutMs: graceMs, everyMs: 25 },
  );
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
