/**
 * Every process group the lab has started and not yet seen end. If the lab itself goes down
 * without its cleanup running (an uncaught error, process.exit), the 'exit' hook still kills
 * them: nothing the lab started outlives it.
 */
const liveGroups = new Set<number>();
let hooked = false;

export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (!hooked) {
    hooked = true;
    process.once("exit", killAllNow);
  }
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

/** SIGKILLs every live group at once: the second Ctrl-C, or the lab's own exit. */
export function killAllNow(): void {
  for (const pgid of liveGroups) signalGroup(pgid, "SIGKILL");
}

/** Signals a whole process group; false when no process of it is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
