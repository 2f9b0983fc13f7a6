/** At most this many processes are walked: a fork bomb in a workshop app must not stall the lab. */
export const MAX_DESCENDANTS = 256;

/**
 * The roots and every process descending from them (roots first, at most MAX_DESCENDANTS),
 * given pid → parent pid. A root that is not in the table is still returned: it may have
 * ended, or be a process the platform does not list.
 */
export function descendantsOf(roots: readonly number[], parents: Map<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    if (pid === ppid) continue; // Windows' System Idle Process is its own parent.
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const seen = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0 && seen.size < MAX_DESCENDANTS) {
    const pid = queue.shift() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}
