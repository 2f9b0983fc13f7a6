import { type Batched, batched } from "../batched.js";
import { pollUntil } from "../poll.js";
import { type ProcessEntry, platform } from "./platform.js";

/**
 * The environment variable every process the lab starts inherits, naming the run. A process
 * that left the lab's process group (setsid, a daemon's double fork) still carries it, so it
 * can be found and stopped; a process without it is never touched.
 */
export const RUN_MARKER = "SESSION_LAB_RUN";

export type MarkedProcess = ProcessEntry;

/**
 * Live processes whose environment carries this run's marker: Linux reads /proc; macOS and
 * the other Unixes ask `ps` for environments, which it shows for the user's own processes
 * (the lab's apps are); Windows shows no other process's environment, and finds none.
 */
export function findMarked(runId: string): Promise<MarkedProcess[]> {
  let scan = scans.get(runId);
  if (!scan) {
    scan = batched(
      () => platform().processesWithEnv(`${RUN_MARKER}=${runId}`),
      () => scans.delete(runId),
    );
    scans.set(runId, scan);
  }
  return scan.next();
}

/** A batched look-up per run while one is asked for: 16 instances ready at once cost 2 scans, not 16. */
const scans = new Map<string, Batched<MarkedProcess[]>>();

/** Whether a process carries this run's marker (false where environments cannot be read). */
export function carriesMarker(pid: number, runId: string): Promise<boolean> {
  return platform().hasEnv(pid, `${RUN_MARKER}=${runId}`);
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

/**
 * The process answering on an instance's port when it is the run's app but outside what the
 * lab started for it (`leader`'s group): the app daemonized. Linux first asks whether the
 * process the lab started listens on the port itself (`node app.mjs` does): a few file reads,
 * where the look-up below reads every process's environment. Unix: a process of the run (by
 * its marker) that left its group holds the port; that is looked up only when some process
 * of the run left its group. Windows, which has no groups and shows no environments: the
 * port's holder is neither the leader nor in its tree.
 */
export async function findEscapedHolder(
  port: number,
  leader: number,
  runId: string,
): Promise<MarkedProcess | undefined> {
  const os = platform();
  if (await os.listensItself?.(leader, port)) return undefined;
  if (!os.seesEnvironment) {
    const holder = await os.portHolder(port, [leader]);
    if (!holder || holder.pid === leader) return undefined;
    return (await os.descendants([leader])).includes(holder.pid) ? undefined : holder;
  }
  const escaped = await findEscaped(runId);
  if (escaped.length === 0) return undefined;
  const owner = await os.portHolder(
    port,
    escaped.map((p) => p.pid),
  );
  return owner && escaped.some((p) => p.pid === owner.pid) ? owner : undefined;
}

/**
 * Stops an app found holding the lab's port from outside what the lab started, where the run
 * marker cannot find it later (Windows: its tree, at once). Elsewhere the lab's teardown
 * stops it with the run's other escaped processes, and reports it; nothing is done here.
 */
export async function stopOutsider(holder: MarkedProcess): Promise<void> {
  const os = platform();
  if (!os.seesEnvironment) await os.stopTree(holder.pid);
}

/** A live process's group and command line; undefined when it is gone or a zombie. */
export function describeProcess(pid: number): Promise<MarkedProcess | undefined> {
  return platform().describeProcess(pid);
}

/**
 * Stops the processes of a run that escaped its process groups: SIGTERM, then SIGKILL after
 * `graceMs`. Each is checked to still be the same process (its start time) before the kill.
 * Returns what was stopped.
 */
export async function stopMarked(runId: string, graceMs = 2000): Promise<MarkedProcess[]> {
  const marked = await findMarked(runId);
  if (marked.length === 0) return [];
  const os = platform();
  const started = new Map(
    await Promise.all(marked.map(async (p) => [p.pid, await os.processStartTime(p.pid)] as const)),
  );
  for (const p of marked) signal(p.pid, "SIGTERM");
  let alive = marked;
  await pollUntil(
    async () => {
      alive = (
        await Promise.all(
          alive.map(async (p) =>
            (await os.processStartTime(p.pid)) === started.get(p.pid) ? p : undefined,
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
