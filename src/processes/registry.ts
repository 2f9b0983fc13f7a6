import { pollUntil } from "../poll.js";
import { platform } from "./platform.js";

/**
 * Every process group the lab has started and not yet seen end. If the lab itself goes down
 * without its cleanup running (an uncaught error, process.exit), the 'exit' hook still kills
 * them: nothing the lab started outlives it. A run record, when one is set, also writes
 * them down for the next run, in case this one is SIGKILLed.
 */
const liveGroups = new Map<number, string>();
let hooked = false;

export interface GroupRecorder {
  add(pgid: number, command: string): Promise<void>;
  remove(pgid: number): Promise<void>;
}
const recorders = new Set<GroupRecorder>();

/**
 * Writes every live group, and every group started from now on, into `recorder` until the
 * returned function is called. With several labs in one process (tests), each record
 * holds every group of the process while it is open, and one lab ending stops only its own.
 */
export function addGroupRecorder(recorder: GroupRecorder): () => void {
  recorders.add(recorder);
  for (const [pgid, command] of liveGroups) void recorder.add(pgid, command);
  return () => {
    recorders.delete(recorder);
  };
}

export function trackGroup(pgid: number, command = ""): void {
  liveGroups.set(pgid, command);
  for (const recorder of recorders) void recorder.add(pgid, command);
  if (!hooked) {
    hooked = true;
    process.once("exit", killAllNow);
  }
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
  for (const recorder of recorders) void recorder.remove(pgid);
}

/** SIGKILLs every live group at once: the second Ctrl-C, or the lab's own exit. */
export function killAllNow(): void {
  for (const pgid of liveGroups.keys()) signalGroup(pgid, "SIGKILL");
}

/**
 * SIGKILLs every live group, then waits (at most `ms`) until no live process of them is
 * left, so that their ports are free when the lab exits right after.
 */
export async function killAllAndWait(
  ms: number,
  alive: (pgid: number) => Promise<boolean>,
): Promise<void> {
  const groups = [...liveGroups.keys()];
  killAllNow();
  await pollUntil(
    async () => {
      for (const pgid of groups) if (await alive(pgid)) return false;
      return true;
    },
    { timeoutMs: ms, everyMs: 10 },
  );
}

/**
 * Signals a whole process group; false when no process of it is left. Windows has no groups:
 * there any signal but 0 ends the leader's tree (taskkill /T /F), see Platform.signalGroup.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  return platform().signalGroup(pgid, signal);
}
